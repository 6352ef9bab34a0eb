// A recursive-descent parser for the Ruby 1.8 expression grammar as ruby_parser 2.3.1
// implements it, producing its s-expressions. It covers what a condition can contain:
// literals, bare words and command calls (`two words == "x"` is `two(words == "x")`),
// operators with Ruby's precedence (`==` is non-associative), `and`/`or`/`not`,
// arrays, hashes, regexps, assignments, the ternary, modifiers and the simple
// keyword forms. Anything else is a grammar error, as it was for ruby_parser.

/// Why a text did not parse: the tokenizer refused it, or the grammar did.
enum RubyParseFailure: Error, Sendable {
  /// ruby_parser's lexer raised (a Ruby `SyntaxError`): ruote then compares the raw text.
  case lexer(String, offset: Int)
  /// Racc rejected the token sequence: ruote then answers false.
  case grammar(String, offset: Int)

  var message: String {
    switch self {
    case .lexer(let m, _), .grammar(let m, _): m
    }
  }
}

struct RubyParser {
  /// Nesting deeper than this is refused as a grammar error (keeps the stack bounded).
  static let maxDepth = 100

  private var lexer: RubyLexer
  private var lookahead: Token?
  private var depth = 0

  init(_ source: ArraySlice<UInt8>, range: Range<Int>? = nil) {
    lexer = RubyLexer(source, range: range)
  }

  /// Parses a whole program; nil for an empty one (blank text or only comments).
  static func parse(_ source: ArraySlice<UInt8>) throws(RubyParseFailure) -> Sexp? {
    var parser = RubyParser(source)
    return try parser.program()
  }

  mutating func program() throws(RubyParseFailure) -> Sexp? {
    let body = try compstmt()
    let t = try peek()
    guard t.kind == .eof else { throw unexpected(t) }
    return body
  }

  // MARK: - Tokens

  private mutating func peek() throws(RubyParseFailure) -> Token {
    if let lookahead { return lookahead }
    do {
      let t = try lexer.next()
      lookahead = t
      return t
    } catch {
      throw .lexer(error.message, offset: error.offset)
    }
  }

  @discardableResult
  private mutating func advance() throws(RubyParseFailure) -> Token {
    let t = try peek()
    lookahead = nil
    return t
  }

  private func unexpected(_ t: Token) -> RubyParseFailure {
    let what: String
    switch t.kind {
    case .eof: what = "end of input"
    case .nl: what = "end of line"
    case .keyword: what = "keyword '" + lexer.name(t) + "'"
    default: what = "'" + String(decoding: lexer.src[t.start..<max(t.start, t.nameEnd)], as: UTF8.self) + "'"
    }
    return .grammar("syntax error, unexpected " + what, offset: t.start)
  }

  private mutating func expect(_ kind: TokenKind) throws(RubyParseFailure) {
    let t = try advance()
    guard t.kind == kind else { throw unexpected(t) }
  }

  private mutating func expectKeyword(_ keyword: Keyword) throws(RubyParseFailure) {
    let t = try advance()
    guard t.kind == .keyword && t.keyword == keyword else { throw unexpected(t) }
  }

  private mutating func isKeyword(_ keyword: Keyword) throws(RubyParseFailure) -> Bool {
    let t = try peek()
    return t.kind == .keyword && t.keyword == keyword
  }

  private mutating func skipNewlines() throws(RubyParseFailure) {
    while try peek().kind == .nl { try advance() }
  }

  private mutating func skipTerms() throws(RubyParseFailure) {
    while true {
      let k = try peek().kind
      guard k == .nl || k == .semi else { return }
      try advance()
    }
  }

  private mutating func enter(_ t: Token) throws(RubyParseFailure) {
    depth += 1
    if depth > RubyParser.maxDepth { throw .grammar("expression nested too deeply", offset: t.start) }
  }

  // MARK: - Statements

  private static let statementEnders: Set<Keyword> = [.kEND, .kELSE, .kELSIF, .kWHEN, .kENSURE, .kRESCUE, .kTHEN, .kDO]

  private mutating func compstmt() throws(RubyParseFailure) -> Sexp? {
    var statements: [Sexp] = []
    try skipTerms()
    while true {
      let t = try peek()
      switch t.kind {
      case .eof, .rparen, .rbrack, .rcurly: break
      case .keyword where RubyParser.statementEnders.contains(t.keyword): break
      default:
        statements.append(try stmt())
        let k = try peek().kind
        if k == .nl || k == .semi {
          try skipTerms()
          continue
        }
      }
      break
    }
    switch statements.count {
    case 0: return nil
    case 1: return statements[0]
    default: return Sexp(.block, statements.map { .node($0) })
    }
  }

  private mutating func stmt() throws(RubyParseFailure) -> Sexp {
    var node = try expr()
    let outer = depth
    defer { depth = outer }
    while true {
      let t = try peek()
      guard t.kind == .keyword else { return node }
      try enter(t)
      switch t.keyword {
      case .kIF_MOD:
        try advance()
        node = Sexp(.if, [.node(try expr()), .node(node), .none])
      case .kUNLESS_MOD:
        try advance()
        node = Sexp(.if, [.node(try expr()), .none, .node(node)])
      case .kWHILE_MOD:
        try advance()
        node = Sexp(.while, [.node(try expr()), .node(node), .symbol("true")])
      case .kUNTIL_MOD:
        try advance()
        node = Sexp(.until, [.node(try expr()), .node(node), .symbol("true")])
      case .kRESCUE_MOD:
        try advance()
        let rescue = try expr()
        node = Sexp(.rescue, [.node(node), .node(Sexp(.resbody, [.node(Sexp(.array)), .node(rescue)]))])
      default:
        return node
      }
    }
  }

  /// `expr: expr and expr | expr or expr | not expr | ! command_call | arg | command_call`.
  private mutating func expr() throws(RubyParseFailure) -> Sexp {
    var left = try notExpr()
    let outer = depth
    defer { depth = outer }
    while true {
      let t = try peek()
      guard t.kind == .keyword, t.keyword == .kAND || t.keyword == .kOR else { return left }
      // Each operator deepens the tree: count it against the nesting limit.
      try enter(t)
      try advance()
      let right = try notExpr()
      left = RubyParser.logop(t.keyword == .kAND ? .and : .or, left, right)
    }
  }

  private mutating func notExpr() throws(RubyParseFailure) -> Sexp {
    let t = try peek()
    if t.kind == .keyword && t.keyword == .kNOT {
      try advance()
      try enter(t)
      defer { depth -= 1 }
      return Sexp(.not, [.node(try notExpr())])
    }
    return try arg(0, commandAllowed: true).node
  }

  /// ruby_parser's `logop`: `a and b and c` nests to the right unless the left side was parenthesised.
  static func logop(_ type: SexpType, _ left: Sexp, _ right: Sexp) -> Sexp {
    guard left.type == type && !left.paren else { return Sexp(type, [.node(left), .node(right)]) }
    var chain: [Sexp] = [left]
    while let last = chain.last, let second = last.node(1), second.type == type && !second.paren {
      chain.append(second)
    }
    var rebuilt = chain.removeLast()
    let tail = rebuilt.node(1)
    rebuilt.items[1] = .node(Sexp(type, [tail.map { .node($0) } ?? .none, .node(right)]))
    while var outer = chain.popLast() {
      outer.items[1] = .node(rebuilt)
      rebuilt = outer
    }
    return rebuilt
  }

  // MARK: - Operators

  private enum Assoc { case left, right, nonassoc }

  private static func binary(_ kind: TokenKind) -> (prec: Int, assoc: Assoc)? {
    switch kind {
    case .dot2, .dot3: (2, .nonassoc)
    case .orop: (3, .left)
    case .andop: (4, .left)
    case .cmp, .eq, .eqq, .neq, .match, .nmatch: (5, .nonassoc)
    case .gt, .geq, .lt, .leq: (6, .left)
    case .pipe, .caret: (7, .left)
    case .amper2: (8, .left)
    case .lshft, .rshft: (9, .left)
    case .plus, .minus: (10, .left)
    case .star2, .divide, .percent: (11, .left)
    case .pow: (13, .right)
    default: nil
    }
  }

  private static let ternaryPrec = 1
  private static let unaryMinusPrec = 12
  private static let powPrec = 13
  private static let bangPrec = 14

  private static func operatorName(_ kind: TokenKind) -> String {
    switch kind {
    case .dot2: ".."
    case .dot3: "..."
    case .orop: "||"
    case .andop: "&&"
    case .cmp: "<=>"
    case .eq: "=="
    case .eqq: "==="
    case .neq: "!="
    case .match: "=~"
    case .nmatch: "!~"
    case .gt: ">"
    case .geq: ">="
    case .lt: "<"
    case .leq: "<="
    case .pipe: "|"
    case .caret: "^"
    case .amper2: "&"
    case .lshft: "<<"
    case .rshft: ">>"
    case .plus: "+"
    case .minus: "-"
    case .star2: "*"
    case .divide: "/"
    case .percent: "%"
    case .pow: "**"
    default: ""
    }
  }

  /// Precedence climbing over `arg`; a command (a call with unparenthesised arguments) is
  /// only accepted where the grammar allows one, and nothing binary may follow it.
  private mutating func arg(_ minPrec: Int, commandAllowed: Bool) throws(RubyParseFailure) -> (
    node: Sexp, isCommand: Bool
  ) {
    let first = try peek()
    try enter(first)
    defer { depth -= 1 }
    var (left, isCommand) = try unary(commandAllowed: commandAllowed)
    if isCommand { return (left, true) }
    let outer = depth
    defer { depth = outer }
    while true {
      let t = try peek()
      if t.kind == .eh || RubyParser.binary(t.kind) != nil { try enter(t) }
      if t.kind == .eh {
        guard RubyParser.ternaryPrec >= minPrec else { break }
        try advance()
        try skipNewlines()
        let then = try arg(0, commandAllowed: false).node
        try skipNewlines()
        try expect(.colon)
        try skipNewlines()
        let otherwise = try arg(RubyParser.ternaryPrec, commandAllowed: false).node
        left = Sexp(.if, [.node(left), .node(then), .node(otherwise)])
        continue
      }
      guard let (prec, assoc) = RubyParser.binary(t.kind), prec >= minPrec else { break }
      try advance()
      let right = try arg(assoc == .right ? prec : prec + 1, commandAllowed: false).node
      left = RubyParser.binaryNode(t.kind, left, right)
      if assoc == .nonassoc, let next = RubyParser.binary(try peek().kind), next.prec == prec {
        throw unexpected(try peek())
      }
    }
    return (left, false)
  }

  private static func binaryNode(_ kind: TokenKind, _ left: Sexp, _ right: Sexp) -> Sexp {
    switch kind {
    case .andop: return logop(.and, left, right)
    case .orop: return logop(.or, left, right)
    case .neq: return Sexp(.not, [.node(.call(left, "==", [right]))])
    case .match: return matchNode(left, right)
    case .nmatch: return Sexp(.not, [.node(matchNode(left, right))])
    case .dot2, .dot3:
      if case .some(.integer(let a)) = left[0], left.type == .lit, case .some(.integer(let b)) = right[0],
        right.type == .lit
      {
        return Sexp(.lit, [.range(a, b, exclusive: kind == .dot3)])
      }
      return Sexp(kind == .dot2 ? .dot2 : .dot3, [.node(left), .node(right)])
    default: return .call(left, operatorName(kind), [right])
    }
  }

  /// ruby_parser's `get_match_node`: a regexp literal on either side makes a match2/match3 node.
  static func matchNode(_ left: Sexp, _ right: Sexp) -> Sexp {
    func isRegex(_ n: Sexp) -> Bool {
      if n.type == .dregx || n.type == .dregxOnce { return true }
      if n.type == .lit, case .some(.regex) = n[0] { return true }
      return false
    }
    if isRegex(left) { return Sexp(.match2, [.node(left), .node(right)]) }
    if isRegex(right) { return Sexp(.match3, [.node(right), .node(left)]) }
    return .call(left, "=~", [right])
  }

  private mutating func unary(commandAllowed: Bool) throws(RubyParseFailure) -> (node: Sexp, isCommand: Bool) {
    let t = try peek()
    switch t.kind {
    case .bang:
      try advance()
      try enter(t)
      defer { depth -= 1 }
      let (operand, isCommand) = try unary(commandAllowed: commandAllowed)
      return (Sexp(.not, [.node(operand)]), isCommand)
    case .uminusNum:
      try advance()
      let number = try advance()
      let literal: Sexp
      switch number.kind {
      case .integer: literal = Sexp(.lit, [.integer(number.integer)])
      case .float: literal = Sexp(.lit, [.float(number.float)])
      default: throw unexpected(number)
      }
      if try peek().kind == .pow {
        try advance()
        let exponent = try arg(RubyParser.powPrec, commandAllowed: false).node
        return (.call(.call(literal, "**", [exponent]), "-@"), false)
      }
      var negative = literal
      if case .some(.integer(let i)) = literal[0] { negative = Sexp(.lit, [.integer(-i)]) }
      if case .some(.float(let d)) = literal[0] { negative = Sexp(.lit, [.float(-d)]) }
      return (try postfix(negative, commandAllowed: false).node, false)
    case .uminus:
      try advance()
      let operand = try arg(RubyParser.unaryMinusPrec, commandAllowed: false).node
      return (.call(operand, "-@"), false)
    case .uplus:
      try advance()
      let operand = try arg(RubyParser.bangPrec, commandAllowed: false).node
      return (.call(operand, "+@"), false)
    case .tilde:
      try advance()
      let operand = try arg(RubyParser.bangPrec, commandAllowed: false).node
      return (.call(operand, "~"), false)
    case .keyword where t.keyword == .kDEFINED:
      try advance()
      let operand: Sexp
      let k = try peek().kind
      if k == .lparen || k == .lparen2 || k == .lparenArg {
        try advance()
        operand = try expr()
        try skipNewlines()
        try expect(.rparen)
      } else {
        operand = try arg(RubyParser.ternaryPrec, commandAllowed: false).node
      }
      return (Sexp(.defined, [.node(operand)]), false)
    default:
      return try primaryWithPostfix(commandAllowed: commandAllowed)
    }
  }

  // MARK: - Primaries

  private mutating func primaryWithPostfix(commandAllowed: Bool) throws(RubyParseFailure) -> (
    node: Sexp, isCommand: Bool
  ) {
    let (base, isCommand) = try primary(commandAllowed: commandAllowed)
    if isCommand { return (base, true) }
    let (node, command) = try postfix(base, commandAllowed: commandAllowed)
    if command { return (node, true) }
    return (try assignment(node, commandAllowed: commandAllowed), false)
  }

  private static let methodOperators: [TokenKind: String] = [
    .plus: "+", .minus: "-", .star2: "*", .star: "*", .divide: "/", .percent: "%", .pow: "**",
    .eq: "==", .eqq: "===", .match: "=~", .cmp: "<=>", .lt: "<", .gt: ">", .leq: "<=", .geq: ">=",
    .lshft: "<<", .rshft: ">>", .pipe: "|", .caret: "^", .amper2: "&", .amper: "&", .tilde: "~",
    .uplus: "+@", .uminus: "-@", .aref: "[]", .aset: "[]=", .backtick: "`",
  ]

  /// Method calls, `::`, indexing and blocks after a primary.
  private mutating func postfix(_ base: Sexp, commandAllowed: Bool) throws(RubyParseFailure) -> (
    node: Sexp, isCommand: Bool
  ) {
    var node = base
    let outer = depth
    defer { depth = outer }
    while true {
      let t = try peek()
      switch t.kind {
      case .dot, .colon2, .lbrack2, .lcurly: try enter(t)
      default: break
      }
      switch t.kind {
      case .dot, .colon2:
        try advance()
        let nameToken = try advance()
        let name: String
        switch nameToken.kind {
        case .identifier, .fid: name = lexer.name(nameToken)
        case .constant:
          name = lexer.name(nameToken)
          if t.kind == .colon2 {
            let next = try peek()
            if next.kind == .lparen2 {
              node = .call(node, name)
              node.items[2] = .node(try parenArgs())
              continue
            }
            if commandAllowed && RubyParser.canStartArgument(next) {
              return (Sexp(.call, [.node(node), .symbol(name), .node(try callArgs())]), true)
            }
            node = Sexp(.colon2, [.node(node), .symbol(name)])
            continue
          }
        case .keyword: name = lexer.name(nameToken)
        default:
          guard let op = RubyParser.methodOperators[nameToken.kind], t.kind == .dot else { throw unexpected(nameToken) }
          name = op
        }
        let next = try peek()
        if next.kind == .lparen2 {
          node = Sexp(.call, [.node(node), .symbol(name), .node(try parenArgs())])
        } else if commandAllowed && RubyParser.canStartArgument(next) {
          return (Sexp(.call, [.node(node), .symbol(name), .node(try callArgs())]), true)
        } else {
          node = .call(node, name)
        }
      case .lbrack2:
        try advance()
        let args = try arefArgs(close: .rbrack)
        node = Sexp(.call, [.node(node), .symbol("[]"), .node(Sexp(.arglist, args))])
      case .lcurly:
        guard node.type == .call else { throw unexpected(t) }
        try advance()
        if try peek().kind == .pipe { throw .grammar("block parameters are not supported", offset: t.start) }
        let body = try compstmt()
        try expect(.rcurly)
        node = Sexp(.iter, [.node(node), .none, body.map { .node($0) } ?? .none])
      default:
        return (node, false)
      }
    }
  }

  private mutating func assignment(_ target: Sexp, commandAllowed: Bool) throws(RubyParseFailure) -> Sexp {
    let t = try peek()
    guard t.kind == .eql || t.kind == .opAsgn else { return target }
    // Work out the target before reading on: a new local variable changes how later words lex.
    var name: String?
    var lhsType: SexpType?
    switch target.type {
    case .call where target[0].map({ if case .none = $0 { true } else { false } }) == true:
      if case .some(.symbol(let s)) = target[1], let args = target.node(2), args.items.isEmpty,
        let c = s.utf8.first, !(c >= 0x41 && c <= 0x5A), !s.hasSuffix("?"), !s.hasSuffix("!")
      {
        name = s
        lhsType = .lasgn
      }
    case .lvar: if case .some(.symbol(let s)) = target[0] { (name, lhsType) = (s, .lasgn) }
    case .ivar: if case .some(.symbol(let s)) = target[0] { (name, lhsType) = (s, .iasgn) }
    case .gvar: if case .some(.symbol(let s)) = target[0] { (name, lhsType) = (s, .gasgn) }
    case .cvar: if case .some(.symbol(let s)) = target[0] { (name, lhsType) = (s, .cvdecl) }
    case .const: if case .some(.symbol(let s)) = target[0] { (name, lhsType) = (s, .cdecl) }
    default: break
    }
    let isAttribute =
      target.type == .call && target[0].map({ if case .none = $0 { false } else { true } }) == true
      && (target.node(2)?.items.isEmpty == true
        || target[1].map({ if case .symbol("[]") = $0 { true } else { false } })
          == true)
    guard lhsType != nil || isAttribute || target.type == .colon2 else { throw unexpected(t) }
    try advance()
    if lhsType == .lasgn, let name { lexer.lvars.insert(name) }
    let (value, _) = try arg(0, commandAllowed: commandAllowed && t.kind == .eql)
    var rhs = value
    if t.kind == .opAsgn, let name, lhsType == .lasgn {
      let current = Sexp(.lvar, [.symbol(name)])
      switch lexer.name(t) {
      case "||": return Sexp(.opAsgnOr, [.node(current), .node(Sexp(.lasgn, [.symbol(name), .node(rhs)]))])
      case "&&": return Sexp(.opAsgnAnd, [.node(current), .node(Sexp(.lasgn, [.symbol(name), .node(rhs)]))])
      default: rhs = .call(current, lexer.name(t), [rhs])
      }
    }
    if let lhsType, let name { return Sexp(lhsType, [.symbol(name), .node(rhs)]) }
    if target.type == .colon2 { return Sexp(.cdecl, [.node(target), .node(rhs)]) }
    // attribute or index assignment
    var args = target.node(2)?.items ?? []
    args.append(.node(rhs))
    var method = "[]="
    if case .some(.symbol(let s)) = target[1], s != "[]" { method = s + "=" }
    return Sexp(.attrasgn, [target[0] ?? .none, .symbol(method), .node(Sexp(.arglist, args))])
  }

  /// Tokens that can begin an argument of a command call (`a b`, `a :b`, `a -1`, `a [1]`).
  static func canStartArgument(_ t: Token) -> Bool {
    switch t.kind {
    case .identifier, .constant, .fid, .ivar, .gvar, .cvar, .nthRef, .backRef, .integer, .float, .string,
      .xstring, .regexp, .words, .qwords, .symbeg, .dsym, .lbrack, .lparenArg, .uminus, .uminusNum, .uplus,
      .star, .amper, .colon3, .bang, .tilde:
      return true
    case .keyword:
      switch t.keyword {
      case .kNIL, .kTRUE, .kFALSE, .kSELF, .kDEFINED, .k__FILE__, .k__LINE__, .kBEGIN, .kCASE, .kIF, .kUNLESS,
        .kWHILE, .kUNTIL, .kYIELD, .kSUPER:
        return true
      default: return false
      }
    default:
      return false
    }
  }

  private mutating func primary(commandAllowed: Bool) throws(RubyParseFailure) -> (node: Sexp, isCommand: Bool) {
    let t = try advance()
    switch t.kind {
    case .integer: return (Sexp(.lit, [.integer(t.integer)]), false)
    case .float: return (Sexp(.lit, [.float(t.float)]), false)
    case .string:
      if t.literal == Token.simpleString, try peek().kind != .string {
        return (Sexp(.str, [.string(lexer.simpleString(t))]), false)
      }
      var parts = lexer.parts(t)
      while try peek().kind == .string { parts += lexer.parts(try advance()) }
      return (try stringNode(parts, plain: .str, interpolated: .dstr), false)
    case .xstring: return (try stringNode(lexer.literals[t.literal].parts, plain: .xstr, interpolated: .dxstr), false)
    case .regexp: return (try regexNode(t), false)
    case .words, .qwords:
      var elements: [SexpItem] = []
      for word in lexer.literals[t.literal].words {
        elements.append(.node(try stringNode(word, plain: .str, interpolated: .dstr)))
      }
      return (Sexp(.array, elements), false)
    case .symbeg:
      let nameToken = try advance()
      switch nameToken.kind {
      case .identifier, .constant, .fid, .ivar, .gvar, .cvar, .keyword:
        return (Sexp(.lit, [.symbol(lexer.name(nameToken))]), false)
      default:
        if let op = RubyParser.methodOperators[nameToken.kind] { return (Sexp(.lit, [.symbol(op)]), false) }
        throw unexpected(nameToken)
      }
    case .dsym:
      let node = try stringNode(lexer.literals[t.literal].parts, plain: .str, interpolated: .dsym)
      if node.type == .str, case .some(.string(let s)) = node[0] { return (Sexp(.lit, [.symbol(s)]), false) }
      return (node, false)
    case .lbrack:
      return (Sexp(.array, try arefArgs(close: .rbrack)), false)
    case .lbrace:
      return (try hashLiteral(), false)
    case .lparen:
      try enter(t)
      defer { depth -= 1 }
      let body = try compstmt()
      try expect(.rparen)
      var node = body ?? Sexp(.nil)
      node.paren = true
      return (node, false)
    case .lparenArg:
      try enter(t)
      defer { depth -= 1 }
      if try peek().kind == .rparen {
        try advance()
        return (Sexp(.nil), false)
      }
      var node = try expr()
      try skipNewlines()
      try expect(.rparen)
      node.paren = true
      return (node, false)
    case .identifier, .constant, .fid:
      let name = lexer.name(t)
      let next = try peek()
      if next.kind == .lparen2 {
        var call = Sexp.call(nil, name)
        call.items[2] = .node(try parenArgs())
        return (call, false)
      }
      if t.kind == .identifier && !lexer.lvars.isEmpty && lexer.lvars.contains(name) {
        return (Sexp(.lvar, [.symbol(name)]), false)
      }
      if commandAllowed && RubyParser.canStartArgument(next) {
        return (Sexp(.call, [.none, .symbol(name), .node(try callArgs())]), true)
      }
      if t.kind == .constant { return (Sexp(.const, [.symbol(name)]), false) }
      return (.vcall(name), false)
    case .ivar: return (Sexp(.ivar, [.symbol(lexer.name(t))]), false)
    case .gvar: return (Sexp(.gvar, [.symbol(lexer.name(t))]), false)
    case .cvar: return (Sexp(.cvar, [.symbol(lexer.name(t))]), false)
    case .nthRef: return (Sexp(.nthRef, [.integer(t.integer)]), false)
    case .backRef: return (Sexp(.backRef, [.symbol(lexer.name(t))]), false)
    case .colon3:
      let name = try advance()
      guard name.kind == .constant else { throw unexpected(name) }
      return (Sexp(.colon3, [.symbol(lexer.name(name))]), false)
    case .keyword:
      return (try keywordPrimary(t), false)
    default:
      throw unexpected(t)
    }
  }

  private mutating func keywordPrimary(_ t: Token) throws(RubyParseFailure) -> Sexp {
    switch t.keyword {
    case .kNIL: return Sexp(.nil)
    case .kTRUE: return Sexp(.true)
    case .kFALSE: return Sexp(.false)
    case .kSELF: return Sexp(.self)
    case .k__FILE__: return Sexp(.str, [.string("(string)")])
    case .k__LINE__: return Sexp(.lit, [.integer(1)])
    case .kREDO: return Sexp(.redo)
    case .kRETRY: return Sexp(.retry)
    case .kRETURN, .kBREAK, .kNEXT:
      let type: SexpType = t.keyword == .kRETURN ? .return : (t.keyword == .kBREAK ? .break : .next)
      guard RubyParser.canStartArgument(try peek()) else { return Sexp(type) }
      let args = try callArgs().items
      if args.count == 1 { return Sexp(type, args) }
      return Sexp(type, [.node(Sexp(.array, args))])
    case .kYIELD, .kSUPER:
      let next = try peek()
      var args: [SexpItem]?
      if next.kind == .lparen2 {
        args = try parenArgs().items
      } else if RubyParser.canStartArgument(next) {
        args = try callArgs().items
      }
      if t.keyword == .kYIELD { return Sexp(.yield, args ?? []) }
      guard let args else { return Sexp(.zsuper) }
      return Sexp(.super, args)
    case .kBEGIN:
      try enter(t)
      defer { depth -= 1 }
      let body = try compstmt()
      try expectKeyword(.kEND)
      return Sexp(.begin, [body.map { .node($0) } ?? .none])
    case .kIF, .kUNLESS:
      try enter(t)
      defer { depth -= 1 }
      let condition = try expr()
      try then()
      let body = try compstmt()
      let otherwise = try elseChain()
      try expectKeyword(.kEND)
      if t.keyword == .kUNLESS {
        return Sexp(.if, [.node(condition), otherwise.map { .node($0) } ?? .none, body.map { .node($0) } ?? .none])
      }
      return Sexp(.if, [.node(condition), body.map { .node($0) } ?? .none, otherwise.map { .node($0) } ?? .none])
    case .kWHILE, .kUNTIL:
      try enter(t)
      defer { depth -= 1 }
      let condition = try expr()
      if try isKeyword(.kDO) {
        try advance()
      } else {
        let k = try peek().kind
        guard k == .nl || k == .semi else { throw unexpected(try peek()) }
        try skipTerms()
      }
      let body = try compstmt()
      try expectKeyword(.kEND)
      return Sexp(
        t.keyword == .kWHILE ? .while : .until,
        [.node(condition), body.map { .node($0) } ?? .none, .symbol("true")])
    default:
      throw unexpected(t)
    }
  }

  /// `then`: terms, `then`, terms followed by `then`, or `:` (Ruby 1.8).
  private mutating func then() throws(RubyParseFailure) {
    let t = try peek()
    if t.kind == .colon {
      try advance()
      return
    }
    if t.kind == .nl || t.kind == .semi {
      try skipTerms()
      if try isKeyword(.kTHEN) { try advance() }
      return
    }
    try expectKeyword(.kTHEN)
  }

  private mutating func elseChain() throws(RubyParseFailure) -> Sexp? {
    if try isKeyword(.kELSIF) {
      try advance()
      let condition = try expr()
      try then()
      let body = try compstmt()
      let otherwise = try elseChain()
      return Sexp(.if, [.node(condition), body.map { .node($0) } ?? .none, otherwise.map { .node($0) } ?? .none])
    }
    if try isKeyword(.kELSE) {
      try advance()
      return try compstmt()
    }
    return nil
  }

  // MARK: - Arguments and collection literals

  private mutating func parenArgs() throws(RubyParseFailure) -> Sexp {
    try expect(.lparen2)
    if try peek().kind == .rparen {
      try advance()
      return Sexp(.arglist)
    }
    let args = try callArgs()
    try skipNewlines()
    try expect(.rparen)
    return args
  }

  /// `call_args`: positional arguments, `k => v` pairs (collected into one hash), `*splat`,
  /// `&block`; a command is allowed as the only argument (`a b c` is `a(b(c))`).
  private mutating func callArgs() throws(RubyParseFailure) -> Sexp {
    var items: [SexpItem] = []
    var pairs: [SexpItem] = []
    var blockPass: Sexp?
    var first = true
    while true {
      let t = try peek()
      if t.kind == .star {
        try advance()
        items.append(.node(Sexp(.splat, [.node(try arg(0, commandAllowed: false).node)])))
      } else if t.kind == .amper {
        try advance()
        blockPass = Sexp(.blockPass, [.node(try arg(0, commandAllowed: false).node)])
        break
      } else if try argumentOrPair(first: first, token: t, items: &items, pairs: &pairs) {
        break
      }
      first = false
      guard try peek().kind == .comma else { break }
      try advance()
    }
    if !pairs.isEmpty { items.append(.node(Sexp(.hash, pairs))) }
    if let blockPass { items.append(.node(blockPass)) }
    return Sexp(.arglist, items)
  }

  /// One argument of a list: a plain value goes to `items`, `key => value` to
  /// `pairs` (which must come last); true when it was a command call, which
  /// ends the list.
  private mutating func argumentOrPair(
    first: Bool, token: Token, items: inout [SexpItem], pairs: inout [SexpItem]
  ) throws(RubyParseFailure) -> Bool {
    let (value, isCommand) = try arg(0, commandAllowed: first)
    if isCommand {
      items.append(.node(value))
      return true
    }
    if try peek().kind == .assoc {
      try advance()
      pairs.append(.node(value))
      pairs.append(.node(try arg(0, commandAllowed: false).node))
    } else {
      guard pairs.isEmpty else { throw unexpected(token) }
      items.append(.node(value))
    }
    return false
  }

  /// `aref_args` up to `close` (array literals and indexing); a trailing comma is allowed.
  private mutating func arefArgs(close: TokenKind) throws(RubyParseFailure) -> [SexpItem] {
    var items: [SexpItem] = []
    var pairs: [SexpItem] = []
    var first = true
    if try peek().kind == close {
      try advance()
      return []
    }
    while true {
      let t = try peek()
      if t.kind == .star {
        try advance()
        items.append(.node(Sexp(.splat, [.node(try arg(0, commandAllowed: false).node)])))
      } else if try argumentOrPair(first: first, token: t, items: &items, pairs: &pairs) {
        break
      }
      first = false
      guard try peek().kind == .comma else { break }
      try advance()
      if try peek().kind == close { break }
    }
    if !pairs.isEmpty { items.append(.node(Sexp(.hash, pairs))) }
    try skipNewlines()
    try expect(close)
    return items
  }

  /// `{ k => v, ... }` or Ruby 1.8's `{ k, v, ... }`.
  private mutating func hashLiteral() throws(RubyParseFailure) -> Sexp {
    if try peek().kind == .rcurly {
      try advance()
      return Sexp(.hash)
    }
    var items: [SexpItem] = []
    var usesPairs: Bool?
    while true {
      let key = try arg(0, commandAllowed: false).node
      let t = try peek()
      if t.kind == .assoc {
        guard usesPairs != false else { throw unexpected(t) }
        usesPairs = true
        try advance()
        items.append(.node(key))
        items.append(.node(try arg(0, commandAllowed: false).node))
      } else {
        guard usesPairs != true else { throw unexpected(t) }
        usesPairs = false
        items.append(.node(key))
      }
      guard try peek().kind == .comma else { break }
      try advance()
      if try peek().kind == .rcurly { break }
    }
    try skipNewlines()
    let closing = try peek()
    try expect(.rcurly)
    if items.count % 2 != 0 { throw .grammar("odd number list for Hash", offset: closing.start) }
    return Sexp(.hash, items)
  }

  // MARK: - String-like literals

  private mutating func stringNode(_ parts: [StringPart], plain: SexpType, interpolated: SexpType)
    throws(RubyParseFailure) -> Sexp
  {
    var pieces: [SexpItem] = []
    var text: [UInt8] = []
    var hasCode = false
    /// Ends the literal text before an interpolation: the first piece is a bare string, later ones `str` nodes.
    func flushText() {
      if hasCode {
        if !text.isEmpty { pieces.append(.node(Sexp(.str, [.string(String(decoding: text, as: UTF8.self))]))) }
      } else {
        pieces.append(.string(String(decoding: text, as: UTF8.self)))
      }
      text = []
      hasCode = true
    }
    for part in parts {
      switch part {
      case .text(let bytes):
        text += bytes
      case .code(let range):
        flushText()
        var inner = RubyParser(lexer.src, range: range)
        inner.depth = depth + 1
        let code = try inner.program()
        pieces.append(.node(Sexp(.evstr, code.map { [.node($0)] } ?? [])))
      case .variable(let name):
        flushText()
        let type: SexpType = name.hasPrefix("$") ? .gvar : (name.hasPrefix("@@") ? .cvar : .ivar)
        pieces.append(.node(Sexp(.evstr, [.node(Sexp(type, [.symbol(name)]))])))
      }
    }
    if !hasCode { return Sexp(plain, [.string(String(decoding: text, as: UTF8.self))]) }
    if !text.isEmpty { pieces.append(.node(Sexp(.str, [.string(String(decoding: text, as: UTF8.self))]))) }
    return Sexp(interpolated, pieces)
  }

  private mutating func regexNode(_ t: Token) throws(RubyParseFailure) -> Sexp {
    let literal = lexer.literals[t.literal]
    let node = try stringNode(
      literal.parts, plain: .lit, interpolated: literal.regexFlags.contains("o") ? .dregxOnce : .dregx)
    guard node.type == .lit, case .some(.string(let source)) = node[0] else { return node }
    let regex = RubyRegex(source: source, flags: literal.regexFlags)
    guard regex.isValid else { throw .grammar("invalid regular expression /\(source)/", offset: t.start) }
    return Sexp(.lit, [.regex(regex)])
  }
}
