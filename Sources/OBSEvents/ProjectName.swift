/// An OBS project name that passed OBS's own API rule, and so is safe to turn
/// into a path below the process store.
///
/// The rule is `Project.valid_name?` of the modern OBS API: ASCII
/// `[-+A-Za-z0-9_.:]{1,200}`, not `"0"`, not starting with `:`, `.` or `_`,
/// no `:` followed by `:`, `.` or `_`, not ending with `:`. It rules out
/// `..` segments, absolute paths, `/`, glob characters and control bytes, so
/// no event can name a path outside the store.
public struct ProjectName: Sendable, Hashable, CustomStringConvertible, Comparable {
  /// The name as OBS writes it, `Chalk:Trunk`.
  public let name: String
  /// The directory of this project relative to the store: `Chalk/Trunk`
  /// (computed once: routing looks it up for every event).
  public let relativePath: String

  /// Validates `name`; the error names the rule it broke. `source` says where
  /// the name came from (for example `ev.project` or `actions[1].targetproject`).
  public init(_ name: String, source: String = "project") throws(NameError) {
    if let rule = ProjectName.brokenRule(name) {
      throw NameError(kind: .project, value: name, source: source, rule: rule)
    }
    self.name = name
    self.relativePath = String(
      decoding: name.utf8.map { $0 == UInt8(ascii: ":") ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
  }

  public static func == (lhs: ProjectName, rhs: ProjectName) -> Bool { lhs.name == rhs.name }
  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// The segments between colons: `["Chalk", "Trunk"]`.
  public var components: [Substring] { name.split(separator: ":", omittingEmptySubsequences: false) }

  public var description: String { name }

  public static func < (lhs: ProjectName, rhs: ProjectName) -> Bool { lhs.name < rhs.name }

  public static let maximumLength = 200

  /// The first rule `name` breaks, in words, or nil when it is valid.
  public static func brokenRule(_ name: String) -> String? {
    let bytes = Array(name.utf8)
    if bytes.isEmpty { return "it is empty" }
    if bytes.count > maximumLength {
      return "it is \(bytes.count) characters long; OBS allows at most \(maximumLength)"
    }
    for (offset, byte) in bytes.enumerated() where !isNameByte(byte) {
      return "character \(describe(byte)) at position \(offset + 1) is not allowed; "
        + "only A-Z a-z 0-9 - + _ . : may be used"
    }
    if name == "0" { return "\"0\" is reserved by OBS" }
    switch bytes[0] {
    case UInt8(ascii: ":"): return "it starts with ':'"
    case UInt8(ascii: "."): return "it starts with '.'"
    case UInt8(ascii: "_"): return "it starts with '_'"
    default: break
    }
    if bytes.last == UInt8(ascii: ":") { return "it ends with ':'" }
    for index in 0..<(bytes.count - 1) where bytes[index] == UInt8(ascii: ":") {
      switch bytes[index + 1] {
      case UInt8(ascii: ":"): return "it contains '::' (an empty segment)"
      case UInt8(ascii: "."): return "a segment starts with '.' (after ':' at position \(index + 1))"
      case UInt8(ascii: "_"): return "a segment starts with '_' (after ':' at position \(index + 1))"
      default: continue
      }
    }
    return nil
  }

  /// Whether one directory name could be a segment of a valid project name.
  public static func isValidComponent(_ component: String) -> Bool {
    !component.contains(":") && brokenRule(component) == nil
  }

  static func isNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "_"),
      UInt8(ascii: "."), UInt8(ascii: ":"):
      true
    default: false
    }
  }
}

/// Describes a byte for an error message: printable ASCII quoted, anything else in hex.
func describe(_ byte: UInt8) -> String {
  if byte == 0 { return "NUL (0x00)" }
  if byte > 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
  if byte == 0x20 { return "space" }
  let hex = String(byte, radix: 16, uppercase: true)
  return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
}

/// A project name or label that cannot be used, with the rule it broke.
public struct NameError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    case project, label
  }
  public let kind: Kind
  public let value: String
  public let source: String
  public let rule: String

  public init(kind: Kind, value: String, source: String, rule: String) {
    self.kind = kind
    self.value = value
    self.source = source
    self.rule = rule
  }

  public var description: String {
    let what = kind == .project ? "project name" : "event label"
    return "\(source) \(quoted(value)) is not a valid \(what): \(rule)"
  }
}

/// Quotes a value for a message, escaping what would hide it (control bytes, quotes).
func quoted(_ value: String) -> String {
  var out = "\""
  for scalar in value.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\0": out += "\\0"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    default:
      if scalar.value < 0x20 || scalar.value == 0x7F {
        out += "\\x" + String(scalar.value, radix: 16, uppercase: true)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  let limit = 120
  if out.count > limit { out = String(out.prefix(limit)) + "…" }
  return out + "\""
}
