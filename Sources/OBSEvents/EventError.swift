import OrderedJSON

/// Why an event was not accepted. Messages name the bad value and the rule.
public enum EventError: Error, Sendable, Equatable, CustomStringConvertible {
  case tooLarge(size: Int, limit: Int)
  case notJSON(JSONParseError)
  case notAnObject(foundType: String)
  case noEvent(shape: String)
  case unsupportedFormat(String)
  case missingKey(String, shape: String)
  case invalidKey(String, value: String, expected: String)
  case invalidName(NameError)
  case unknownRoutingKey(String)
  /// Traffic on the bus that is not an event at all (the `<prefix>.metrics` lines); acknowledge and drop.
  case notAnEvent(String)

  public var description: String {
    switch self {
    case .tooLarge(let size, let limit):
      "the event is \(formatBytes(size)), over the \(formatBytes(limit)) limit (raise it with --max-event-size)"
    case .notJSON(let error):
      "the event is not valid JSON: \(error)"
    case .notAnObject(let type):
      "the event must be a JSON object, found \(type == "array" ? "an" : "a") \(type)"
    case .noEvent(let shape):
      "\(shape) has no fields.obsEvent (or it is empty): nothing to route"
    case .unsupportedFormat(let value):
      "obsEvent format \(value) is not supported: robogrator reads format 1 (type only) and format 2 "
        + "(label and namespace); format 3 existed only on an unmerged BOSS branch"
    case .missingKey(let key, let shape):
      "\(shape) has no \(key)"
    case .invalidKey(let key, let value, let expected):
      "\(key) is \(value); expected \(expected)"
    case .invalidName(let error):
      error.description
    case .unknownRoutingKey(let key):
      "routing key \(quoted(key)) is not an OBS event key (expected <prefix>.<object>.<verb>, "
        + "such as opensuse.obs.request.create)"
    case .notAnEvent(let what):
      "\(what) is not an event; dropped"
    }
  }
}

func formatBytes(_ count: Int) -> String {
  if count >= 1_000_000 {
    let tenths = (count + 50_000) / 100_000
    return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
  }
  if count >= 1_000 { return "\((count + 500) / 1_000) kB" }
  return "\(count) bytes"
}
