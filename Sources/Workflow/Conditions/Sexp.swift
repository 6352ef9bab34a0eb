/// A parse-tree node shaped like ruby_parser 2.3.1's s-expressions, e.g.
/// `s(:call, nil, :a, s(:arglist))` for the bare word `a`.
///
/// The shape matters beyond evaluation: ruote turns calls into text by flattening
/// the tree (``Sexp/flattened()``), so the node labels and the order of the items
/// are what decide the text of `qa-vote` (`"qa- vote"`) or `pkg-1.2` (`"pkg-lit1.2"`).
struct Sexp: Sendable {
  var type: SexpType
  var items: [SexpItem]

  init(_ type: SexpType, _ items: [SexpItem] = []) {
    self.type = type
    self.items = items
  }

  /// Set on a node written in parentheses (ruby_parser's `paren`), which `and`/`or` chaining respects.
  var paren = false

  subscript(index: Int) -> SexpItem? {
    index < items.count ? items[index] : nil
  }

  func node(_ index: Int) -> Sexp? {
    if index < items.count, case .node(let n) = items[index] { return n }
    return nil
  }

  /// A bare word: `s(:call, nil, :name, s(:arglist))`.
  static func vcall(_ name: String) -> Sexp {
    Sexp(.call, [.none, .symbol(name), .node(Sexp(.arglist))])
  }

  /// A method call `s(:call, receiver, :name, s(:arglist, args...))`.
  static func call(_ receiver: Sexp?, _ name: String, _ args: [Sexp] = []) -> Sexp {
    Sexp(.call, [receiver.map { .node($0) } ?? .none, .symbol(name), .node(Sexp(.arglist, args.map { .node($0) }))])
  }

  /// ruby_parser's `s(...).inspect`-like text, for tests and diagnostics.
  var inspected: String {
    "s(" + ([":" + type.rawValue] + items.map(\.inspected)).joined(separator: ", ") + ")"
  }
}

/// One item of an s-expression after its label.
enum SexpItem: Sendable {
  case node(Sexp)
  /// Ruby `nil` in a node (a call without receiver, a missing else branch).
  case none
  /// A Ruby symbol: method names, variable names, symbol literals.
  case symbol(String)
  case string(String)
  case integer(Int)
  case float(Double)
  case regex(RubyRegex)
  case range(Int, Int, exclusive: Bool)

  var inspected: String {
    switch self {
    case .node(let n): n.inspected
    case .none: "nil"
    case .symbol(let s): ":" + s
    case .string(let s): RubyInspect.inspect(string: s)
    case .integer(let i): String(i)
    case .float(let d): RubyInspect.floatString(d)
    case .regex(let r): r.literal
    case .range(let a, let b, let exclusive): "\(a)\(exclusive ? "..." : "..")\(b)"
    }
  }
}

/// ruote's comparison operators (`!=` is `not ==` in ruby_parser 2.3.1's trees).
enum Comparison: Sendable {
  case equal, less, greater, lessOrEqual, greaterOrEqual, match
}

/// The node labels of ruby_parser 2.3.1 that this parser produces.
enum SexpType: String, Sendable {
  case call, arglist, lit, str, dstr, evstr, xstr, dxstr, dregx, dregxOnce = "dregx_once", dsym
  case const, colon2, colon3, ivar, gvar, cvar, lvar, nthRef = "nth_ref", backRef = "back_ref"
  case `nil`, `true`, `false`, `self`
  case not, and, or, array, hash, splat, blockPass = "block_pass"
  case match2, match3, dot2, dot3
  case lasgn, iasgn, gasgn, cvdecl, cdecl, attrasgn, opAsgnOr = "op_asgn_or", opAsgnAnd = "op_asgn_and"
  case `if`, `while`, until, rescue, resbody, block, begin, iter, defined
  case `return`, `break`, next, redo, retry, yield, `super`, zsuper
}

extension Sexp {
  /// ruote's flattening of a call into text: the tree written out depth-first, the
  /// labels `call`, `const`, `arglist` and `str` (and symbols with those names) left
  /// out, `nil` written as one space, everything else as Ruby's `to_s`; then trimmed.
  ///
  /// Returns the text and, when a comparison (`==`, `<`, `>`, `<=`, `>=`, `=~`) was
  /// flattened inside it, the byte range of the first comparison operator.
  func flattened() -> (text: [UInt8], comparison: (range: Range<Int>, op: Comparison)?) {
    var out: [UInt8] = []
    var comparison: (range: Range<Int>, op: Comparison)?
    appendFlattened(to: &out, comparison: &comparison, depth: 0)
    return (out, comparison)
  }

  /// The labels (and symbols) ruote's flattening leaves out.
  static func isDroppedLabel(_ s: String) -> Bool {
    s == "call" || s == "const" || s == "arglist" || s == "str"
  }

  /// The comparison a method name stands for, if it is one of ruote's comparators.
  static func comparison(_ name: String) -> Comparison? {
    let u = name.utf8
    guard let first = u.first, u.count <= 2 else { return nil }
    if u.count == 1 {
      return first == UInt8(ascii: "<") ? .less : (first == UInt8(ascii: ">") ? .greater : nil)
    }
    switch (first, u[u.index(after: u.startIndex)]) {
    case (UInt8(ascii: "="), UInt8(ascii: "=")): return .equal
    case (UInt8(ascii: "<"), UInt8(ascii: "=")): return .lessOrEqual
    case (UInt8(ascii: ">"), UInt8(ascii: "=")): return .greaterOrEqual
    case (UInt8(ascii: "="), UInt8(ascii: "~")): return .match
    default: return nil
    }
  }

  private func appendFlattened(
    to out: inout [UInt8], comparison: inout (range: Range<Int>, op: Comparison)?, depth: Int
  ) {
    if !Sexp.isDroppedLabel(type.rawValue) { out.append(contentsOf: type.rawValue.utf8) }
    guard depth < RubyParser.maxDepth else { return }
    for item in items {
      switch item {
      case .node(let n): n.appendFlattened(to: &out, comparison: &comparison, depth: depth + 1)
      case .none: out.append(0x20)
      case .symbol(let s):
        if Sexp.isDroppedLabel(s) { continue }
        let start = out.count
        out.append(contentsOf: s.utf8)
        if comparison == nil, let op = Sexp.comparison(s) {
          comparison = (start..<out.count, op)
        }
      case .string(let s): out.append(contentsOf: s.utf8)
      case .integer(let i): out.append(contentsOf: String(i).utf8)
      case .float(let d): RubyInspect.appendFloat(d, to: &out)
      case .regex(let r): out.append(contentsOf: r.rubyToS.utf8)
      case .range(let a, let b, let exclusive): out.append(contentsOf: "\(a)\(exclusive ? "..." : "..")\(b)".utf8)
      }
    }
  }
}
