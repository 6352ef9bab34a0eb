import OrderedJSON

/// One OBS event, whatever shape it arrived in, normalised to what BOSS
/// processes see as `${ev.*}`.
public struct OBSEvent: Sendable, Equatable {
  /// The event type, `SRCSRV_REQUEST_CREATE`.
  public var label: EventLabel
  /// The OBS instance alias (`OBS` by default); participants pick their API from it.
  public var namespace: String?
  /// The BOSS plugin format: 1 (type only) or 2 (label, namespace). Bus events are adapted to 2.
  public var format: Int
  /// How the event reached us.
  public var shape: EventShape
  /// The event object processes receive as field `ev`: every raw key kept, plus
  /// `label` and `namespace` where an old format lacked them.
  public var fields: JSONObject

  public init(label: EventLabel, namespace: String?, format: Int, shape: EventShape, fields: JSONObject) {
    self.label = label
    self.namespace = namespace
    self.format = format
    self.shape = shape
    self.fields = fields
  }

  /// The request number for request events (`id`), as text.
  public var requestID: String? {
    switch fields["id"] {
    case .string(let s)?: s
    case .int(let i)?: String(i)
    case .double(let d)?: String(d)
    default: nil
    }
  }

  /// The `project` key when it is a non-empty string (the BOSS router's truthiness test).
  public var project: String? {
    if case .string(let s)? = fields["project"], !s.isEmpty { return s }
    return nil
  }
}

/// The wire shape an event arrived in, kept so `robogrator route` can say what it read.
public enum EventShape: Sendable, Equatable, CustomStringConvertible {
  /// `{"definition": ..., "fields": {"obsEvent": ...}}` as the BOSS OBS plugin published it.
  case launchItem
  /// A ruote workitem carrying `fields.obsEvent` (what BOSS's robogrator consumed).
  case workitem
  /// The plugin's `obsEvent` object on its own.
  case bareEvent
  /// A modern OBS message-bus body with its routing key.
  case messageBus(routingKey: String)

  public var description: String {
    switch self {
    case .launchItem: "BOSS launch item (fields.obsEvent)"
    case .workitem: "ruote workitem (fields.obsEvent)"
    case .bareEvent: "bare obsEvent"
    case .messageBus(let key): "OBS message bus, routing key \(key)"
    }
  }

  /// A stable one-word name for JSON output.
  public var name: String {
    switch self {
    case .launchItem: "launch_item"
    case .workitem: "workitem"
    case .bareEvent: "bare"
    case .messageBus: "message_bus"
    }
  }
}
