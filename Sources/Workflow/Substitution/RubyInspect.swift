import OrderedJSON

/// Ruby's `inspect` / `to_s` renderings (ruby 1.9–3.3 style), as `${...}` pastes non-string values (§4.4).
public enum RubyInspect {
  /// Deeper nesting than this renders as `...` instead of recursing further.
  static let maxDepth = 256

  /// The text `${...}` pastes for a value: null/missing → "", a string → itself, anything else → `inspect`.
  public static func render(_ value: JSONValue?) -> String {
    var out: [UInt8] = []
    appendRender(value, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Ruby `inspect` of a JSON value: `["a", "b"]`, `{"k"=>1}`, `nil`, `2.0`, `1.0e+20`.
  public static func inspect(_ value: JSONValue) -> String {
    var out: [UInt8] = []
    appendInspect(value, to: &out, depth: 0)
    return String(decoding: out, as: UTF8.self)
  }

  /// Ruby `String#inspect`: double quotes, escapes for quotes, backslashes, `#{`/`#$`/`#@` and control characters.
  public static func inspect(string: String) -> String {
    var out: [UInt8] = []
    appendInspect(string: string, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Ruby `Float#to_s`: `2.0`, `1.5`, `1.0e+20`, `1.0e-05`, `100000000000000.0`.
  public static func floatString(_ value: Double) -> String {
    var out: [UInt8] = []
    appendFloat(value, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func appendRender(_ value: JSONValue?, to out: inout [UInt8]) {
    switch value {
    case .none, .some(.null): return
    case .some(.string(let s)): out.append(contentsOf: s.utf8)
    case .some(let v): appendInspect(v, to: &out, depth: 0)
    }
  }

  static func appendInspect(_ value: JSONValue, to out: inout [UInt8], depth: Int) {
    switch value {
    case .null: out.append(contentsOf: "nil".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .double(let d): appendFloat(d, to: &out)
    case .string(let s): appendInspect(string: s, to: &out)
    case .array(let elements):
      if depth >= maxDepth {
        out.append(contentsOf: "[...]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      var first = true
      for element in elements {
        if !first { out.append(contentsOf: ", ".utf8) }
        first = false
        appendInspect(element, to: &out, depth: depth + 1)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let object):
      if depth >= maxDepth {
        out.append(contentsOf: "{...}".utf8)
        return
      }
      out.append(UInt8(ascii: "{"))
      var first = true
      for (key, element) in object {
        if !first { out.append(contentsOf: ", ".utf8) }
        first = false
        appendInspect(string: key, to: &out)
        out.append(contentsOf: "=>".utf8)
        appendInspect(element, to: &out, depth: depth + 1)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static func appendInspect(string: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    let utf8 = string.utf8
    // Fast path: printable ASCII that needs no escape.
    var plain = true
    for byte in utf8 where byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C || byte == 0x23 {
      plain = false
      break
    }
    if plain {
      out.append(contentsOf: utf8)
      out.append(UInt8(ascii: "\""))
      return
    }
    let scalars = Array(string.unicodeScalars)
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      let value = scalar.value
      index += 1
      switch value {
      case 0x22: out.append(contentsOf: "\\\"".utf8)
      case 0x5C: out.append(contentsOf: "\\\\".utf8)
      case 0x23:
        // Ruby escapes `#` where it would start an interpolation: `#{`, `#$`, `#@`.
        if index < scalars.count, [0x7B, 0x24, 0x40].contains(scalars[index].value) {
          out.append(contentsOf: "\\#".utf8)
        } else {
          out.append(0x23)
        }
      case 0x0A: out.append(contentsOf: "\\n".utf8)
      case 0x0D: out.append(contentsOf: "\\r".utf8)
      case 0x09: out.append(contentsOf: "\\t".utf8)
      case 0x0C: out.append(contentsOf: "\\f".utf8)
      case 0x0B: out.append(contentsOf: "\\v".utf8)
      case 0x08: out.append(contentsOf: "\\b".utf8)
      case 0x07: out.append(contentsOf: "\\a".utf8)
      case 0x1B: out.append(contentsOf: "\\e".utf8)
      case 0x20..<0x7F: out.append(UInt8(value))
      default:
        if value >= 0x80 && isPrintable(scalar) {
          out.append(contentsOf: String(scalar).utf8)
        } else {
          appendUnicodeEscape(value, to: &out)
        }
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  /// Ruby (Onigmo) keeps printable non-ASCII characters as they are; it escapes
  /// C1 controls (but not U+0085), unassigned code points and the line/paragraph separators.
  static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value == 0x85 { return true }
    switch scalar.properties.generalCategory {
    case .control, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator: return false
    default: return true
    }
  }

  static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
    let hex = String(value, radix: 16, uppercase: true)
    if value < 0x10000 {
      out.append(contentsOf: "\\u".utf8)
      for _ in hex.count..<4 { out.append(UInt8(ascii: "0")) }
      out.append(contentsOf: hex.utf8)
    } else {
      out.append(contentsOf: "\\u{".utf8)
      out.append(contentsOf: hex.utf8)
      out.append(UInt8(ascii: "}"))
    }
  }

  static func appendFloat(_ value: Double, to out: inout [UInt8]) {
    if value.isNaN {
      out.append(contentsOf: "NaN".utf8)
      return
    }
    if value.isInfinite {
      out.append(contentsOf: (value < 0 ? "-Infinity" : "Infinity").utf8)
      return
    }
    if value.sign == .minus { out.append(UInt8(ascii: "-")) }
    if value == 0 {
      out.append(contentsOf: "0.0".utf8)
      return
    }
    // Swift's description is the shortest round-trip form, as Ruby's dtoa mode 0;
    // take its digits and decimal exponent and lay them out the Ruby way.
    let text = Array(value.magnitude.description.utf8)
    var digits: [UInt8] = []
    var pointPosition = 0
    var exponent = 0
    var seenPoint = false
    var index = 0
    while index < text.count {
      let c = text[index]
      if c == UInt8(ascii: ".") {
        seenPoint = true
      } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        exponent = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) ?? 0
        break
      } else {
        digits.append(c)
        if !seenPoint { pointPosition += 1 }
      }
      index += 1
    }
    var decpt = pointPosition + exponent
    while let first = digits.first, first == UInt8(ascii: "0"), digits.count > 1 {
      digits.removeFirst()
      decpt -= 1
    }
    while let last = digits.last, last == UInt8(ascii: "0"), digits.count > 1 { digits.removeLast() }
    let zero = UInt8(ascii: "0")
    if decpt > 0 && decpt < 16 {
      if digits.count <= decpt {
        out.append(contentsOf: digits)
        for _ in digits.count..<decpt { out.append(zero) }
        out.append(contentsOf: ".0".utf8)
      } else {
        out.append(contentsOf: digits[..<decpt])
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: digits[decpt...])
      }
    } else if decpt <= 0 && decpt > -4 {
      out.append(contentsOf: "0.".utf8)
      for _ in 0 ..< -decpt { out.append(zero) }
      out.append(contentsOf: digits)
    } else {
      out.append(digits[0])
      out.append(UInt8(ascii: "."))
      if digits.count > 1 {
        out.append(contentsOf: digits[1...])
      } else {
        out.append(zero)
      }
      let e = decpt - 1
      out.append(UInt8(ascii: "e"))
      out.append(UInt8(ascii: e < 0 ? "-" : "+"))
      let magnitude = String(e.magnitude)
      if magnitude.count < 2 { out.append(zero) }
      out.append(contentsOf: magnitude.utf8)
    }
  }
}
