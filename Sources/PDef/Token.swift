/// What the lexer saw at one place of a DSL definition.
///
/// Keywords (`do`, `end`, `true`, `nil`, `if`, ...) stay identifiers: the
/// parser decides what they mean where they stand, which lets it name the
/// keyword in its error messages.
enum TokenKind: UInt8 {
  /// A lower-case or `_` word: an expression name, a keyword or a bare word.
  case identifier
  /// A capitalised word (`Ruote`, `Kernel`).
  case constant
  /// A Ruby 1.9 hash key: `ref:` or `"ref":` (the text is without the colon).
  case label
  case string
  case symbol
  case integer
  case float
  /// A `/regex/flags` literal, kept as its text; ruote stored regexes as "/.../" strings.
  case regex
  case comma, hashRocket, leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
  case plus, minus, equalEqual, notEqual, dot, doubleColon, semicolon, newline
  /// Any other operator or stray character (`=`, `<`, `&&`, `$`, `@`, `?`, a backtick, ...):
  /// valid Ruby perhaps, but outside the process-definition subset. The text is the character(s).
  case other
  /// A lexical error (unterminated string, bad escape); the text is the message,
  /// reported by the parser when it gets there.
  case invalid
  case endOfFile

  /// Whether the token carries a text in `TokenList.texts`.
  var hasText: Bool {
    switch self {
    case .identifier, .constant, .label, .string, .symbol, .regex, .other, .invalid: true
    default: false
    }
  }
}

/// One lexed token with where it starts.
///
/// Plain data (no strings inside), so the parser copies tokens freely:
/// texts live in `TokenList.texts`, numbers in `payload`.
struct Token {
  var kind: TokenKind
  /// Whether blank space (or a line start) precedes the token: `foo(1)` and
  /// `foo (1)` differ in Ruby.
  var spaceBefore: Bool
  var location: SourceLocation
  /// The index of the token's text for text-bearing kinds, the value of an
  /// integer, the bit pattern of a float.
  var payload: Int

  var integerValue: Int { payload }
  var floatValue: Double { Double(bitPattern: UInt64(UInt(bitPattern: payload))) }

  /// True where a statement may end: end of line, `;`, end of file.
  var isStatementSeparator: Bool {
    kind == .newline || kind == .semicolon || kind == .endOfFile
  }
}

/// The lexer's output: tokens ending with `.endOfFile`, and their texts.
struct TokenList {
  var tokens: [Token] = []
  var texts: [String] = []

  func text(_ token: Token) -> String {
    token.kind.hasText && token.payload >= 0 && token.payload < texts.count ? texts[token.payload] : ""
  }

  /// Whether `token` is the identifier `word` (`do`, `end`, `true`, ...).
  func isWord(_ token: Token, _ word: String) -> Bool {
    token.kind == .identifier && text(token) == word
  }

  /// How the token reads in an error message.
  func quoted(_ token: Token) -> String {
    switch token.kind {
    case .identifier, .constant: return "`\(text(token))`"
    case .label: return "`\(text(token)):`"
    case .string: return "the string '\(text(token).prefix(40))'"
    case .symbol: return "the symbol `:\(text(token))`"
    case .integer: return "the number \(token.integerValue)"
    case .float: return "the number \(RubyLiteral.float(token.floatValue))"
    case .regex: return "the regular expression \(text(token))"
    case .comma: return "`,`"
    case .hashRocket: return "`=>`"
    case .leftParen: return "`(`"
    case .rightParen: return "`)`"
    case .leftBracket: return "`[`"
    case .rightBracket: return "`]`"
    case .leftBrace: return "`{`"
    case .rightBrace: return "`}`"
    case .plus: return "`+`"
    case .minus: return "`-`"
    case .equalEqual: return "`==`"
    case .notEqual: return "`!=`"
    case .dot: return "`.`"
    case .doubleColon: return "`::`"
    case .semicolon: return "`;`"
    case .newline: return "the end of the line"
    case .other: return TokenList.describeCharacter(text(token))
    case .invalid: return text(token)
    case .endOfFile: return "the end of the file"
    }
  }

  /// Text for a stray character: control characters and NUL by code point,
  /// as they are invisible in an editor.
  static func describeCharacter(_ s: String) -> String {
    if s == "\u{0}" { return "a NUL byte (U+0000)" }
    if s.contains("\u{FFFD}") { return "an invalid UTF-8 byte sequence" }
    if let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1,
      scalar.value < 0x20 || scalar.value == 0x7F
    {
      let hex = String(scalar.value, radix: 16, uppercase: true)
      return "the control character U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
    return "`\(s)`"
  }
}
