/// A value the condition interpreter computes, with Ruby's equality and ordering.
enum RubyValue: Sendable {
  case rubyNil
  case bool(Bool)
  case integer(Int)
  case float(Double)
  case string(String)
  case symbol(String)
  case regex(RubyRegex)
  case range(Int, Int, exclusive: Bool)
  case array([RubyValue])
  case hash([(key: RubyValue, value: RubyValue)])

  /// Ruby truthiness: everything but `nil` and `false`.
  var isTruthy: Bool {
    switch self {
    case .rubyNil, .bool(false): false
    default: true
    }
  }

  var isNil: Bool {
    if case .rubyNil = self { return true }
    return false
  }

  /// Ruby `==`: type-sensitive (`42 == "42"` is false) except between numbers (`5 == 5.0`).
  static func rubyEquals(_ lhs: RubyValue, _ rhs: RubyValue) -> Bool {
    switch (lhs, rhs) {
    case (.rubyNil, .rubyNil): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.integer(let a), .integer(let b)): return a == b
    case (.float(let a), .float(let b)): return a == b
    case (.integer(let a), .float(let b)), (.float(let b), .integer(let a)): return Double(a) == b
    case (.string(let a), .string(let b)): return sameBytes(a, b)
    case (.symbol(let a), .symbol(let b)): return a == b
    case (.regex(let a), .regex(let b)): return a == b
    case (.range(let a1, let b1, let e1), .range(let a2, let b2, let e2)): return a1 == a2 && b1 == b2 && e1 == e2
    case (.array(let a), .array(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { rubyEquals($0, $1) }
    case (.hash(let a), .hash(let b)):
      guard a.count == b.count else { return false }
      return a.allSatisfy { pair in
        b.contains { rubyEquals($0.key, pair.key) && rubyEquals($0.value, pair.value) }
      }
    default: return false
    }
  }

  /// Byte-wise string equality (Ruby compares bytes; Swift's `==` would unify canonical equivalents).
  static func sameBytes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && x.elementsEqual(y) } }
  }

  /// Ruby `<=>` for `<`, `>`, `<=`, `>=`: numbers with numbers, strings with strings (byte order);
  /// nil for anything else, where Ruby raises.
  static func rubyCompare(_ lhs: RubyValue, _ rhs: RubyValue) -> Int? {
    switch (lhs, rhs) {
    case (.integer(let a), .integer(let b)): return a < b ? -1 : (a == b ? 0 : 1)
    case (.float(let a), .float(let b)): return compare(a, b)
    case (.integer(let a), .float(let b)): return compare(Double(a), b)
    case (.float(let a), .integer(let b)): return compare(a, Double(b))
    case (.string(let a), .string(let b)):
      var ia = a.utf8.makeIterator()
      var ib = b.utf8.makeIterator()
      while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
        }
      }
    default: return nil
    }
  }

  private static func compare(_ a: Double, _ b: Double) -> Int? {
    if a.isNaN || b.isNaN { return nil }
    return a < b ? -1 : (a == b ? 0 : 1)
  }

  /// Ruby `include?` for the `in` form: arrays by element, hashes by key.
  func rubyIncludes(_ element: RubyValue) -> Bool? {
    switch self {
    case .array(let elements): return elements.contains { RubyValue.rubyEquals($0, element) }
    case .hash(let pairs): return pairs.contains { RubyValue.rubyEquals($0.key, element) }
    case .string(let s):
      // String#include? takes only a string.
      guard case .string(let needle) = element else { return nil }
      return needle.isEmpty
        || s.utf8.count >= needle.utf8.count && Array(s.utf8).containsSubsequence(Array(needle.utf8))
    case .range(let low, let high, let exclusive):
      let value: Double
      switch element {
      case .integer(let i): value = Double(i)
      case .float(let d): value = d
      default: return false
      }
      return value >= Double(low) && (exclusive ? value < Double(high) : value <= Double(high))
    default: return nil
    }
  }

  /// Ruby `empty?` where it exists (strings, arrays, hashes, symbols); nil otherwise.
  var rubyEmpty: Bool? {
    switch self {
    case .string(let s): s.isEmpty
    case .array(let a): a.isEmpty
    case .hash(let h): h.isEmpty
    case .symbol(let s): s.isEmpty
    default: nil
    }
  }

  /// A short type name for diagnostics.
  var typeName: String {
    switch self {
    case .rubyNil: "nil"
    case .bool: "boolean"
    case .integer: "Integer"
    case .float: "Float"
    case .string: "String"
    case .symbol: "Symbol"
    case .regex: "Regexp"
    case .range: "Range"
    case .array: "Array"
    case .hash: "Hash"
    }
  }
}

extension Array where Element == UInt8 {
  func containsSubsequence(_ needle: [UInt8]) -> Bool {
    if needle.isEmpty { return true }
    guard needle.count <= count else { return false }
    for start in 0...(count - needle.count) where self[start] == needle[0] {
      if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
  }
}
