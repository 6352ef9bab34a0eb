// A lexer for the part of Ruby (1.8 grammar, as ruby_parser 2.3.1's RubyLexer reads it)
// that condition texts use. It keeps the lexer states that make Ruby whitespace-
// sensitive (`a -b` vs `a - b`, `a [1]` vs `a[1]`, `/re/` vs `a / b`, `a:b` as a symbol
// argument) and raises a ``RubyLexError`` wherever RubyLexer raised a compile error:
// ruote treats those differently from grammar errors (§5.2 step 5).

/// A tokenizer error (ruby_parser's `rb_compile_error`, a Ruby `SyntaxError`).
struct RubyLexError: Error, Sendable {
  var message: String
  var offset: Int
}

enum LexState: Sendable {
  case beg, end, arg, cmdarg, endarg, mid, fname, dot, klass

  var isArgument: Bool { self == .arg || self == .cmdarg }
}

enum TokenKind: UInt8, Sendable {
  case eof, nl, semi, comma
  case identifier, constant, fid, ivar, gvar, cvar, nthRef, backRef
  case integer, float
  case string, xstring, regexp, words, qwords
  /// `:` starting a symbol; the next token is its name.
  case symbeg
  /// `:"..."` / `:'...'`.
  case dsym
  case lparen, lparenArg, lparen2, rparen
  case lbrack, lbrack2, rbrack, aref, aset
  case lbrace, lcurly, lbraceArg, rcurly
  case dot, dot2, dot3, colon2, colon3, colon, eh
  case eql, opAsgn, assoc
  case eq, eqq, neq, match, nmatch, cmp, lt, gt, leq, geq
  case plus, minus, uplus, uminus, uminusNum, star, star2, pow, divide, percent
  case amper, amper2, andop, orop, pipe, caret, tilde, bang, lshft, rshft
  case backtick
  /// A lone `$` (RubyLexer returns it as a token the grammar then rejects).
  case dollar
  case keyword
}

enum Keyword: UInt8, Sendable {
  case kEND, kELSE, kCASE, kENSURE, kMODULE, kELSIF, kDEF, kRESCUE, kNOT, kTHEN, kYIELD, kFOR, kSELF
  case kFALSE, kRETRY, kRETURN, kTRUE, kIF, kDEFINED, kSUPER, kUNDEF, kBREAK, kIN, kDO, kNIL, kUNTIL
  case kUNLESS, kOR, kNEXT, kWHEN, kREDO, kAND, kBEGIN, k__LINE__, kCLASS, k__FILE__, klEND, klBEGIN
  case kWHILE, kALIAS
  case kIF_MOD, kUNLESS_MOD, kWHILE_MOD, kUNTIL_MOD, kRESCUE_MOD

  /// Ruby 1.8's keyword table: (normal token, modifier token, state after).
  static let table: [String: (Keyword, Keyword, LexState)] = [
    "end": (.kEND, .kEND, .end), "else": (.kELSE, .kELSE, .beg), "case": (.kCASE, .kCASE, .beg),
    "ensure": (.kENSURE, .kENSURE, .beg), "module": (.kMODULE, .kMODULE, .beg),
    "elsif": (.kELSIF, .kELSIF, .beg), "def": (.kDEF, .kDEF, .fname),
    "rescue": (.kRESCUE, .kRESCUE_MOD, .mid), "not": (.kNOT, .kNOT, .beg), "then": (.kTHEN, .kTHEN, .beg),
    "yield": (.kYIELD, .kYIELD, .arg), "for": (.kFOR, .kFOR, .beg), "self": (.kSELF, .kSELF, .end),
    "false": (.kFALSE, .kFALSE, .end), "retry": (.kRETRY, .kRETRY, .end),
    "return": (.kRETURN, .kRETURN, .mid), "true": (.kTRUE, .kTRUE, .end), "if": (.kIF, .kIF_MOD, .beg),
    "defined?": (.kDEFINED, .kDEFINED, .arg), "super": (.kSUPER, .kSUPER, .arg),
    "undef": (.kUNDEF, .kUNDEF, .fname), "break": (.kBREAK, .kBREAK, .mid), "in": (.kIN, .kIN, .beg),
    "do": (.kDO, .kDO, .beg), "nil": (.kNIL, .kNIL, .end), "until": (.kUNTIL, .kUNTIL_MOD, .beg),
    "unless": (.kUNLESS, .kUNLESS_MOD, .beg), "or": (.kOR, .kOR, .beg), "next": (.kNEXT, .kNEXT, .mid),
    "when": (.kWHEN, .kWHEN, .beg), "redo": (.kREDO, .kREDO, .end), "and": (.kAND, .kAND, .beg),
    "begin": (.kBEGIN, .kBEGIN, .beg), "__LINE__": (.k__LINE__, .k__LINE__, .end),
    "class": (.kCLASS, .kCLASS, .klass), "__FILE__": (.k__FILE__, .k__FILE__, .end),
    "END": (.klEND, .klEND, .end), "BEGIN": (.klBEGIN, .klBEGIN, .end),
    "while": (.kWHILE, .kWHILE_MOD, .beg), "alias": (.kALIAS, .kALIAS, .fname),
  ]

  /// The table grouped by length, for a byte-wise lookup without building a string.
  private static let byLength: [[(bytes: [UInt8], entry: (Keyword, Keyword, LexState))]] = {
    var groups = [[(bytes: [UInt8], entry: (Keyword, Keyword, LexState))]](repeating: [], count: 9)
    for (name, entry) in table { groups[name.utf8.count].append((Array(name.utf8), entry)) }
    return groups
  }()

  /// The keyword spelled by `bytes`, if any.
  static func lookup(_ bytes: ArraySlice<UInt8>) -> (Keyword, Keyword, LexState)? {
    guard bytes.count >= 2 && bytes.count <= 8, let first = bytes.first,
      (first >= 0x61 && first <= 0x7A) || first == UInt8(ascii: "_") || first == UInt8(ascii: "B")
        || first == UInt8(ascii: "E")
    else { return nil }
    for candidate in byLength[bytes.count] where candidate.bytes.first == first && bytes.elementsEqual(candidate.bytes)
    {
      return candidate.entry
    }
    return nil
  }
}

/// A piece of a string literal: text, or interpolated code (`#{...}`, `#@x`, `#$x`).
enum StringPart: Sendable {
  case text([UInt8])
  /// The source range of the code between `#{` and `}`.
  case code(Range<Int>)
  /// `#@x`, `#@@x`, `#$x`.
  case variable(String)
}

/// A token; trivially copyable (names and literal bodies stay in the lexer).
struct Token: Sendable {
  var kind: TokenKind
  var start: Int
  var keyword: Keyword = .kEND
  /// The source range of the token's name (identifiers, variables, operator of `opAsgn`).
  var nameStart = 0
  var nameEnd = -1
  var integer: Int = 0
  var float: Double = 0
  /// Index of the string-like literal's body in ``RubyLexer/literals``, or ``simpleString``.
  var literal = -1

  /// A string literal whose value is its text between the quotes.
  static let simpleString = -2

  init(_ kind: TokenKind, at start: Int) {
    self.kind = kind
    self.start = start
  }
}

/// The body of a string-like literal token.
struct TokenLiteral: Sendable {
  var parts: [StringPart] = []
  /// `%w`/`%W` words, each a list of parts.
  var words: [[StringPart]] = []
  var regexFlags = ""
}

struct RubyLexer {
  /// The text; offsets are indices into it (a slice keeps its parent's indices).
  let src: ArraySlice<UInt8>
  var pos: Int
  let end: Int
  var state: LexState = .beg
  var commandStart = true
  /// Local variables the parser has seen assigned (an identifier that is one lexes as a value).
  var lvars: Set<String> = []
  /// Bodies of the string-like literals lexed so far (``Token/literal`` indexes them).
  var literals: [TokenLiteral] = []

  /// The pieces of a string-like literal token.
  func parts(_ t: Token) -> [StringPart] {
    if t.literal == Token.simpleString { return [.text(Array(src[(t.start + 1)..<(t.nameEnd - 1)]))] }
    return t.literal >= 0 ? literals[t.literal].parts : []
  }

  /// The value of a simple string token.
  func simpleString(_ t: Token) -> String {
    String(decoding: src[(t.start + 1)..<(t.nameEnd - 1)], as: UTF8.self)
  }

  /// The name of a token (identifier, constant, variable, keyword, operator of `opAsgn`).
  func name(_ t: Token) -> String {
    String(decoding: src[t.nameStart..<max(t.nameStart, t.nameEnd)], as: UTF8.self)
  }

  private mutating func literalToken(
    _ kind: TokenKind, _ start: Int, parts: [StringPart] = [], words: [[StringPart]] = [], flags: String = ""
  ) -> Token {
    var t = Token(kind, at: start)
    t.literal = literals.count
    literals.append(TokenLiteral(parts: parts, words: words, regexFlags: flags))
    return t
  }

  init(_ src: ArraySlice<UInt8>, range: Range<Int>? = nil) {
    self.src = src
    self.pos = range?.lowerBound ?? src.startIndex
    self.end = range?.upperBound ?? src.endIndex
  }

  private func peek(_ offset: Int = 0) -> UInt8? {
    let p = pos + offset
    return p < end ? src[p] : nil
  }

  private func error(_ message: String) -> RubyLexError {
    RubyLexError(message: message, offset: pos)
  }

  static func isSpace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D
  }

  static func isWord(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
  }

  static func isAlpha(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A)
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

  private func nextIsSpace() -> Bool {
    guard let c = peek() else { return false }
    return RubyLexer.isSpace(c)
  }

  private var atLineStart: Bool { pos == src.startIndex || src[pos - 1] == 0x0A }

  private mutating func fixArgState() {
    state = (state == .fname || state == .dot) ? .arg : .beg
  }

  private mutating func scan(_ literal: StaticString) -> Bool {
    let count = literal.utf8CodeUnitCount
    guard pos + count <= end else { return false }
    let matches = literal.withUTF8Buffer { buffer in
      for k in 0..<count where src[pos + k] != buffer[k] { return false }
      return true
    }
    if matches { pos += count }
    return matches
  }

  private func token(_ kind: TokenKind, _ start: Int) -> Token { Token(kind, at: start) }

  // MARK: - yylex

  mutating func next() throws(RubyLexError) -> Token {
    var t = try nextToken()
    if t.nameEnd < 0 {
      t.nameStart = t.start
      t.nameEnd = pos
    }
    return t
  }

  private mutating func nextToken() throws(RubyLexError) -> Token {
    var spaceSeen = false
    let commandState = commandStart
    commandStart = false
    let lastState = state
    while true {
      let start = pos
      guard pos < end else { return token(.eof, start) }
      let c = src[pos]
      if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B {
        pos += 1
        spaceSeen = true
        continue
      }
      if RubyLexer.isAlpha(c) {
        while pos < end && RubyLexer.isWord(src[pos]) { pos += 1 }
        return processToken(start: start, commandState: commandState, lastState: lastState)
      }
      switch c {
      case 0x0A, UInt8(ascii: "#"):
        if c == UInt8(ascii: "#") {
          skipComments()
          if pos >= end { return token(.eof, start) }
        } else {
          pos += 1
        }
        while pos < end && src[pos] == 0x0A { pos += 1 }
        if state == .beg || state == .fname || state == .dot || state == .klass { continue }
        commandStart = true
        state = .beg
        return token(.nl, start)
      case UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "}"):
        pos += 1
        state = .end
        return token(c == UInt8(ascii: "]") ? .rbrack : (c == UInt8(ascii: ")") ? .rparen : .rcurly), start)
      case UInt8(ascii: ","):
        pos += 1
        state = .beg
        return token(.comma, start)
      case UInt8(ascii: "."):
        if scan("...") {
          state = .beg
          return token(.dot3, start)
        }
        if scan("..") {
          state = .beg
          return token(.dot2, start)
        }
        if let d = peek(1), RubyLexer.isDigit(d) {
          throw error("no .<digit> floating literal anymore put 0 before dot")
        }
        pos += 1
        state = .dot
        return token(.dot, start)
      case UInt8(ascii: "("):
        pos += 1
        var kind = TokenKind.lparen2
        commandStart = true
        if state == .beg || state == .mid {
          kind = .lparen
        } else if spaceSeen && state == .cmdarg {
          kind = .lparenArg
        }
        state = .beg
        return token(kind, start)
      case UInt8(ascii: "="):
        if atLineStart && pos + 6 <= end && src[(pos + 1)..<(pos + 6)].elementsEqual("begin".utf8)
          && (pos + 6 == end || RubyLexer.isSpace(src[pos + 6]))
        {
          try skipEmbeddedDocument()
          continue
        }
        return lexEquals(start: start)
      case UInt8(ascii: "\""):
        pos += 1
        var k = pos
        while k < end && src[k] != UInt8(ascii: "\"") && src[k] != 0x5C && src[k] != UInt8(ascii: "#") { k += 1 }
        if k < end && src[k] == UInt8(ascii: "\"") {
          // No escape, no interpolation: the token's text between the quotes is the value.
          pos = k + 1
          state = .end
          var t = token(.string, start)
          t.literal = Token.simpleString
          return t
        }
        let parts = try readDelimited(open: nil, close: UInt8(ascii: "\""), mode: .double)
        state = .end
        return literalToken(.string, start, parts: parts)
      case UInt8(ascii: "@"):
        pos += 1
        if peek() == UInt8(ascii: "@") { pos += 1 }
        let nameStart = pos
        while pos < end && RubyLexer.isWord(src[pos]) { pos += 1 }
        if pos > nameStart && RubyLexer.isDigit(src[nameStart]) {
          throw error("`\(String(decoding: src[start..<pos], as: UTF8.self))` is not allowed as a variable name")
        }
        return processToken(start: start, commandState: commandState, lastState: lastState)
      case UInt8(ascii: ":"):
        if scan("::") {
          if state == .beg || state == .mid || state == .klass || (state.isArgument && spaceSeen) {
            state = .beg
            return token(.colon3, start)
          }
          state = .dot
          return token(.colon2, start)
        }
        pos += 1
        if state == .end || state == .endarg || nextIsSpace() {
          state = .beg
          return token(.colon, start)
        }
        if let q = peek(), q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") {
          pos += 1
          let parts = try readDelimited(open: nil, close: q, mode: q == UInt8(ascii: "'") ? .single : .double)
          state = .end
          return literalToken(.dsym, start, parts: parts)
        }
        state = .fname
        return token(.symbeg, start)
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        return try parseNumber(start: start)
      case UInt8(ascii: "["):
        pos += 1
        var kind = TokenKind.lbrack2
        if state == .fname || state == .dot {
          state = .arg
          if scan("]=") { return token(.aset, start) }
          if scan("]") { return token(.aref, start) }
          throw error("unexpected '['")
        } else if state == .beg || state == .mid {
          kind = .lbrack
        } else if state.isArgument && spaceSeen {
          kind = .lbrack
        }
        state = .beg
        return token(kind, start)
      case UInt8(ascii: "'"):
        guard let close = singleQuoteEnd() else {
          throw error("Invalid char \"'\" in expression")
        }
        if !src[(pos + 1)..<close].contains(0x5C) {
          pos = close + 1
          state = .end
          var t = token(.string, start)
          t.literal = Token.simpleString
          return t
        }
        var text: [UInt8] = []
        var k = pos + 1
        // ruby_parser: gsub(/\\\\/, "\\") then gsub(/\\'/, "'")
        var once: [UInt8] = []
        while k < close {
          if src[k] == 0x5C && k + 1 < close && src[k + 1] == 0x5C {
            once.append(0x5C)
            k += 2
          } else {
            once.append(src[k])
            k += 1
          }
        }
        var m = 0
        while m < once.count {
          if once[m] == 0x5C && m + 1 < once.count && once[m + 1] == UInt8(ascii: "'") {
            text.append(UInt8(ascii: "'"))
            m += 2
          } else {
            text.append(once[m])
            m += 1
          }
        }
        pos = close + 1
        state = .end
        return literalToken(.string, start, parts: [.text(text)])
      case UInt8(ascii: "|"):
        if scan("||=") {
          state = .beg
          return opAssign("||", start)
        }
        if scan("||") {
          state = .beg
          return token(.orop, start)
        }
        if scan("|=") {
          state = .beg
          return opAssign("|", start)
        }
        pos += 1
        fixArgState()
        return token(.pipe, start)
      case UInt8(ascii: "{"):
        pos += 1
        let kind: TokenKind
        if state.isArgument || state == .end {
          kind = .lcurly
        } else if state == .endarg {
          kind = .lbraceArg
        } else {
          kind = .lbrace
        }
        if kind != .lbraceArg { state = .beg }
        return token(kind, start)
      case UInt8(ascii: "+"), UInt8(ascii: "-"):
        return try lexSign(c, start: start, spaceSeen: spaceSeen)
      case UInt8(ascii: "*"):
        if scan("**=") {
          state = .beg
          return opAssign("**", start)
        }
        if scan("**") {
          fixArgState()
          return token(.pow, start)
        }
        if scan("*=") {
          state = .beg
          return opAssign("*", start)
        }
        pos += 1
        let kind: TokenKind
        if state.isArgument && spaceSeen && peek().map({ !RubyLexer.isSpace($0) }) == true {
          kind = .star
        } else if state == .beg || state == .mid {
          kind = .star
        } else {
          kind = .star2
        }
        fixArgState()
        return token(kind, start)
      case UInt8(ascii: "!"):
        state = .beg
        if scan("!=") { return token(.neq, start) }
        if scan("!~") { return token(.nmatch, start) }
        pos += 1
        return token(.bang, start)
      case UInt8(ascii: "<"):
        if scan("<=>") {
          fixArgState()
          return token(.cmp, start)
        }
        if scan("<=") {
          fixArgState()
          return token(.leq, start)
        }
        if scan("<<=") {
          state = .beg
          return opAssign("<<", start)
        }
        if scan("<<") {
          if ![.end, .dot, .endarg, .klass].contains(state) && (!state.isArgument || spaceSeen)
            && looksLikeHeredoc()
          {
            throw error("can't find heredoc terminator anywhere before EOF")
          }
          fixArgState()
          return token(.lshft, start)
        }
        pos += 1
        fixArgState()
        return token(.lt, start)
      case UInt8(ascii: ">"):
        if scan(">=") {
          fixArgState()
          return token(.geq, start)
        }
        if scan(">>=") {
          state = .beg
          return opAssign(">>", start)
        }
        if scan(">>") {
          fixArgState()
          return token(.rshft, start)
        }
        pos += 1
        fixArgState()
        return token(.gt, start)
      case UInt8(ascii: "`"):
        pos += 1
        if state == .fname {
          state = .end
          return token(.backtick, start)
        }
        if state == .dot {
          state = commandState ? .cmdarg : .arg
          return token(.backtick, start)
        }
        let parts = try readDelimited(open: nil, close: UInt8(ascii: "`"), mode: .double)
        state = .end
        return literalToken(.xstring, start, parts: parts)
      case UInt8(ascii: "?"):
        return try lexQuestion(start: start)
      case UInt8(ascii: "&"):
        if scan("&&=") {
          state = .beg
          return opAssign("&&", start)
        }
        if scan("&&") {
          state = .beg
          return token(.andop, start)
        }
        if scan("&=") {
          state = .beg
          return opAssign("&", start)
        }
        pos += 1
        let kind: TokenKind
        if state.isArgument && spaceSeen && !nextIsSpace() {
          kind = .amper
        } else if state == .beg || state == .mid {
          kind = .amper
        } else {
          kind = .amper2
        }
        fixArgState()
        return token(kind, start)
      case UInt8(ascii: "/"):
        pos += 1
        if state == .beg || state == .mid {
          return try lexRegexp(start: start, close: UInt8(ascii: "/"), open: nil)
        }
        if scan("=") {
          state = .beg
          return opAssign("/", start)
        }
        if state.isArgument && spaceSeen {
          if nextIsSpace() {
            pos += 1
          } else {
            return try lexRegexp(start: start, close: UInt8(ascii: "/"), open: nil)
          }
        }
        fixArgState()
        return token(.divide, start)
      case UInt8(ascii: "^"):
        if scan("^=") {
          state = .beg
          return opAssign("^", start)
        }
        pos += 1
        fixArgState()
        return token(.caret, start)
      case UInt8(ascii: ";"):
        pos += 1
        commandStart = true
        state = .beg
        return token(.semi, start)
      case UInt8(ascii: "~"):
        pos += 1
        if state == .fname || state == .dot { _ = scan("@") }
        fixArgState()
        return token(.tilde, start)
      case UInt8(ascii: "\\"):
        pos += 1
        if peek() == 0x0A {
          pos += 1
          spaceSeen = true
          continue
        }
        throw error("bare backslash only allowed before newline")
      case UInt8(ascii: "%"):
        pos += 1
        if state == .beg || state == .mid { return try parseQuote(start: start) }
        if scan("=") {
          state = .beg
          return opAssign("%", start)
        }
        if state.isArgument && spaceSeen && !nextIsSpace() { return try parseQuote(start: start) }
        fixArgState()
        return token(.percent, start)
      case UInt8(ascii: "$"):
        return lexGlobal(start: start, commandState: commandState, lastState: lastState)
      case UInt8(ascii: "_"):
        if atLineStart && scan("__END__") {
          if pos >= end || src[pos] == 0x0A { return token(.eof, start) }
          pos = start
        }
        pos += 1
        while pos < end && RubyLexer.isWord(src[pos]) { pos += 1 }
        return processToken(start: start, commandState: commandState, lastState: lastState)
      case 0x04, 0x1A, 0x00:
        return token(.eof, start)
      default:
        let char = String(decoding: src[pos..<min(end, pos + utf8Length(c))], as: UTF8.self)
        throw error("Invalid char \(RubyInspect.inspect(string: char)) in expression")
      }
    }
  }

  private func utf8Length(_ lead: UInt8) -> Int {
    lead < 0xC0 ? 1 : (lead < 0xE0 ? 2 : (lead < 0xF0 ? 3 : 4))
  }

  private func opAssign(_ op: String, _ start: Int) -> Token {
    var t = token(.opAsgn, start)
    t.nameStart = start
    t.nameEnd = pos - 1
    return t
  }

  /// `\s*#.*(\n+|\z)` repeatedly.
  private mutating func skipComments() {
    while true {
      var p = pos
      while p < end && RubyLexer.isSpace(src[p]) { p += 1 }
      guard p < end && src[p] == UInt8(ascii: "#") else { return }
      while p < end && src[p] != 0x0A { p += 1 }
      while p < end && src[p] == 0x0A { p += 1 }
      pos = p
    }
  }

  /// The closing quote of a single-quoted string (`'(\\.|[^'])*'` with Ruby's backtracking).
  private func singleQuoteEnd() -> Int? {
    var k = pos + 1
    var lastEscapedQuote: Int?
    while k < end {
      let c = src[k]
      if c == 0x5C && k + 1 < end && src[k + 1] != 0x0A {
        if src[k + 1] == UInt8(ascii: "'") { lastEscapedQuote = k + 1 }
        k += 2
      } else if c == UInt8(ascii: "'") {
        return k
      } else {
        k += 1
      }
    }
    return lastEscapedQuote
  }

  private mutating func lexEquals(start: Int) -> Token {
    if scan("===") {
      fixArgState()
      return token(.eqq, start)
    }
    if scan("==") {
      fixArgState()
      return token(.eq, start)
    }
    if scan("=~") {
      fixArgState()
      return token(.match, start)
    }
    if scan("=>") {
      fixArgState()
      return token(.assoc, start)
    }
    pos += 1
    fixArgState()
    return token(.eql, start)
  }

  /// `=begin ... \n=end`.
  private mutating func skipEmbeddedDocument() throws(RubyLexError) {
    var k = pos + 6
    while k + 5 <= end {
      if src[k] == 0x0A && src[(k + 1)..<(k + 5)].elementsEqual("=end".utf8) {
        var e = k + 5
        var lastNewline: Int?
        while e < end && RubyLexer.isSpace(src[e]) {
          if src[e] == 0x0A { lastNewline = e }
          e += 1
        }
        if e == end {
          pos = end
          return
        }
        if let lastNewline {
          pos = lastNewline + 1
          return
        }
      }
      k += 1
    }
    throw error("embedded document meets end of file")
  }

  private mutating func lexSign(_ c: UInt8, start: Int, spaceSeen: Bool) throws(RubyLexError) -> Token {
    pos += 1
    let plus = c == UInt8(ascii: "+")
    if state == .fname || state == .dot {
      state = .arg
      if scan("@") {
        return token(plus ? .uplus : .uminus, start)
      }
      return token(plus ? .plus : .minus, start)
    }
    if scan("=") {
      state = .beg
      return opAssign(plus ? "+" : "-", start)
    }
    if state == .beg || state == .mid || (state.isArgument && spaceSeen && !nextIsSpace()) {
      state = .beg
      if let d = peek(), RubyLexer.isDigit(d) {
        if plus { return try parseNumber(start: start) }
        return token(.uminusNum, start)
      }
      return token(plus ? .uplus : .uminus, start)
    }
    state = .beg
    return token(plus ? .plus : .minus, start)
  }

  private mutating func lexQuestion(start: Int) throws(RubyLexError) -> Token {
    pos += 1
    if state == .end || state == .endarg {
      state = .beg
      return token(.eh, start)
    }
    guard let c = peek() else { throw error("incomplete character syntax") }
    if RubyLexer.isSpace(c) {
      state = .beg
      return token(.eh, start)
    }
    if RubyLexer.isWord(c), let d = peek(1), RubyLexer.isWord(d) {
      state = .beg
      return token(.eh, start)
    }
    var value: Int
    if c == 0x5C {
      pos += 1
      var bytes: [UInt8] = []
      try readEscape(into: &bytes)
      value = Int(bytes.first ?? 0)
    } else {
      value = Int(c)
      pos += utf8Length(c)
    }
    state = .end
    var t = token(.integer, start)
    value &= 0xFF
    t.integer = value
    return t
  }

  private mutating func lexGlobal(start: Int, commandState: Bool, lastState: LexState) -> Token {
    pos += 1
    let next = peek()
    func gvar(_ lexer: inout RubyLexer) -> Token {
      lexer.state = .end
      return Token(.gvar, at: start)
    }
    guard let next else {
      state = .end
      return token(.dollar, start)
    }
    if next == UInt8(ascii: "_") {
      pos += 1
      if let w = peek(), RubyLexer.isWord(w) {
        while pos < end && RubyLexer.isWord(src[pos]) { pos += 1 }
        return processToken(start: start, commandState: commandState, lastState: lastState)
      }
      return gvar(&self)
    }
    if "~*$?!@/\\;,.=:<>\"".utf8.contains(next) {
      pos += 1
      return gvar(&self)
    }
    if next == UInt8(ascii: "-") {
      pos += 1
      if let w = peek(), RubyLexer.isWord(w) { pos += 1 }
      return gvar(&self)
    }
    if "&`'+".utf8.contains(next) {
      pos += 1
      if lastState == .fname { return gvar(&self) }
      state = .end
      var t = token(.backRef, start)
      t.nameStart = start + 1
      t.nameEnd = pos
      return t
    }
    if next >= UInt8(ascii: "1") && next <= UInt8(ascii: "9") {
      while pos < end && RubyLexer.isDigit(src[pos]) { pos += 1 }
      if lastState == .fname { return gvar(&self) }
      state = .end
      var t = token(.nthRef, start)
      t.integer = Int(String(decoding: src[(start + 1)..<pos], as: UTF8.self)) ?? 0
      return t
    }
    if RubyLexer.isWord(next) {
      while pos < end && RubyLexer.isWord(src[pos]) { pos += 1 }
      return processToken(start: start, commandState: commandState, lastState: lastState)
    }
    state = .end
    if next < 0x80 { pos += 1 }
    return token(.dollar, start)
  }

  private func looksLikeHeredoc() -> Bool {
    var k = pos
    if k < end && src[k] == UInt8(ascii: "-") { k += 1 }
    guard k < end else { return false }
    let c = src[k]
    return c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") || RubyLexer.isWord(c)
  }

  // MARK: - Identifiers and keywords

  private mutating func processToken(start: Int, commandState: Bool, lastState: LexState) -> Token {
    let first = src[start]
    if RubyLexer.isWord(first), let c = peek(), c == UInt8(ascii: "!") || c == UInt8(ascii: "?"),
      peek(1) != UInt8(ascii: "=")
    {
      pos += 1
    }
    var kind: TokenKind
    if first == UInt8(ascii: "$") {
      state = .end
      kind = .gvar
    } else if first == UInt8(ascii: "@") {
      state = .end
      kind = (start + 1 < pos && src[start + 1] == UInt8(ascii: "@")) ? .cvar : .ivar
    } else {
      let last = src[pos - 1]
      if last == UInt8(ascii: "!") || last == UInt8(ascii: "?") {
        kind = .fid
      } else {
        kind = (first >= 0x41 && first <= 0x5A) ? .constant : .identifier
        if state == .fname, peek() == UInt8(ascii: "=") {
          let after = peek(1)
          let assignable =
            after == nil
            || !(after == UInt8(ascii: "~") || after == UInt8(ascii: ">") || after == UInt8(ascii: "="))
            || (after == UInt8(ascii: "=") && peek(2) == UInt8(ascii: ">"))
          if assignable {
            pos += 1
            kind = .identifier
          }
        }
      }
      if state != .dot, let entry = Keyword.lookup(src[start..<pos]) {
        let before = state
        state = entry.2
        var t = token(.keyword, start)
        if entry.0 == .kDO {
          commandStart = true
          t.keyword = .kDO
          return t
        }
        if before == .beg {
          t.keyword = entry.0
          return t
        }
        if entry.0 != entry.1 { state = .beg }
        t.keyword = entry.1
        return t
      }
      if state == .beg || state == .mid || state == .dot || state == .arg || state == .cmdarg {
        state = commandState ? .cmdarg : .arg
      } else {
        state = .end
      }
    }
    if lastState != .dot && !lvars.isEmpty && lvars.contains(String(decoding: src[start..<pos], as: UTF8.self)) {
      state = .end
    }
    return token(kind, start)
  }

  // MARK: - Numbers

  private mutating func parseNumber(start: Int) throws(RubyLexError) -> Token {
    state = .end
    let s = pos
    func at(_ k: Int) -> UInt8? { k < end ? src[k] : nil }
    func isWordAt(_ k: Int) -> Bool { at(k).map(RubyLexer.isWord) ?? false }
    func lower(_ c: UInt8?) -> UInt8? { c.map { $0 | 0x20 } }

    if src[s] == UInt8(ascii: "0") {
      let p = lower(at(s + 1))
      // `0x`, `0b`, `0d` with nothing after.
      if p == UInt8(ascii: "x") || p == UInt8(ascii: "b") || p == UInt8(ascii: "d"), !isWordAt(s + 2) {
        throw error("Invalid numeric format")
      }
      if p == UInt8(ascii: "x") || p == UInt8(ascii: "b") || p == UInt8(ascii: "d") {
        let base = p == UInt8(ascii: "x") ? 16 : (p == UInt8(ascii: "b") ? 2 : 10)
        var k = s + 2
        while let c = at(k), c == UInt8(ascii: "_") || digitValue(c).map({ $0 < base }) == true { k += 1 }
        if k > s + 2 {
          pos = k
          return try integerToken(start: start, digits: src[(s + 2)..<k], base: base)
        }
      }
      // Octal: 0[Oo]?[0-7_]*[89] is an error, 0[Oo]?[0-7_]+ or 0[Oo] is octal.
      var k = s + 1
      if let c = at(k), c == UInt8(ascii: "o") || c == UInt8(ascii: "O") { k += 1 }
      let digitsStart = k
      while let c = at(k), (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7")) || c == UInt8(ascii: "_") { k += 1 }
      if let c = at(k), c == UInt8(ascii: "8") || c == UInt8(ascii: "9") {
        throw error("Illegal octal digit.")
      }
      if k > digitsStart {
        pos = k
        // Ruby's to_i(8) reads the leading 0 too ("0_1" is 1); after a `0o` prefix, the rest.
        return try integerToken(start: start, digits: src[(digitsStart == s + 1 ? s : digitsStart)..<k], base: 8)
      }
      if digitsStart == s + 2 {
        pos = k
        var t = token(.integer, start)
        t.integer = 0
        return t
      }
    }
    // [\d_]+
    var k = s
    while let c = at(k), RubyLexer.isDigit(c) || c == UInt8(ascii: "_") { k += 1 }
    let intEnd = k
    // Trailing '_' before e or .
    if src[intEnd - 1] == UInt8(ascii: "_"), let c = at(intEnd), c == UInt8(ascii: "e") || c == UInt8(ascii: ".") {
      throw error("Trailing '_' in number.")
    }
    // Float: [\d_]+\.[\d_]+(e[+-]?[\d_]+)?\b  |  [\d_]+e[+-]?[\d_]+\b
    if let floatEnd = floatLiteralEnd(from: intEnd) {
      let text = src[s..<floatEnd]
      if containsDoubleUnderscore(text) { throw error("Invalid numeric format") }
      pos = floatEnd
      var t = token(.float, start)
      let cleaned = String(decoding: text.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
      t.float = Double(cleaned) ?? 0
      return t
    }
    if src[s] == UInt8(ascii: "0") && !isWordAt(s + 1) {
      pos = s + 1
      var t = token(.integer, start)
      t.integer = 0
      return t
    }
    if !isWordAt(intEnd) {
      pos = intEnd
      return try integerToken(start: start, digits: src[s..<intEnd], base: 10)
    }
    throw error("Bad number format")
  }

  private func digitValue(_ c: UInt8) -> Int? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(c - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(c - UInt8(ascii: "A")) + 10
    default: nil
    }
  }

  private func containsDoubleUnderscore(_ text: ArraySlice<UInt8>) -> Bool {
    var previous: UInt8 = 0
    for c in text {
      if c == UInt8(ascii: "_") && previous == UInt8(ascii: "_") { return true }
      previous = c
    }
    return false
  }

  /// The end of a float literal starting at the integer part that ends at `intEnd`, if any.
  private func floatLiteralEnd(from intEnd: Int) -> Int? {
    func at(_ k: Int) -> UInt8? { k < end ? src[k] : nil }
    func isDigitOrUnderscore(_ k: Int) -> Bool {
      at(k).map { RubyLexer.isDigit($0) || $0 == UInt8(ascii: "_") } ?? false
    }
    func boundary(_ k: Int) -> Bool { !(at(k).map(RubyLexer.isWord) ?? false) }
    func exponentEnd(_ k: Int) -> Int? {
      guard let e = at(k), e | 0x20 == UInt8(ascii: "e") else { return nil }
      var m = k + 1
      if let sign = at(m), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { m += 1 }
      let digits = m
      while isDigitOrUnderscore(m) { m += 1 }
      return m > digits ? m : nil
    }
    // First alternative: digits '.' digits (exponent)? \b — with backtracking over the fraction.
    if at(intEnd) == UInt8(ascii: ".") && isDigitOrUnderscore(intEnd + 1) {
      var fractionEnd = intEnd + 1
      while isDigitOrUnderscore(fractionEnd) { fractionEnd += 1 }
      if let e = exponentEnd(fractionEnd), boundary(e) { return e }
      if boundary(fractionEnd) { return fractionEnd }
    }
    if let e = exponentEnd(intEnd), boundary(e) { return e }
    return nil
  }

  private func integerToken(start: Int, digits: ArraySlice<UInt8>, base: Int) throws(RubyLexError) -> Token {
    if containsDoubleUnderscore(src[start..<pos]) { throw error("Invalid numeric format") }
    // Ruby's String#to_i(base): digits with single underscores between them.
    var value = 0
    var overflow = false
    var approximate = 0.0
    var previousDigit = false
    for c in digits {
      if c == UInt8(ascii: "_") {
        if !previousDigit { break }
        previousDigit = false
        continue
      }
      guard let d = digitValue(c), d < base else { break }
      previousDigit = true
      approximate = approximate * Double(base) + Double(d)
      let (m, o1) = value.multipliedReportingOverflow(by: base)
      let (a, o2) = m.addingReportingOverflow(d)
      if o1 || o2 { overflow = true }
      value = a
    }
    if overflow {
      var t = token(.float, start)
      t.float = approximate
      return t
    }
    var t = token(.integer, start)
    t.integer = value
    return t
  }

  // MARK: - Strings, regexps, percent literals

  enum StringMode {
    case double, single, regexp, words, qwords
  }

  private mutating func lexRegexp(start: Int, close: UInt8, open: UInt8?) throws(RubyLexError) -> Token {
    let parts = try readDelimited(open: open, close: close, mode: .regexp)
    var good = ""
    var bad = ""
    while let c = peek(), c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") {
      pos += 1
      if "ixmonesu".utf8.contains(c) {
        good.unicodeScalars.append(UnicodeScalar(c))
      } else {
        bad.unicodeScalars.append(UnicodeScalar(c))
      }
    }
    if !bad.isEmpty {
      throw error("unknown regexp option\(bad.count > 1 ? "s" : "") - \(bad)")
    }
    state = .end
    return literalToken(.regexp, start, parts: parts, flags: good)
  }

  /// `%q(...)`, `%Q{...}`, `%w[...]`, `%W<...>`, `%r|...|`, `%x(...)`, `%s(...)`, `%(...)`.
  private mutating func parseQuote(start: Int) throws(RubyLexError) -> Token {
    var type = UInt8(ascii: "Q")
    if let c = peek(), RubyLexer.isAlpha(c) || RubyLexer.isDigit(c) {
      if let d = peek(1), RubyLexer.isAlpha(d) || RubyLexer.isDigit(d) {
        throw error("unknown type of %string")
      }
      type = c
      pos += 1
    }
    guard let begin = peek() else { throw error("unterminated quoted string meets end of file") }
    pos += 1
    let pairs: [UInt8: UInt8] = [
      UInt8(ascii: "("): UInt8(ascii: ")"), UInt8(ascii: "["): UInt8(ascii: "]"),
      UInt8(ascii: "{"): UInt8(ascii: "}"), UInt8(ascii: "<"): UInt8(ascii: ">"),
    ]
    let close = pairs[begin] ?? begin
    let open: UInt8? = pairs[begin] == nil ? nil : begin
    switch type {
    case UInt8(ascii: "Q"), UInt8(ascii: "q"):
      let parts = try readDelimited(open: open, close: close, mode: type == UInt8(ascii: "q") ? .single : .double)
      state = .end
      return literalToken(.string, start, parts: parts)
    case UInt8(ascii: "W"), UInt8(ascii: "w"):
      let words = try readWords(open: open, close: close, interpolate: type == UInt8(ascii: "W"))
      state = .end
      return literalToken(type == UInt8(ascii: "w") ? .qwords : .words, start, words: words)
    case UInt8(ascii: "x"):
      let parts = try readDelimited(open: open, close: close, mode: .double)
      state = .end
      return literalToken(.xstring, start, parts: parts)
    case UInt8(ascii: "r"):
      return try lexRegexp(start: start, close: close, open: open)
    case UInt8(ascii: "s"):
      let parts = try readDelimited(open: open, close: close, mode: .single)
      state = .end
      return literalToken(.dsym, start, parts: parts)
    default:
      throw error("Bad %string type. Expected [Qqwxr\\W], found '\(UnicodeScalar(type))'.")
    }
  }

  private mutating func readWords(open: UInt8?, close: UInt8, interpolate: Bool) throws(RubyLexError) -> [[StringPart]]
  {
    let parts = try readDelimited(open: open, close: close, mode: interpolate ? .words : .qwords)
    // Words are separated by unescaped whitespace; readDelimited marks separators with 0xFF.
    var words: [[StringPart]] = []
    var current: [StringPart] = []
    var text: [UInt8] = []
    func flushText() {
      if !text.isEmpty {
        current.append(.text(text))
        text = []
      }
    }
    for part in parts {
      switch part {
      case .text(let bytes):
        for b in bytes {
          if b == 0xFF {
            flushText()
            if !current.isEmpty {
              words.append(current)
              current = []
            }
          } else {
            text.append(b)
          }
        }
      default:
        flushText()
        current.append(part)
      }
    }
    flushText()
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// Reads a delimited literal body up to `close` (nesting `open`/`close` pairs), handling the
  /// escapes of its kind and `#{...}` interpolation where the kind allows it.
  private mutating func readDelimited(open: UInt8?, close: UInt8, mode: StringMode) throws(RubyLexError)
    -> [StringPart]
  {
    if open == nil && (mode == .double || mode == .single) {
      // Fast path: no escape and no `#` before the closing quote.
      var k = pos
      while k < end && src[k] != close && src[k] != 0x5C && !(mode == .double && src[k] == UInt8(ascii: "#")) {
        k += 1
      }
      if k < end && src[k] == close {
        let text = Array(src[pos..<k])
        pos = k + 1
        return [.text(text)]
      }
    }
    var parts: [StringPart] = []
    var text: [UInt8] = []
    var depth = 0
    let interpolates = mode == .double || mode == .regexp || mode == .words
    let splitsWords = mode == .words || mode == .qwords
    if splitsWords { while let c = peek(), RubyLexer.isSpace(c) { pos += 1 } }
    while true {
      guard let c = peek() else {
        throw error(mode == .regexp ? "unterminated regexp meets end of file" : "unterminated string meets end of file")
      }
      if let open, c == open {
        depth += 1
        text.append(c)
        pos += 1
        continue
      }
      if c == close {
        if depth == 0 {
          pos += 1
          break
        }
        depth -= 1
        text.append(c)
        pos += 1
        continue
      }
      if splitsWords && RubyLexer.isSpace(c) {
        while let s = peek(), RubyLexer.isSpace(s) { pos += 1 }
        text.append(0xFF)
        continue
      }
      if c == 0x5C {
        pos += 1
        guard let e = peek() else { throw error("unterminated string meets end of file") }
        switch mode {
        case .single, .qwords:
          if e == close || e == 0x5C || (open != nil && e == open) || (splitsWords && RubyLexer.isSpace(e)) {
            text.append(e)
          } else {
            text.append(0x5C)
            text.append(e)
          }
          pos += 1
        case .regexp:
          if e == close {
            text.append(e)
          } else if e == 0x0A {
            // escaped newline: dropped
          } else {
            text.append(0x5C)
            text.append(e)
          }
          pos += 1
        case .double, .words:
          if e == close || (open != nil && e == open) || (mode == .words && RubyLexer.isSpace(e)) {
            text.append(e)
            pos += 1
          } else {
            try readEscape(into: &text)
          }
        }
        continue
      }
      if interpolates && c == UInt8(ascii: "#"), let n = peek(1) {
        if n == UInt8(ascii: "{") {
          if !text.isEmpty {
            parts.append(.text(text))
            text = []
          }
          pos += 2
          let codeStart = pos
          let codeEnd = try interpolationEnd()
          parts.append(.code(codeStart..<codeEnd))
          pos = codeEnd + 1
          continue
        }
        if n == UInt8(ascii: "@") || n == UInt8(ascii: "$") {
          var k = pos + 2
          if n == UInt8(ascii: "@") && k < end && src[k] == UInt8(ascii: "@") { k += 1 }
          if k < end && (RubyLexer.isAlpha(src[k]) || src[k] == UInt8(ascii: "_")) {
            if !text.isEmpty {
              parts.append(.text(text))
              text = []
            }
            var e = k
            while e < end && RubyLexer.isWord(src[e]) { e += 1 }
            parts.append(.variable(String(decoding: src[(pos + 1)..<e], as: UTF8.self)))
            pos = e
            continue
          }
        }
      }
      text.append(c)
      pos += 1
    }
    if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
    return parts
  }

  /// The `}` closing an interpolation opened just before `pos`.
  private func interpolationEnd() throws(RubyLexError) -> Int {
    var k = pos
    var depth = 0
    while k < end {
      let c = src[k]
      if c == UInt8(ascii: "{") {
        depth += 1
      } else if c == UInt8(ascii: "}") {
        if depth == 0 { return k }
        depth -= 1
      } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        var m = k + 1
        while m < end && src[m] != c {
          if src[m] == 0x5C { m += 1 }
          m += 1
        }
        k = m
      } else if c == 0x5C {
        k += 1
      }
      k += 1
    }
    throw RubyLexError(message: "unterminated string meets end of file", offset: pos)
  }

  /// ruby_parser's escape reading for double-quoted strings (pos is after the backslash).
  private mutating func readEscape(into out: inout [UInt8]) throws(RubyLexError) {
    guard let c = peek() else { throw error("Invalid escape character syntax") }
    pos += 1
    switch c {
    case UInt8(ascii: "a"): out.append(0x07)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "e"): out.append(0x1B)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "s"): out.append(0x20)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "v"): out.append(0x0B)
    case 0x5C: out.append(0x5C)
    case 0x0A: break
    case UInt8(ascii: "0")...UInt8(ascii: "7"):
      var value = Int(c - UInt8(ascii: "0"))
      var count = 1
      while count < 3, let d = peek(), d >= UInt8(ascii: "0") && d <= UInt8(ascii: "7") {
        value = value * 8 + Int(d - UInt8(ascii: "0"))
        pos += 1
        count += 1
      }
      guard value < 256 else { throw error("\(value) out of char range") }
      out.append(UInt8(value))
    case UInt8(ascii: "x"):
      var value = 0
      var count = 0
      while count < 2, let d = peek(), let v = digitValue(d) {
        value = value * 16 + v
        pos += 1
        count += 1
      }
      guard count > 0 else { throw error("Invalid escape character syntax") }
      out.append(UInt8(value))
    case UInt8(ascii: "M"):
      guard peek() == UInt8(ascii: "-"), let d = peek(1), d != 0x5C else {
        throw error("Invalid escape character syntax")
      }
      pos += 2
      out.append(d | 0x80)
    case UInt8(ascii: "C"), UInt8(ascii: "c"):
      if c == UInt8(ascii: "C") {
        guard peek() == UInt8(ascii: "-") else { throw error("Invalid escape character syntax") }
        pos += 1
      }
      guard let d = peek(), d != 0x5C else { throw error("Invalid escape character syntax") }
      pos += 1
      out.append(d == UInt8(ascii: "?") ? 0x7F : d & 0x9F)
    default:
      // Any other escaped character stands for itself (a whole UTF-8 sequence).
      out.append(c)
      var remaining = utf8Length(c) - 1
      while remaining > 0, let d = peek() {
        out.append(d)
        pos += 1
        remaining -= 1
      }
    }
  }
}
