/// A parse tree that the condition interpreter cannot give a value to (Ruby raised at run time).
struct RubyEvaluationError: Error, Sendable {
  var reason: String
}

/// ruote's tiny interpreter over ruby_parser trees (`Ruote::Exp::Condition.evl`):
/// literals are values, a constant is its name, `and`/`or`/`not` are Ruby's, a comparison
/// compares the values of its sides, and any other call is flattened into text
/// (``Sexp/flattened()``). Every other node (variables, assignments, `?:`, `A::B`, ...)
/// is an evaluation error.
enum RubyEvaluator {
  static func evaluate(_ node: Sexp?) throws(RubyEvaluationError) -> RubyValue {
    guard let node else { return .rubyNil }
    switch node.type {
    case .nil: return .rubyNil
    case .true: return .bool(true)
    case .false: return .bool(false)
    case .str:
      if case .some(.string(let s)) = node[0] { return .string(s) }
      return .string("")
    case .lit:
      switch node[0] {
      case .some(.integer(let i)): return .integer(i)
      case .some(.float(let d)): return .float(d)
      case .some(.symbol(let s)): return .symbol(s)
      case .some(.regex(let r)): return .regex(r)
      case .some(.range(let a, let b, let exclusive)): return .range(a, b, exclusive: exclusive)
      case .some(.string(let s)): return .string(s)
      default: return .rubyNil
      }
    case .const:
      if case .some(.symbol(let s)) = node[0] { return .string(s) }
      return .rubyNil
    case .array:
      var values: [RubyValue] = []
      values.reserveCapacity(node.items.count)
      for item in node.items {
        guard case .node(let element) = item else { throw unsupported(node) }
        values.append(try evaluate(element))
      }
      return .array(values)
    case .hash:
      var pairs: [(key: RubyValue, value: RubyValue)] = []
      var index = 0
      while index + 1 < node.items.count {
        guard case .node(let k) = node.items[index], case .node(let v) = node.items[index + 1] else {
          throw unsupported(node)
        }
        let key = try evaluate(k)
        let value = try evaluate(v)
        if let existing = pairs.firstIndex(where: { RubyValue.rubyEquals($0.key, key) }) {
          pairs[existing].value = value
        } else {
          pairs.append((key, value))
        }
        index += 2
      }
      return .hash(pairs)
    case .and:
      let left = try evaluate(node.node(0))
      return left.isTruthy ? try evaluate(node.node(1)) : left
    case .or:
      let left = try evaluate(node.node(0))
      return left.isTruthy ? left : try evaluate(node.node(1))
    case .not:
      return .bool(!(try evaluate(node.node(0)).isTruthy))
    case .call:
      return try evaluateCall(node)
    case .match2:
      guard let regex = literalRegex(node.node(0)) else { throw unsupported(node) }
      return try matchRegex(regex, against: try evaluate(node.node(1)), strict: true)
    case .match3:
      guard let regex = literalRegex(node.node(0)) else { throw unsupported(node) }
      return try matchRegex(regex, against: try evaluate(node.node(1)), strict: false)
    default:
      throw unsupported(node)
    }
  }

  private static func unsupported(_ node: Sexp) -> RubyEvaluationError {
    RubyEvaluationError(reason: "cannot evaluate a '\(node.type.rawValue)' expression")
  }

  private static func literalRegex(_ node: Sexp?) -> RubyRegex? {
    guard let node, node.type == .lit, case .some(.regex(let r)) = node[0] else { return nil }
    return r
  }

  private static func evaluateCall(_ node: Sexp) throws(RubyEvaluationError) -> RubyValue {
    if case .some(.node(let receiver)) = node[0], case .some(.symbol(let name)) = node[1],
      let op = Sexp.comparison(name)
    {
      let left = try evaluate(receiver)
      var right = RubyValue.rubyNil
      if let args = node.node(2), case .some(.node(let first)) = args[0] {
        right = try evaluate(first)
      }
      return try compare(op, left, right)
    }
    // A bare word `s(:call, nil, :name, s(:arglist))` flattens to its name.
    if case .some(.none) = node[0], case .some(.symbol(let name)) = node[1], let args = node.node(2),
      args.items.isEmpty, !Sexp.isDroppedLabel(name)
    {
      return .string(name)
    }
    let (text, comparison) = node.flattened()
    if let comparison {
      // A comparison inside a command call (`two words == "two words"`): cut the text there.
      let left = strip(text[..<comparison.range.lowerBound])
      let right = strip(text[comparison.range.upperBound...])
      return try compare(comparison.op, .string(left), .string(right))
    }
    return .string(strip(text[...]))
  }

  static func compare(_ op: Comparison, _ left: RubyValue, _ right: RubyValue) throws(RubyEvaluationError)
    -> RubyValue
  {
    switch op {
    case .equal: return .bool(RubyValue.rubyEquals(left, right))
    case .match:
      let pattern: RubyRegex
      switch right {
      case .regex(let r): pattern = r
      case .string(let s):
        pattern = RubyRegex(source: s)
        guard pattern.isValid else { throw RubyEvaluationError(reason: "invalid regular expression /\(s)/") }
      default:
        throw RubyEvaluationError(reason: "wrong argument type \(right.typeName) (expected Regexp)")
      }
      return try matchRegex(pattern, against: left, strict: false)
    case .less, .greater, .lessOrEqual, .greaterOrEqual:
      guard let order = RubyValue.rubyCompare(left, right) else {
        throw RubyEvaluationError(reason: "comparison of \(left.typeName) with \(right.typeName) failed")
      }
      switch op {
      case .less: return .bool(order < 0)
      case .greater: return .bool(order > 0)
      case .lessOrEqual: return .bool(order <= 0)
      default: return .bool(order >= 0)
      }
    }
  }

  /// `target =~ regex` (strict: `regex =~ target`, where Ruby refuses non-strings).
  private static func matchRegex(_ regex: RubyRegex, against target: RubyValue, strict: Bool)
    throws(RubyEvaluationError) -> RubyValue
  {
    switch target {
    case .string(let s), .symbol(let s):
      return regex.firstMatch(in: s).map { .integer($0) } ?? .rubyNil
    case .rubyNil:
      return .rubyNil
    default:
      if strict {
        throw RubyEvaluationError(reason: "no implicit conversion of \(target.typeName) into String")
      }
      return .rubyNil
    }
  }

  /// Ruby's `String#strip`.
  static func strip(_ bytes: ArraySlice<UInt8>) -> String {
    var low = bytes.startIndex
    var high = bytes.endIndex
    func isBlank(_ c: UInt8) -> Bool { c == 0 || RubyLexer.isSpace(c) }
    while low < high && isBlank(bytes[low]) { low += 1 }
    while high > low && isBlank(bytes[high - 1]) { high -= 1 }
    return String(decoding: bytes[low..<high], as: UTF8.self)
  }
}
