import OrderedJSON

/// Reads an event in any accepted shape and normalises it (spec obs-events §2, §2.2, §2.6).
public struct EventDecoder: Sendable {
  /// Events larger than this are refused (OBS itself read at most 10 MB of plugin JSON).
  public var maximumSize: Int
  /// The message-bus adapter used for bodies that come with a routing key.
  public var bus: MessageBusAdapter

  public static let defaultMaximumSize = 10_000_000

  public init(maximumSize: Int = EventDecoder.defaultMaximumSize, bus: MessageBusAdapter = MessageBusAdapter()) {
    self.maximumSize = maximumSize
    self.bus = bus
  }

  /// Decodes raw bytes. `routingKey` is the message-bus key when it travels
  /// beside the body (an HTTP header, a spool file name, AMQP metadata).
  public func decode(bytes: [UInt8], routingKey: String? = nil) throws(EventError) -> OBSEvent {
    if bytes.count > maximumSize { throw .tooLarge(size: bytes.count, limit: maximumSize) }
    if let routingKey, routingKey.hasSuffix(".metrics") || routingKey == "metrics" {
      throw .notAnEvent("message-bus metrics line (\(routingKey))")
    }
    let value: JSONValue
    do {
      value = try JSONValue.parse(bytes: bytes)
    } catch {
      throw .notJSON(error)
    }
    return try decode(value, routingKey: routingKey)
  }

  /// Decodes an already parsed JSON document.
  public func decode(_ value: JSONValue, routingKey: String? = nil) throws(EventError) -> OBSEvent {
    guard case .object(let object) = value else { throw .notAnObject(foundType: value.typeName) }
    // A routing key given beside the document applies to a bare bus body only;
    // a document that names its own shape is read as that shape.
    let namesItsShape =
      object["routing_key"] != nil || object["definition"] != nil || object["process_definition"] != nil
      || object["fields"] != nil
    if let routingKey, !namesItsShape { return try bus.adapt(body: object, routingKey: routingKey) }

    // {"routing_key": ..., "body": {...}} (with an optional "exchange"), as a bus message is stored.
    if case .string(let key)? = object["routing_key"] {
      guard case .object(let body)? = object["body"] else {
        if object["body"] == nil { throw .missingKey("body", shape: "message-bus message") }
        let type = object["body"]?.typeName ?? "null"
        throw .invalidKey("body of \(key)", value: (type == "array" ? "an " : "a ") + type, expected: "a JSON object")
      }
      return try bus.adapt(body: body, routingKey: key)
    }

    if object["definition"] != nil || object["process_definition"] != nil {
      let fields = object["fields"] ?? object["workitem_fields"]
      return try decodeWrapped(fields, shape: .launchItem)
    }
    if let fields = object["fields"] {
      return try decodeWrapped(fields, shape: .workitem)
    }
    return try decodeObsEvent(object, shape: .bareEvent)
  }

  private func decodeWrapped(_ fields: JSONValue?, shape: EventShape) throws(EventError) -> OBSEvent {
    guard case .object(let event)? = fields?["obsEvent"], !event.isEmpty else {
      throw .noEvent(shape: shape == .launchItem ? "the launch item" : "the workitem")
    }
    return try decodeObsEvent(event, shape: shape)
  }

  /// Reads the plugin's event object: format 2 takes `label`, format 1 splits `type`.
  func decodeObsEvent(_ event: JSONObject, shape: EventShape) throws(EventError) -> OBSEvent {
    let format = try EventDecoder.format(of: event["format"])
    var fields = event
    if format >= 2 {
      guard case .string(let labelText)? = event["label"] else {
        if let value = event["label"] {
          throw .invalidKey(
            "obsEvent.label", value: value.serialized(), expected: "a string such as \"REPO_PUBLISHED\"")
        }
        throw .missingKey("label", shape: "the format \(format) obsEvent")
      }
      let label: EventLabel
      do { label = try EventLabel(labelText, source: "obsEvent.label") } catch { throw .invalidName(error) }
      return OBSEvent(
        label: label, namespace: event["namespace"]?.stringValue, format: format, shape: shape, fields: fields)
    }
    // Format 1: "<namespace>_<LABEL>", split on the first '_' as BOSS did.
    guard case .string(let type)? = event["type"] else {
      if let value = event["type"] {
        throw .invalidKey(
          "obsEvent.type", value: value.serialized(), expected: "a string such as \"OBS_REPO_PUBLISHED\"")
      }
      throw .missingKey("format or type", shape: "the obsEvent (neither format 2 nor format 1)")
    }
    guard let underscore = type.firstIndex(of: "_") else {
      throw .invalidKey(
        "obsEvent.type", value: quoted(type), expected: "\"<namespace>_<LABEL>\" such as \"OBS_REPO_PUBLISHED\"")
    }
    let namespace = String(type[..<underscore])
    let label: EventLabel
    do {
      label = try EventLabel(String(type[type.index(after: underscore)...]), source: "label from obsEvent.type")
    } catch { throw .invalidName(error) }
    // Processes and participants read ev.label and ev.namespace; format 1 lacked them.
    if fields["label"] == nil { fields["label"] = .string(label.name) }
    if fields["namespace"] == nil { fields["namespace"] = .string(namespace) }
    return OBSEvent(label: label, namespace: namespace, format: 1, shape: shape, fields: fields)
  }

  /// The plugin format as a number: absent or null is 1; "2" and 2 are 2.
  static func format(of value: JSONValue?) throws(EventError) -> Int {
    let number: Int?
    switch value {
    case nil, .null?: return 1
    case .int(let i)?: number = i
    case .double(let d)?: number = d == d.rounded() && abs(d) < 1e9 ? Int(d) : nil
    case .string(let s)?: number = Int(s.trimmingSpaces())
    default: number = nil
    }
    guard let number, number >= 1 else {
      throw .invalidKey(
        "obsEvent.format", value: value?.serialized() ?? "null", expected: "1 or 2 (a number or a string)")
    }
    if number > 2 { throw .unsupportedFormat(String(number)) }
    return number
  }
}

extension String {
  func trimmingSpaces() -> String {
    var view = Substring(self)
    while let first = view.first, first.isWhitespace { view.removeFirst() }
    while let last = view.last, last.isWhitespace { view.removeLast() }
    return String(view)
  }
}
