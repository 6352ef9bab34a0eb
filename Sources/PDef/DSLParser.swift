import OrderedJSON

/// Reads the ruote Ruby-DSL subset (spec §2.1) into a `PDefNode` tree,
/// without ever evaluating Ruby.
///
///     Ruote.process_definition 'BOSS_handle_SR', :revision => '0.2' do
///       sequence do
///         notify_irc :msg => 'SR#${ev.id}'
///       end
///     end
///
/// Statements and blocks live here; values (strings, arrays, `+`, ...) in
/// `DSLParser+Values.swift`. Neither recurses: nested blocks and nested
/// values are kept on explicit stacks, so the parser's own stack use is the
/// same for any input. Nesting is still capped at `maximumDepth` so that
/// every accepted tree can be written and read back as JSON. Every loop
/// consumes a token or throws, so no input can make it spin.
struct DSLParser {
  static let maximumDepth = 500
  static let rootMethods: Set<String> = ["process_definition", "define", "workflow_definition"]

  let tokens: [Token]
  let list: TokenList
  let file: String
  var index = 0
  var depth = 0

  init(text: String, file: String) {
    self.list = Lexer.tokenize(text)
    self.tokens = list.tokens
    self.file = file
  }

  // MARK: Token access

  var current: Token { tokens[min(index, tokens.count - 1)] }

  func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

  /// Moves past the current token; a lexical error token is thrown here.
  @discardableResult
  mutating func advance() throws(PDefError) -> Token {
    let token = current
    if token.kind == .invalid { throw PDefError(file: file, at: token.location, list.text(token)) }
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  mutating func skipNewlines() {
    while current.kind == .newline { index += 1 }
  }

  mutating func skipSeparators() {
    while current.kind == .newline || current.kind == .semicolon { index += 1 }
  }

  func error(_ message: String, at token: Token) -> PDefError {
    if token.kind == .invalid { return PDefError(file: file, at: token.location, list.text(token)) }
    return PDefError(file: file, at: token.location, message)
  }

  func text(_ token: Token) -> String { list.text(token) }
  func quoted(_ token: Token) -> String { list.quoted(token) }
  func isWord(_ token: Token, _ word: String) -> Bool { list.isWord(token, word) }

  /// Counts one more level of nesting: a block weighs 2 (its node and its
  /// children are two levels of the JSON tree), an array, hash or
  /// parenthesis 1, so every tree the parser accepts also fits the JSON
  /// reader's depth limit and can be written and read back as JSON.
  mutating func enter(_ token: Token, weight: Int = 1) throws(PDefError) {
    depth += weight
    if depth > DSLParser.maximumDepth {
      throw error(
        "nesting too deep (more than \(DSLParser.maximumDepth / 2) blocks, or arrays and hashes nested "
          + "\(DSLParser.maximumDepth) deep): split the definition into subprocesses", at: token)
    }
  }

  // MARK: Definition

  /// The whole file: exactly one `Ruote.process_definition ... do ... end`.
  mutating func parseDefinition() throws(PDefError) -> PDefNode {
    skipSeparators()
    let first = current
    guard first.kind == .constant, text(first) == "Ruote" else { throw definitionStartError(first) }
    try advance()
    guard current.kind == .dot || current.kind == .doubleColon else {
      throw error("expected `.process_definition` after `Ruote`, found \(quoted(current))", at: current)
    }
    try advance()
    let methodToken = current
    guard methodToken.kind == .identifier, DSLParser.rootMethods.contains(text(methodToken)) else {
      throw error(
        "`Ruote` is followed by \(quoted(methodToken)): a definition starts with "
          + "`Ruote.process_definition 'name' do`", at: methodToken)
    }
    try advance()
    var (root, opener) = try parseCallHeader(name: "define", location: first.location)
    if let opener { root = try parseBlocks(of: root, opener: opener) }
    try expectStatementEnd(after: root, closing: nil)
    skipSeparators()
    let trailing = current
    if case .endOfFile = trailing.kind { return root }
    if isWord(trailing, "end") { throw error("`end` without a matching `do`", at: trailing) }
    throw error(
      "only one process definition per file, but \(quoted(trailing)) follows its end: "
        + "put subprocesses inside it as `define 'name' do ... end`", at: trailing)
  }

  private func definitionStartError(_ token: Token) -> PDefError {
    switch token.kind {
    case .endOfFile:
      return error(
        "the file holds no process definition: start it with `Ruote.process_definition 'name' do`", at: token)
    case .identifier:
      let word = text(token)
      if word == "end" { return error("`end` without a matching `do`", at: token) }
      if let refusal = RubyNames.refusal(for: word) { return error(refusal, at: token) }
      return error(
        "a definition starts with `Ruote.process_definition 'name' do`, found \(quoted(token))", at: token)
    default:
      return unexpected(token, "a definition starts with `Ruote.process_definition 'name' do`")
    }
  }

  // MARK: Calls and blocks

  /// A block being read: its opener (`do` or `{`) and the node it belongs to.
  private struct OpenBlock {
    var opener: Token
    var node: PDefNode
  }

  /// The arguments after an expression name, and the opener of its block
  /// (already consumed) when one follows.
  mutating func parseCallHeader(name: String, location: SourceLocation) throws(PDefError) -> (PDefNode, Token?) {
    var attributes = JSONObject()
    var opener: Token? = nil
    let next = current
    if next.kind == .leftParen && !next.spaceBefore {
      try advance()
      try parseArguments(into: &attributes, openParen: next)
      if current.kind == .leftBrace || isWord(current, "do") { opener = try advance() }
    } else if startsArgument(next) {
      try parseArguments(into: &attributes, openParen: nil)
      if isWord(current, "do") {
        opener = try advance()
      } else if current.kind == .leftBrace {
        throw error(
          "a `{ ... }` block after arguments written without parentheses is not Ruby: use `do ... end`", at: current)
      }
    } else if next.kind == .leftBrace || isWord(next, "do") {
      opener = try advance()
    }
    return (PDefNode(name: name, attributes: attributes, location: location), opener)
  }

  /// Reads the block of `owner` and every block nested in it, with an
  /// explicit stack rather than recursion: the stack use of the parser
  /// does not grow with the nesting of the definition.
  mutating func parseBlocks(of owner: PDefNode, opener: Token) throws(PDefError) -> PDefNode {
    var stack: [OpenBlock] = []
    try push(OpenBlock(opener: opener, node: owner), on: &stack)
    while let top = stack.last {
      skipSeparators()
      let token = current
      let braces = top.opener.kind == .leftBrace
      if (braces && token.kind == .rightBrace) || (!braces && isWord(token, "end")) {
        try advance()
        let finished = stack.removeLast().node
        depth -= 2
        guard let parentIndex = stack.indices.last else { return finished }
        stack[parentIndex].node.children.append(finished)
        try expectStatementEnd(after: finished, closing: stack[parentIndex].opener)
        continue
      }
      try checkBlockContinues(token, opener: top.opener)
      let (node, childOpener) = try parseStatement(inBraces: braces)
      if let childOpener {
        try push(OpenBlock(opener: childOpener, node: node), on: &stack)
        if current.kind == .other, text(current) == "|" || text(current) == "||" {
          throw error("block parameters (`|x|`) are Ruby; process definition blocks take none", at: current)
        }
      } else {
        stack[stack.count - 1].node.children.append(node)
        try expectStatementEnd(after: node, closing: top.opener)
      }
    }
    return owner  // not reached: the loop returns when the outermost block closes
  }

  private mutating func push(_ block: OpenBlock, on stack: inout [OpenBlock]) throws(PDefError) {
    try enter(block.opener, weight: 2)
    stack.append(block)
  }

  /// Errors for a block that ends badly: end of file, or the wrong closer.
  private func checkBlockContinues(_ token: Token, opener: Token) throws(PDefError) {
    let braces = opener.kind == .leftBrace
    if case .endOfFile = token.kind {
      let openerText = braces ? "`{`" : "`do`"
      let closer = braces ? "`}`" : "`end`"
      throw error("\(openerText) opened at \(opener.location) is never closed: add the missing \(closer)", at: token)
    }
    if braces && isWord(token, "end") {
      throw error("`end` inside the `{` block opened at \(opener.location): close that block with `}`", at: token)
    }
    if !braces && token.kind == .rightBrace {
      throw error("`}` where the `do` opened at \(opener.location) expects its `end`", at: token)
    }
  }

  /// One expression: a name and its arguments, plus the opener of its block if any.
  mutating func parseStatement(inBraces: Bool) throws(PDefError) -> (PDefNode, Token?) {
    let token = current
    switch token.kind {
    case .identifier:
      let word = text(token)
      if word == "end" { throw error("`end` without a matching `do`", at: token) }
      if word == "do" { throw error("`do` without an expression name before it", at: token) }
      if let refusal = RubyNames.refusal(for: word) { throw error(refusal, at: token) }
      try advance()
      let next = current
      switch next.kind {
      case .dot, .doubleColon:
        throw error(
          "`\(word)\(next.kind == .dot ? "." : "::")...` calls a Ruby method; method chains are not "
            + "process definition syntax", at: next)
      case .other where text(next) == "=":
        throw error(
          "`\(word) = ...` assigns a Ruby variable; process definitions have none: "
            + "use `set 'v:\(word)' => value`", at: next)
      case .leftBracket where !next.spaceBefore:
        throw error("`\(word)[...]` indexes a Ruby value; that is not process definition syntax", at: next)
      default:
        break
      }
      let name = String(word.drop(while: { $0 == "_" }))
      guard !name.isEmpty else { throw error("`\(word)` is not an expression name", at: token) }
      return try parseCallHeader(name: name, location: token.location)
    case .constant:
      let word = text(token)
      if word == "Ruote" {
        throw error(
          "a process definition inside another is written `define 'name' do ... end`, "
            + "not `Ruote.process_definition`", at: token)
      }
      // With arguments, a capitalised name is a method call in Ruby, so a node.
      let next = peek(1)
      if (next.kind == .leftParen && !next.spaceBefore) || (startsArgument(next) && next.kind != .leftParen) {
        try advance()
        return try parseCallHeader(name: word, location: token.location)
      }
      throw error(
        "`\(word)` alone is a Ruby constant, not a process expression: give it arguments, or write "
          + "`participant :ref => '\(word)'`", at: token)
    case .string, .symbol, .leftBrace, .hashRocket, .label:
      guard inBraces else { throw unexpected(token, "expected an expression name") }
      throw error(
        "expected an expression name, found \(quoted(token)): Ruby reads `{` right after a name as a "
          + "block; to pass a hash write `name({...})` or `name 'key' => value`", at: token)
    default:
      throw unexpected(token, "expected an expression name (like `sequence`, `set` or a participant name)")
    }
  }

  /// After an expression: the end of the line, `;`, or the closer of the block.
  mutating func expectStatementEnd(after node: PDefNode, closing opener: Token?) throws(PDefError) {
    let token = current
    if token.isStatementSeparator { return }
    if let opener {
      if opener.kind == .leftBrace && token.kind == .rightBrace { return }
      if opener.kind != .leftBrace && isWord(token, "end") { return }
    }
    if token.kind == .identifier, RubyNames.modifiers.contains(text(token)) {
      let word = text(token)
      let attribute = word == "unless" ? "unless" : "if"
      throw error(
        "`\(word)` after an expression is Ruby; write the condition as an attribute in quotes: "
          + "`\(node.name) :\(attribute) => '...'`", at: token)
    }
    if startsArgument(token) || token.kind == .leftParen {
      throw error(
        "unexpected \(quoted(token)) after `\(node.name) ...`: is a `,` missing between arguments?", at: token)
    }
    throw unexpected(token, "expected the end of the line or `;` after `\(node.name) ...`")
  }

  // MARK: Arguments

  /// Whether `token` can begin the arguments of a call written without parentheses.
  func startsArgument(_ token: Token) -> Bool {
    switch token.kind {
    case .string, .symbol, .integer, .float, .regex, .label, .constant:
      return true
    case .leftBracket, .leftParen:
      return token.spaceBefore
    case .minus:
      switch peek(1).kind {
      case .integer, .float: return true
      default: return false
      }
    case .identifier:
      let word = text(token)
      return word != "do" && word != "end" && !RubyNames.modifiers.contains(word)
    default:
      return false
    }
  }

  /// Skips newlines; consumes the `)` matching `openParen` if it comes next
  /// (true), or fails if the file ends first.
  mutating func closesParenthesis(_ openParen: Token) throws(PDefError) -> Bool {
    skipNewlines()
    if current.kind == .rightParen {
      try advance()
      return true
    }
    if case .endOfFile = current.kind {
      throw error("`(` opened at \(openParen.location) is never closed: add the missing `)`", at: current)
    }
    return false
  }

  /// Folds arguments into one ordered map as ruote did: pairs keep their
  /// value, positional arguments become keys with a null value.
  mutating func parseArguments(into attributes: inout JSONObject, openParen: Token?) throws(PDefError) {
    var sawPair = false
    while true {
      if let openParen, try closesParenthesis(openParen) { return }
      if current.kind == .label {
        let label = try advance()
        skipNewlines()
        attributes[text(label)] = try parseValue(after: quoted(label)).value
        sawPair = true
      } else {
        let value = try parseValue(after: openParen == nil ? "the expression name" : "`(`")
        if current.kind == .hashRocket {
          try advance()
          skipNewlines()
          guard let key = value.keyText else {
            throw PDefError(
              file: file, at: value.location,
              "\(value.typeDescription) cannot be an attribute name: use a quoted string or a symbol")
          }
          attributes[key] = try parseValue(after: "`=>`").value
          sawPair = true
        } else {
          if sawPair && value.kind != .hash {
            throw PDefError(
              file: file, at: value.location,
              "a positional argument after `key => value` pairs is not Ruby (ruote could not read it): "
                + "put it before the pairs")
          }
          try addPositional(value, to: &attributes)
        }
      }
      if current.kind == .comma {
        try advance()
        skipNewlines()
        if openParen == nil && !startsArgument(current) {
          throw unexpected(current, "expected another argument after `,`")
        }
        continue
      }
      guard let openParen else { return }
      if try closesParenthesis(openParen) { return }
      throw unexpected(current, "expected `,` or the `)` closing the `(` at \(openParen.location)")
    }
  }

  private func addPositional(_ value: ParsedValue, to attributes: inout JSONObject) throws(PDefError) {
    switch value.value {
    case .object(let pairs):
      attributes.merge(pairs)
    case .null:
      throw PDefError(file: file, at: value.location, "`nil` cannot be a positional argument")
    case .array:
      throw PDefError(
        file: file, at: value.location,
        "an array cannot be a positional argument: give it a name, as in `:list => [...]`")
    default:
      if let key = value.keyText { attributes[key] = .null }
    }
  }

  // MARK: Messages

  /// An error for a token that does not fit, with a specific message for
  /// Ruby constructs a definition author might try.
  func unexpected(_ token: Token, _ expectation: String) -> PDefError {
    switch token.kind {
    case .other:
      return error(DSLParser.strayMessage(text(token), expectation: expectation), at: token)
    case .dot, .doubleColon:
      return error(
        "\(quoted(token)) calls a Ruby method; method chains are not process definition syntax", at: token)
    default:
      return error("\(expectation), found \(quoted(token))", at: token)
    }
  }

  static func strayMessage(_ text: String, expectation: String) -> String {
    switch text {
    case "$":
      return "`$` outside quotes: a substitution must be inside a quoted string, as in "
        + "`subprocess :ref => 'do_${v:task}'`"
    case "@":
      return "`@` starts a Ruby instance variable; process definitions have none: use "
        + "`set 'v:name' => ...` and '${v:name}'"
    case "`":
      return "backticks run a shell command in Ruby; that is not allowed in a process definition"
    case "%":
      return "`%` literals (%w[], %q()) are Ruby shortcuts robogrator does not read: write ['a', 'b'] "
        + "or a quoted string"
    case "<<":
      return "`<<` (a heredoc or an append) is Ruby; write a quoted string, joining lines with `+`"
    case "=":
      return "`=` assigns a Ruby variable; process definitions have none: use `set 'v:name' => value`, "
        + "or `=>` between a key and its value"
    case "|", "||":
      return "`\(text)` is Ruby (block parameters or `or`): write conditions as quoted text, "
        + "e.g. :if => '${a} or ${b}'"
    default:
      guard let scalar = text.unicodeScalars.first, scalar.isASCII, scalar.value >= 0x21, scalar.value != 0x7F
      else {
        return "\(expectation), found \(TokenList.describeCharacter(text)) (outside quotes a definition holds "
          + "only ASCII)"
      }
      return "`\(text)` is Ruby syntax robogrator does not read: only `+` (joining strings) and `==`/`!=` "
        + "between two literals are evaluated; write conditions as quoted text, e.g. :if => '${f:n} > 3'"
    }
  }
}
