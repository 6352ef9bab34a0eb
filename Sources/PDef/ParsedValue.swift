import OrderedJSON

/// A literal read from the DSL, still carrying the Ruby type details the
/// tree drops (a symbol and a string are both JSON strings in the tree, but
/// `:a == 'a'` is false in Ruby and `:a + 'b'` fails).
struct ParsedValue {
  enum Kind {
    case string, symbol, regex, integer, float, boolean, null, array, hash
  }

  var value: JSONValue
  var kind: Kind
  var location: SourceLocation

  /// How the value's type reads in a message.
  var typeDescription: String {
    switch kind {
    case .string: "a string"
    case .symbol: "a symbol"
    case .regex: "a regular expression"
    case .integer, .float: "a number"
    case .boolean: "a boolean"
    case .null: "nil"
    case .array: "an array"
    case .hash: "a hash"
    }
  }

  /// The attribute key this value makes as a Ruby hash key or positional
  /// argument (ruote turned keys into strings); nil when it cannot be one.
  var keyText: String? {
    switch value {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .double(let d): return RubyLiteral.float(d)
    case .bool(let b): return b ? "true" : "false"
    case .null, .array, .object: return nil
    }
  }

  /// Ruby's `+` on two literals, which Ruby evaluated when it read the
  /// definition (`"Please review" + " the SR"`). Nil when Ruby would fail.
  static func add(_ lhs: ParsedValue, _ rhs: ParsedValue) -> ParsedValue? {
    switch (lhs.kind, lhs.value, rhs.kind, rhs.value) {
    case (.string, .string(let a), .string, .string(let b)):
      return ParsedValue(value: .string(a + b), kind: .string, location: lhs.location)
    case (.integer, .int(let a), .integer, .int(let b)):
      let (sum, overflow) = a.addingReportingOverflow(b)
      return overflow ? nil : ParsedValue(value: .int(sum), kind: .integer, location: lhs.location)
    case (.array, .array(let a), .array, .array(let b)):
      return ParsedValue(value: .array(a + b), kind: .array, location: lhs.location)
    default:
      guard let a = lhs.numeric, let b = rhs.numeric else { return nil }
      let sum = a + b
      return sum.isFinite ? ParsedValue(value: .double(sum), kind: .float, location: lhs.location) : nil
    }
  }

  /// Ruby's `-` on two numbers.
  static func subtract(_ lhs: ParsedValue, _ rhs: ParsedValue) -> ParsedValue? {
    if case .int(let a) = lhs.value, case .int(let b) = rhs.value {
      let (difference, overflow) = a.subtractingReportingOverflow(b)
      return overflow ? nil : ParsedValue(value: .int(difference), kind: .integer, location: lhs.location)
    }
    guard let a = lhs.numeric, let b = rhs.numeric else { return nil }
    let difference = a - b
    return difference.isFinite ? ParsedValue(value: .double(difference), kind: .float, location: lhs.location) : nil
  }

  private var numeric: Double? {
    switch value {
    case .int(let i): Double(i)
    case .double(let d): d
    default: nil
    }
  }

  /// Ruby's `==` between two literals (`'${f:x}' != "running"` is simply
  /// `true` in Ruby, which is what ruote stored).
  static func rubyEqual(_ lhs: ParsedValue, _ rhs: ParsedValue) -> Bool {
    let textual: Set<Kind> = [.string, .symbol, .regex]
    if textual.contains(lhs.kind) || textual.contains(rhs.kind) {
      return lhs.kind == rhs.kind && lhs.value == rhs.value
    }
    return looselyEqual(lhs.value, rhs.value)
  }

  /// JSON equality where `1 == 1.0`, as in Ruby.
  private static func looselyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
    case (.array(let x), .array(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { looselyEqual($0, $1) }
    default: return a == b
    }
  }
}
