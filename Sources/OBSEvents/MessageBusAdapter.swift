import OrderedJSON

#if canImport(Glibc)
  import Glibc
#endif

/// Turns a modern OBS message-bus body and its routing key into the format-2
/// event BOSS processes expect (spec obs-events §2.6, "Adapter mapping").
public struct MessageBusAdapter: Sendable {
  /// The OBS instance alias written to `ev.namespace` (the BOSS plugin's default was `OBS`).
  public var namespace: String
  /// Whether bus events with no BOSS-era label pass through under a derived label
  /// (`request.review_wanted` → `SRCSRV_REQUEST_REVIEW_WANTED`) or are refused.
  public var passThroughUnknown: Bool
  /// The receive time written to `ev.time` (seconds since 1970); injectable for tests.
  public var clock: @Sendable () -> Int

  public init(
    namespace: String = "OBS", passThroughUnknown: Bool = true,
    clock: @escaping @Sendable () -> Int = { Int(time(nil)) }
  ) {
    self.namespace = namespace
    self.passThroughUnknown = passThroughUnknown
    self.clock = clock
  }

  /// Routing-key suffixes and the BOSS labels they become.
  public static let labelsByRoutingSuffix: [String: String] = [
    "request.create": "SRCSRV_REQUEST_CREATE",
    "request.change": "SRCSRV_REQUEST_CHANGE",
    "request.delete": "SRCSRV_REQUEST_DELETE",
    "request.state_change": "SRCSRV_REQUEST_STATECHANGE",
    "request.reviews_done": "SRCSRV_REQUEST_STATECHANGE",
    "repo.published": "REPO_PUBLISHED",
    "repo.publish_state": "REPO_PUBLISH_STATE",
    "repo.packtrack": "PACKTRACK",
    "package.build_success": "BUILD_SUCCESS",
    "package.build_fail": "BUILD_FAIL",
    "package.build_unchanged": "BUILD_UNCHANGED",
    "package.commit": "SRCSRV_COMMIT",
    "package.create": "SRCSRV_CREATE_PACKAGE",
    "package.update": "SRCSRV_UPDATE_PACKAGE",
    "package.delete": "SRCSRV_DELETE_PACKAGE",
    "package.undelete": "SRCSRV_UNDELETE_PACKAGE",
    "package.branch": "SRCSRV_BRANCH_COMMAND",
    "package.version_change": "SRCSRV_VERSION_CHANGE",
    "package.upload": "SRCSRV_UPLOAD",
    "package.service_success": "SRCSRV_SERVICE_SUCCESS",
    "package.service_fail": "SRCSRV_SERVICE_FAIL",
    "project.create": "SRCSRV_CREATE_PROJECT",
    "project.update": "SRCSRV_UPDATE_PROJECT",
    "project.delete": "SRCSRV_DELETE_PROJECT",
    "project.undelete": "SRCSRV_UNDELETE_PROJECT",
    "project.update_project_conf": "SRCSRV_UPDATE_PROJECT_CONFIG",
  ]

  /// Labels that modern-only bus events pass through under (see `passThroughLabel`).
  public static let passThroughLabels: Set<String> = [
    "SRCSRV_REQUEST_REVIEW_WANTED", "SRCSRV_REQUEST_REVIEW_CHANGED", "SRCSRV_REQUEST_COMMENT",
    "SRCSRV_REQUEST_STATUS_REPORT", "PACKAGE_COMMENT", "PROJECT_COMMENT", "REPO_BUILD_STARTED",
    "REPO_BUILD_FINISHED", "REPO_STATUS_REPORT", "PUBLISHED_STATUS_REPORT", "CONTAINER_PUBLISHED",
    "RELATIONSHIP_CREATE", "RELATIONSHIP_DELETE",
  ]

  /// The `<object>.<verb>` suffix of a routing key (`opensuse.obs.request.create` → `request.create`).
  static func suffix(of routingKey: String) -> (object: String, verb: String)? {
    let parts = routingKey.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count >= 2 else { return nil }
    let object = String(parts[parts.count - 2])
    let verb = String(parts[parts.count - 1])
    guard !object.isEmpty, !verb.isEmpty else { return nil }
    return (object, verb)
  }

  /// The label for a bus event with no BOSS-era equivalent: request events keep
  /// the `SRCSRV_REQUEST_` prefix (so they still route to their targets), others
  /// become `<OBJECT>_<VERB>`.
  static func passThroughLabel(object: String, verb: String) -> String {
    let base = object == "request" ? "SRCSRV_REQUEST_" + verb : object + "_" + verb
    return base.uppercased()
  }

  public func adapt(body: JSONObject, routingKey: String) throws(EventError) -> OBSEvent {
    guard let (object, verb) = MessageBusAdapter.suffix(of: routingKey) else {
      throw .unknownRoutingKey(routingKey)
    }
    if verb == "metrics" { throw .notAnEvent("message-bus metrics line (\(routingKey))") }
    let labelText: String
    if let known = MessageBusAdapter.labelsByRoutingSuffix["\(object).\(verb)"] {
      labelText = known
    } else if passThroughUnknown {
      labelText = MessageBusAdapter.passThroughLabel(object: object, verb: verb)
    } else {
      throw .notAnEvent("message-bus event \(routingKey) (pass-through of unknown events is off)")
    }
    let label: EventLabel
    do { label = try EventLabel(labelText, source: "label from routing key \(routingKey)") } catch {
      throw .unknownRoutingKey(routingKey)
    }

    var fields = JSONObject()
    let isRequest = object == "request"
    var databaseID: JSONValue?
    for (key, value) in body {
      switch key {
      case "id" where isRequest && body["number"] != nil:
        // In bus request bodies `id` is a database id; BOSS processes use ${ev.id} as the request number.
        databaseID = value
        fields["id"] = body["number"]
      case "namespace":
        // The payload's namespace is the project's first segment, not the OBS instance alias.
        fields["project_namespace"] = value
      default:
        fields[key] = value
      }
    }
    if let databaseID { fields["db_id"] = databaseID }
    if isRequest, body["id"] == nil, let number = body["number"] {
      // OBS 2.8 to 2019 sent only `number`; BOSS processes read the request number as ${ev.id}.
      fields["id"] = number
    }
    if "\(object).\(verb)" == "request.reviews_done" {
      // BOSS's review listener waits for a STATECHANGE to state "new".
      fields["state"] = "new"
      if fields["oldstate"] == nil { fields["oldstate"] = "review" }
    }
    fields["format"] = "2"
    fields["label"] = .string(label.name)
    fields["namespace"] = .string(namespace)
    fields["time"] = .int(clock())
    fields["type"] = .string("\(namespace)_\(label.name)")
    return OBSEvent(
      label: label, namespace: namespace, format: 2, shape: .messageBus(routingKey: routingKey), fields: fields)
  }
}
