/// Turns the text of a DSL definition into tokens, over its UTF-8 bytes.
///
/// The lexer never fails: a lexical error becomes an `.invalid` token and
/// ends the token list, so the parser reports errors in source order (a
/// syntax error on line 3 is reported before an unterminated string on line
/// 40). Every loop consumes at least one byte per iteration, so no input can
/// make it spin.
struct Lexer {
  let bytes: [UInt8]
  var position = 0
  var output = TokenList()
  /// Set once `.endOfFile` is emitted; no token follows it.
  private(set) var finished = false
  private var lastWasNewline = false

  /// Incremental line/column tracking: locations are requested at
  /// increasing positions, so counting from the last one keeps lexing linear.
  private var countedUpTo = 0
  private var countedLine = 1
  private var countedColumn = 1

  init(text: String) {
    var bytes = Array(text.utf8)
    // A UTF-8 byte order mark is invisible in editors; Ruby skips it too.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    self.bytes = bytes
    output.tokens.reserveCapacity(bytes.count / 6 + 2)
  }

  /// All tokens, ending with `.endOfFile` (preceded by `.invalid` on a lexical error).
  static func tokenize(_ text: String) -> TokenList {
    var lexer = Lexer(text: text)
    lexer.run()
    return lexer.output
  }

  /// The source text between two byte offsets, decoded through the
  /// contiguous-buffer fast path (an `ArraySlice` takes a slow generic one).
  func text(_ start: Int, _ end: Int) -> String {
    bytes.withUnsafeBufferPointer { buffer in
      String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }
  }

  func byte(at index: Int) -> UInt8? {
    index >= 0 && index < bytes.count ? bytes[index] : nil
  }

  mutating func location(at index: Int) -> SourceLocation {
    let target = min(index, bytes.count)
    if target < countedUpTo {
      // Not expected (locations are asked for in order), but stay correct.
      countedUpTo = 0
      countedLine = 1
      countedColumn = 1
    }
    var line = countedLine
    var column = countedColumn
    bytes.withUnsafeBufferPointer { buffer in
      for i in countedUpTo..<target {
        let b = buffer[i]
        if b == 0x0A {
          line += 1
          column = 1
        } else {
          column &+= b & 0xC0 != 0x80 ? 1 : 0
        }
      }
    }
    countedUpTo = target
    countedLine = line
    countedColumn = column
    return SourceLocation(line: line, column: column)
  }

  mutating func emit(_ kind: TokenKind, at start: Int, spaceBefore: Bool, payload: Int = 0) {
    output.tokens.append(Token(kind: kind, spaceBefore: spaceBefore, location: location(at: start), payload: payload))
    lastWasNewline = kind == .newline
    if kind == .endOfFile { finished = true }
  }

  mutating func emit(_ kind: TokenKind, text: String, at start: Int, spaceBefore: Bool) {
    emit(kind, at: start, spaceBefore: spaceBefore, payload: output.texts.count)
    output.texts.append(text)
  }

  mutating func fail(_ message: String, at start: Int) {
    emit(.invalid, text: message, at: start, spaceBefore: true)
    emit(.endOfFile, at: bytes.count, spaceBefore: true)
  }

  private var atLineStart: Bool { position == 0 || bytes[position - 1] == 0x0A }

  private mutating func run() {
    var spaceBefore = true
    while true {
      if atLineStart, let first = byte(at: position), first == UInt8(ascii: "=") || first == UInt8(ascii: "_") {
        if lineStarts(with: Lexer.beginMarker) {
          let start = position
          guard skipBlockComment() else {
            let at = location(at: start)
            fail("`=begin` comment started at \(at) is never closed by `=end`", at: start)
            return
          }
          spaceBefore = true
          continue
        }
        if lineIsEndMarker() { break }
      }
      guard let b = byte(at: position) else { break }
      switch b {
      case 0x20, 0x09, 0x0D, 0x0C, 0x0B:
        position += 1
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        spaceBefore = true
        continue
      case UInt8(ascii: "\\") where byte(at: position + 1) == 0x0A:
        // Ruby line continuation.
        position += 2
        spaceBefore = true
        continue
      case UInt8(ascii: "\\") where byte(at: position + 1) == 0x0D && byte(at: position + 2) == 0x0A:
        position += 3
        spaceBefore = true
        continue
      case UInt8(ascii: "#"):
        while let c = byte(at: position), c != 0x0A { position += 1 }
        continue
      case 0x0A:
        if !lastWasNewline { emit(.newline, at: position, spaceBefore: spaceBefore) }
        position += 1
        spaceBefore = true
        continue
      default:
        break
      }
      let start = position
      lexToken(spaceBefore: spaceBefore)
      if finished { return }
      // Defensive: a token must consume input, or the loop would spin.
      if position == start { position += 1 }
      spaceBefore = false
    }
    emit(.endOfFile, at: bytes.count, spaceBefore: true)
  }

  private static let beginMarker = Array("=begin".utf8)
  private static let endMarker = Array("=end".utf8)
  private static let dataMarker = Array("__END__".utf8)

  private func lineStarts(with w: [UInt8]) -> Bool {
    guard position + w.count <= bytes.count, bytes[position..<position + w.count].elementsEqual(w) else {
      return false
    }
    guard let next = byte(at: position + w.count) else { return true }
    return next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D
  }

  /// `__END__` alone on a line ends the Ruby source.
  private func lineIsEndMarker() -> Bool {
    let marker = Lexer.dataMarker
    guard position + marker.count <= bytes.count,
      bytes[position..<position + marker.count].elementsEqual(marker)
    else { return false }
    let next = byte(at: position + marker.count)
    return next == nil || next == 0x0A || (next == 0x0D && byte(at: position + marker.count + 1) == 0x0A)
  }

  /// Skips `=begin ... =end`; false when `=end` never comes.
  private mutating func skipBlockComment() -> Bool {
    while position < bytes.count {
      // Move to the next line.
      while let c = byte(at: position), c != 0x0A { position += 1 }
      guard position < bytes.count else { return false }
      position += 1
      if lineStarts(with: Lexer.endMarker) {
        while let c = byte(at: position), c != 0x0A { position += 1 }
        return true
      }
    }
    return false
  }

  private mutating func lexToken(spaceBefore: Bool) {
    let start = position
    let b = bytes[position]
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
      lexWord(spaceBefore: spaceBefore)
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      lexNumber(spaceBefore: spaceBefore)
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      position += 1
      guard let text = scanQuoted(quote: b, openedAt: start) else { return }
      // Ruby 2.2 `"key": value`.
      if byte(at: position) == UInt8(ascii: ":"), byte(at: position + 1) != UInt8(ascii: ":") {
        position += 1
        emit(.label, text: text, at: start, spaceBefore: spaceBefore)
      } else {
        emit(.string, text: text, at: start, spaceBefore: spaceBefore)
      }
    case UInt8(ascii: ":"):
      lexColon(spaceBefore: spaceBefore)
    case UInt8(ascii: "/") where regexAllowed(spaceBefore: spaceBefore):
      position += 1
      guard let text = scanRegex(openedAt: start) else { return }
      emit(.regex, text: text, at: start, spaceBefore: spaceBefore)
    default:
      lexPunctuation(spaceBefore: spaceBefore)
    }
  }

  private mutating func lexWord(spaceBefore: Bool) {
    let start = position
    while let c = byte(at: position), Lexer.isWordByte(c) { position += 1 }
    let word = text(start, position)
    // `name:` (but not `name::`) is a Ruby 1.9 hash key.
    if byte(at: position) == UInt8(ascii: ":"), byte(at: position + 1) != UInt8(ascii: ":") {
      position += 1
      emit(.label, text: word, at: start, spaceBefore: spaceBefore)
      return
    }
    let first = bytes[start]
    if first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") {
      emit(.constant, text: word, at: start, spaceBefore: spaceBefore)
    } else {
      emit(.identifier, text: word, at: start, spaceBefore: spaceBefore)
    }
  }

  static func isWordByte(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
  }

  private mutating func lexColon(spaceBefore: Bool) {
    let start = position
    let next = byte(at: position + 1)
    if next == UInt8(ascii: ":") {
      position += 2
      emit(.doubleColon, at: start, spaceBefore: spaceBefore)
      return
    }
    if next == UInt8(ascii: "\"") || next == UInt8(ascii: "'") {
      position += 2
      guard let text = scanQuoted(quote: next ?? 0, openedAt: start) else { return }
      emit(.symbol, text: text, at: start, spaceBefore: spaceBefore)
      return
    }
    if let next, Lexer.isWordByte(next), !(next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) {
      position += 1
      let nameStart = position
      while let c = byte(at: position), Lexer.isWordByte(c) { position += 1 }
      // Ruby symbols may end in ? or !, or = when no `=>`/`==`/`=~` follows.
      if let c = byte(at: position) {
        if c == UInt8(ascii: "?") || c == UInt8(ascii: "!") {
          if byte(at: position + 1) != UInt8(ascii: "=") { position += 1 }
        } else if c == UInt8(ascii: "=") {
          let after = byte(at: position + 1)
          if after != UInt8(ascii: ">") && after != UInt8(ascii: "=") && after != UInt8(ascii: "~") { position += 1 }
        }
      }
      let name = text(nameStart, position)
      emit(.symbol, text: name, at: start, spaceBefore: spaceBefore)
      return
    }
    position += 1
    emit(.other, text: ":", at: start, spaceBefore: spaceBefore)
  }

  /// Whether a `/` starts a regular expression rather than being a division,
  /// decided like Ruby does from what precedes it.
  private func regexAllowed(spaceBefore: Bool) -> Bool {
    guard let previous = output.tokens.last else { return true }
    switch previous.kind {
    case .newline, .semicolon, .comma, .hashRocket, .leftParen, .leftBracket, .leftBrace, .label, .plus, .minus,
      .equalEqual, .notEqual, .other:
      return true
    case .identifier:
      // `on_error /x/ => 'h'`: an argument, when space precedes and none follows.
      let next = byte(at: position + 1)
      return spaceBefore && next != 0x20 && next != 0x09
    default:
      return false
    }
  }

  private mutating func lexPunctuation(spaceBefore: Bool) {
    let start = position
    let b = bytes[position]
    let next = byte(at: position + 1)
    func take(_ count: Int, _ kind: TokenKind) {
      position += count
      emit(kind, at: start, spaceBefore: spaceBefore)
    }
    func other(_ count: Int) {
      let text = text(position, position + count)
      position += count
      emit(.other, text: text, at: start, spaceBefore: spaceBefore)
    }
    switch b {
    case UInt8(ascii: ","): take(1, .comma)
    case UInt8(ascii: ";"): take(1, .semicolon)
    case UInt8(ascii: "("): take(1, .leftParen)
    case UInt8(ascii: ")"): take(1, .rightParen)
    case UInt8(ascii: "["): take(1, .leftBracket)
    case UInt8(ascii: "]"): take(1, .rightBracket)
    case UInt8(ascii: "{"): take(1, .leftBrace)
    case UInt8(ascii: "}"): take(1, .rightBrace)
    case UInt8(ascii: "+"): take(1, .plus)
    case UInt8(ascii: "-"): take(1, .minus)
    case UInt8(ascii: "."):
      if next == UInt8(ascii: ".") { other(2) } else { take(1, .dot) }
    case UInt8(ascii: "="):
      switch next {
      case UInt8(ascii: ">"): take(2, .hashRocket)
      case UInt8(ascii: "="):
        if byte(at: position + 2) == UInt8(ascii: "=") { other(3) } else { take(2, .equalEqual) }
      case UInt8(ascii: "~"): other(2)
      default: other(1)
      }
    case UInt8(ascii: "!"):
      switch next {
      case UInt8(ascii: "="): take(2, .notEqual)
      case UInt8(ascii: "~"): other(2)
      default: other(1)
      }
    case UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "*"), UInt8(ascii: "<"), UInt8(ascii: ">"):
      // Two-character forms (&&, ||, **, <=, >=, <<, >>) read better in messages.
      if let next, next == b || next == UInt8(ascii: "=") { other(2) } else { other(1) }
    case 0x80...0xFF:
      // A whole UTF-8 sequence (or one invalid byte) as one stray character.
      var end = position + 1
      while end < bytes.count, end - position < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
      other(end - position)
    default:
      other(1)
    }
  }
}
