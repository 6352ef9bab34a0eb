import OBSEvents
import OrderedJSON

extension RoutePlan {
  /// The stable JSON form `robogrator route --json` prints (documented in robogrator(1)).
  public func toJSON() -> JSONValue {
    var eventObject = JSONObject()
    eventObject["label"] = .string(event.label.name)
    eventObject["namespace"] = event.namespace.map(JSONValue.string) ?? .null
    eventObject["format"] = .int(event.format)
    eventObject["shape"] = .string(event.shape.name)
    if case .messageBus(let key) = event.shape { eventObject["routing_key"] = .string(key) }
    eventObject["project"] = event.fields["project"] ?? .null
    eventObject["id"] = event.fields["id"] ?? .null
    eventObject["actions"] = .int(event.actions.count)
    eventObject["fields"] = .object(event.fields)

    let targetValues: [JSONValue] = targets.map { target in
      var object = JSONObject()
      object["project"] = .string(target.project.name)
      object["directory"] = .string(target.directory)
      object["directory_exists"] = .bool(target.directoryExists)
      object["launches"] = .array(
        target.launches.map { launch in
          var item = JSONObject()
          item["definition"] = .string(launch.definition)
          item["link"] = launch.linkTarget.map(JSONValue.string) ?? .null
          item["for_subprojects"] = .bool(launch.isForSubprojects)
          item["conf"] = launch.conf.map(JSONValue.string) ?? .null
          item["fields"] = .object(launch.fields)
          return .object(item)
        })
      object["skipped"] = .array(
        target.skipped.map { .object(JSONObject([("file", .string($0.file)), ("reason", .string($0.reason))])) })
      object["errors"] = .array(
        target.errors.map { .object(JSONObject([("file", .string($0.file)), ("message", .string($0.message))])) })
      return .object(object)
    }
    var root = JSONObject()
    root["event"] = .object(eventObject)
    root["targets"] = .array(targetValues)
    root["notes"] = .array(notes.map(JSONValue.string))
    root["errors"] = .array(
      errors.map { .object(JSONObject([("value", .string($0.value)), ("message", .string($0.description))])) })
    return .object(root)
  }

  /// The plain-text explanation `robogrator route` prints.
  public func humanDescription(showFields: Bool = true) -> String {
    var lines: [String] = []
    var header = "event \(event.label) (format \(event.format), namespace \(event.namespace ?? "none"), \(event.shape))"
    if let id = event.requestID { header += ", request \(id)" }
    lines.append(header)
    if event.label.isRequestEvent && event.project == nil {
      lines.append("  \(event.actions.count) action\(event.actions.count == 1 ? "" : "s")")
    }
    for note in notes { lines.append("note: \(note)") }
    for error in errors { lines.append("error: \(error)") }
    if targets.isEmpty && errors.isEmpty { lines.append("no target project: nothing launches") }
    for target in targets {
      lines.append("")
      lines.append(
        "target \(target.project) -> \(target.directory)\(target.directoryExists ? "" : " (no such directory)")")
      if target.launches.isEmpty && target.errors.isEmpty {
        lines.append(
          target.skipped.isEmpty
            ? "  nothing launches: no \(event.label) definition here or in an ancestor's _any folder"
            : "  nothing launches: the \(event.label) definitions that apply were skipped (see below)")
      }
      for launch in target.launches {
        var line = "  launch \(launch.definition)"
        if let link = launch.linkTarget { line += " -> \(link)" }
        if launch.isForSubprojects { line += " (for every subproject)" }
        lines.append(line)
        lines.append("    conf: \(launch.conf ?? "none")")
        if showFields {
          let fields = JSONValue.object(launch.fields).serialized(pretty: true)
          lines.append(
            "    fields: " + fields.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
          )
        }
      }
      for skipped in target.skipped { lines.append("  skipped \(skipped.file): \(skipped.reason)") }
      for error in target.errors { lines.append("  error \(error.file): \(error.message)") }
    }
    return lines.joined(separator: "\n")
  }
}
