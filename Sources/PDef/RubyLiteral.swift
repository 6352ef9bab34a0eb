import OrderedJSON

/// Writes tree values back as Ruby-DSL literals, for the human rendering of
/// a tree (`robogrator pdef FILE`) and for messages.
enum RubyLiteral {
  /// A value as it could be written in a definition: `'text'`, `42`, `true`,
  /// `nil`, `['a', 'b']`, `{'k' => 1}`.
  static func render(_ value: JSONValue) -> String {
    var output = ""
    write(value, to: &output)
    return output
  }

  static func write(_ value: JSONValue, to output: inout String) {
    switch value {
    case .null: output += "nil"
    case .bool(let b): output += b ? "true" : "false"
    case .int(let i): output += String(i)
    case .double(let d): output += float(d)
    case .string(let s): output += string(s)
    case .array(let elements):
      output += "["
      for (offset, element) in elements.enumerated() {
        if offset > 0 { output += ", " }
        write(element, to: &output)
      }
      output += "]"
    case .object(let object):
      output += "{"
      var first = true
      for (key, element) in object {
        if !first { output += ", " }
        first = false
        output += string(key)
        output += " => "
        write(element, to: &output)
      }
      output += "}"
    }
  }

  /// A hash key as written in a call: `:ref` for plain words, `'v:x'` otherwise.
  static func key(_ key: String) -> String {
    isPlainWord(key) ? ":" + key : string(key)
  }

  static func isPlainWord(_ s: String) -> Bool {
    guard let first = s.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
      return false
    }
    return s.utf8.allSatisfy(Lexer.isWordByte)
  }

  /// Single quotes when the text has no control characters (the form BOSS
  /// definitions use), double quotes with escapes otherwise.
  static func string(_ s: String) -> String {
    let needsDouble = s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    if !needsDouble {
      var output = "'"
      for scalar in s.unicodeScalars {
        if scalar == "\\" || scalar == "'" { output += "\\" }
        output.unicodeScalars.append(scalar)
      }
      return output + "'"
    }
    var output = "\""
    var previous: Unicode.Scalar? = nil
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\t": output += "\\t"
      case "\r": output += "\\r"
      case "\u{1B}": output += "\\e"
      case "{" where previous == "#": output += "{"  // `#` was already escaped below
      case "#": output += "\\#"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          output += "\\x" + (hex.count < 2 ? "0" : "") + hex
        } else {
          output.unicodeScalars.append(scalar)
        }
      }
      previous = scalar
    }
    return output + "\""
  }

  /// A float as Ruby writes it: `2.0`, `0.5`, `1.0e+20`, `1.0e-05`.
  static func float(_ d: Double) -> String {
    guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity") }
    let magnitude = abs(d)
    if magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16) {
      let text = d.description
      // Swift prints small and large values in exponent form; Ruby does not in this range.
      if text.contains("e") { return fixedNotation(d) }
      return text.contains(".") ? text : text + ".0"
    }
    // Exponent form: mantissa always with a fraction, exponent signed and two digits at least.
    let text = d.description
    guard let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
    var mantissa = String(text[..<eIndex])
    var exponent = String(text[text.index(after: eIndex)...])
    if !mantissa.contains(".") { mantissa += ".0" }
    var sign = "+"
    if exponent.hasPrefix("-") {
      sign = "-"
      exponent.removeFirst()
    } else if exponent.hasPrefix("+") {
      exponent.removeFirst()
    }
    if exponent.count < 2 { exponent = "0" + exponent }
    return mantissa + "e" + sign + exponent
  }

  private static func fixedNotation(_ d: Double) -> String {
    // Int(_:) truncates without libm, which the fuzz executable does not link.
    if abs(d) < 1e16, Double(Int(d)) == d { return String(Int(d)) + ".0" }
    return d.description
  }

}
