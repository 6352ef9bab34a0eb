/// Ruby string, symbol and regular-expression literals.
///
/// Double quotes understand Ruby's escapes (`\n \t \r \e \s \a \b \f \v \0`,
/// octal `\NNN`, `\xHH`, `\uXXXX`, `\u{...}`, an escaped newline joining
/// lines, and any other escaped character standing for itself); single
/// quotes only `\\` and `\'`.
///
/// `#{...}` interpolation is never evaluated: the text is kept as written,
/// `#{` and `}` included. Under ruote the Ruby interpreter would have run it
/// (and failed the read for any name it did not know); BOSS definitions only
/// ever had it inside single quotes, where it is plain text anyway.
extension Lexer {
  /// Scans a quoted literal whose opening quote is just before `position`.
  /// Returns nil after emitting an `.invalid` token when the literal is bad.
  mutating func scanQuoted(quote: UInt8, openedAt start: Int) -> String? {
    let double = quote == UInt8(ascii: "\"")
    var buffer: [UInt8] = []
    var segmentStart = position
    func flush(_ upTo: Int) {
      if upTo > segmentStart { buffer.append(contentsOf: bytes[segmentStart..<upTo]) }
    }
    while true {
      guard let b = byte(at: position) else {
        let at = location(at: start)
        fail("unterminated string started at \(at): add the closing \(double ? "\"" : "'")", at: bytes.count)
        return nil
      }
      if b == quote {
        // Without escapes the literal is a plain slice of the source.
        let value: String
        if buffer.isEmpty {
          value = text(segmentStart, position)
        } else {
          flush(position)
          value = String(decoding: buffer, as: UTF8.self)
        }
        position += 1
        return value
      }
      if b == UInt8(ascii: "\\") {
        flush(position)
        let escapeStart = position
        position += 1
        guard let e = byte(at: position) else { continue }  // reported as unterminated above
        if double {
          guard decodeEscape(e, into: &buffer, escapeStart: escapeStart) else { return nil }
        } else {
          position += 1
          if e == UInt8(ascii: "\\") || e == quote {
            buffer.append(e)
          } else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(e)
          }
        }
        segmentStart = position
        continue
      }
      if double && b == UInt8(ascii: "#") && byte(at: position + 1) == UInt8(ascii: "{") {
        // Kept literally; skip to the matching brace so quotes inside it do
        // not end the string, as in Ruby.
        position += 2
        var depth = 1
        while depth > 0, let c = byte(at: position) {
          if c == UInt8(ascii: "{") { depth += 1 }
          if c == UInt8(ascii: "}") { depth -= 1 }
          position += 1
        }
        continue
      }
      position += 1
    }
  }

  /// Decodes the escape whose character `e` is at `position`; appends the bytes.
  private mutating func decodeEscape(_ e: UInt8, into buffer: inout [UInt8], escapeStart: Int) -> Bool {
    position += 1
    switch e {
    case UInt8(ascii: "n"): buffer.append(0x0A)
    case UInt8(ascii: "t"): buffer.append(0x09)
    case UInt8(ascii: "r"): buffer.append(0x0D)
    case UInt8(ascii: "e"): buffer.append(0x1B)
    case UInt8(ascii: "s"): buffer.append(0x20)
    case UInt8(ascii: "a"): buffer.append(0x07)
    case UInt8(ascii: "b"): buffer.append(0x08)
    case UInt8(ascii: "f"): buffer.append(0x0C)
    case UInt8(ascii: "v"): buffer.append(0x0B)
    case 0x0A: break  // escaped newline: the lines are joined
    case UInt8(ascii: "0")...UInt8(ascii: "7"):
      var value = Int(e - UInt8(ascii: "0"))
      var digits = 1
      while digits < 3, let d = byte(at: position), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") {
        value = value * 8 + Int(d - UInt8(ascii: "0"))
        digits += 1
        position += 1
      }
      buffer.append(UInt8(value & 0xFF))
    case UInt8(ascii: "x"):
      var value = 0
      var digits = 0
      while digits < 2, let d = byte(at: position), let v = Lexer.hexValue(d) {
        value = value * 16 + v
        digits += 1
        position += 1
      }
      guard digits > 0 else {
        fail("invalid escape `\\x` in a string: write two hex digits, as in \\x41", at: escapeStart)
        return false
      }
      buffer.append(UInt8(value))
    case UInt8(ascii: "u"):
      return decodeUnicodeEscape(into: &buffer, escapeStart: escapeStart)
    case UInt8(ascii: "c"), UInt8(ascii: "C"), UInt8(ascii: "M"):
      fail(
        "control and meta escapes (\\c, \\C-, \\M-) are not supported in process definitions; use \\xHH",
        at: escapeStart)
      return false
    default:
      // Ruby keeps the escaped character itself (`\"`, `\\`, `\#`, `\q`).
      buffer.append(e)
    }
    return true
  }

  private mutating func decodeUnicodeEscape(into buffer: inout [UInt8], escapeStart: Int) -> Bool {
    func append(_ value: Int) -> Bool {
      guard let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: value)), value <= 0x10FFFF else {
        return false
      }
      buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
      return true
    }
    let badEscape = "invalid Unicode escape in a string: write \\uXXXX with four hex digits or \\u{X...}"
    if byte(at: position) == UInt8(ascii: "{") {
      position += 1
      var sawAny = false
      while true {
        while byte(at: position) == 0x20 || byte(at: position) == 0x09 { position += 1 }
        if byte(at: position) == UInt8(ascii: "}") {
          position += 1
          break
        }
        var value = 0
        var digits = 0
        while let d = byte(at: position), let v = Lexer.hexValue(d), digits < 7 {
          value = value * 16 + v
          digits += 1
          position += 1
        }
        guard digits > 0, digits <= 6, append(value) else {
          fail(badEscape, at: escapeStart)
          return false
        }
        sawAny = true
      }
      guard sawAny else {
        fail(badEscape, at: escapeStart)
        return false
      }
      return true
    }
    var value = 0
    for _ in 0..<4 {
      guard let d = byte(at: position), let v = Lexer.hexValue(d) else {
        fail(badEscape, at: escapeStart)
        return false
      }
      value = value * 16 + v
      position += 1
    }
    guard append(value) else {
      fail(badEscape, at: escapeStart)
      return false
    }
    return true
  }

  static func hexValue(_ d: UInt8) -> Int? {
    switch d {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(d - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(d - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(d - UInt8(ascii: "A")) + 10
    default: return nil
    }
  }

  /// Scans `/.../flags` (the opening slash already consumed) and returns its
  /// text as written, the way ruote stored regular expressions in trees.
  mutating func scanRegex(openedAt start: Int) -> String? {
    while true {
      guard let b = byte(at: position) else {
        let at = location(at: start)
        fail("unterminated regular expression started at \(at): add the closing /", at: bytes.count)
        return nil
      }
      position += 1
      if b == UInt8(ascii: "\\") {
        if position < bytes.count { position += 1 }
        continue
      }
      if b == UInt8(ascii: "/") { break }
    }
    while let f = byte(at: position), "imxounse".utf8.contains(f) { position += 1 }
    return text(start, position)
  }

  /// Integers (decimal, `0x`, `0b`, `0o`/leading-0 octal, `_` separators) and floats.
  mutating func lexNumber(spaceBefore: Bool) {
    let start = position
    var radix = 10
    var digitsStart = position
    if bytes[position] == UInt8(ascii: "0"), let p = byte(at: position + 1) {
      switch p {
      case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16
      case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2
      case UInt8(ascii: "o"), UInt8(ascii: "O"): radix = 8
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): radix = 8
      default: break
      }
      if radix != 10 {
        position += (p == UInt8(ascii: "_") || (p >= UInt8(ascii: "0") && p <= UInt8(ascii: "9"))) ? 1 : 2
        digitsStart = position
      }
    }
    var isFloat = false
    while let c = byte(at: position), Lexer.hexValue(c) != nil || c == UInt8(ascii: "_") {
      if radix != 16 && !(c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) && c != UInt8(ascii: "_") { break }
      position += 1
    }
    if radix == 10, byte(at: position) == UInt8(ascii: "."), let d = byte(at: position + 1),
      d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9")
    {
      isFloat = true
      position += 1
      while let c = byte(at: position), (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") {
        position += 1
      }
    }
    if radix == 10, let e = byte(at: position), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      var p = position + 1
      if let s = byte(at: p), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { p += 1 }
      if let d = byte(at: p), d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") {
        isFloat = true
        position = p
        while let c = byte(at: position), c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { position += 1 }
      }
    }
    // `2h`, `30s`, `1m`: a duration written without quotes.
    var suffixEnd = position
    while let c = byte(at: suffixEnd), Lexer.isWordByte(c) { suffixEnd += 1 }
    let written = text(start, suffixEnd)
    if suffixEnd > position {
      position = suffixEnd
      fail("`\(written)` is not a number: quote it ('\(written)'), durations are strings", at: start)
      return
    }
    let digits = String(decoding: bytes[digitsStart..<position].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    if isFloat {
      guard let value = Double(digits), value.isFinite else {
        fail("`\(written)` is not a number robogrator can store", at: start)
        return
      }
      emit(.float, at: start, spaceBefore: spaceBefore, payload: Int(bitPattern: UInt(value.bitPattern)))
    } else {
      guard !digits.isEmpty, let value = Int(digits, radix: radix) else {
        let reason = digits.isEmpty || radix != 10 ? "not a valid number" : "too large a number"
        fail("`\(written)` is \(reason)", at: start)
        return
      }
      emit(.integer, at: start, spaceBefore: spaceBefore, payload: value)
    }
  }
}
