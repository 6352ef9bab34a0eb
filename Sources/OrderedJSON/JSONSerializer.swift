extension JSONValue {
  /// JSON text for this value, keys in their stored order. `pretty` indents
  /// by two spaces, one member per line, as `jq` does.
  public func serialized(pretty: Bool = false) -> String {
    var output = ""
    output.reserveCapacity(64)
    write(to: &output, pretty: pretty, indent: 0)
    return output
  }

  private func write(to output: inout String, pretty: Bool, indent: Int) {
    switch self {
    case .null: output += "null"
    case .bool(let b): output += b ? "true" : "false"
    case .int(let i): output += String(i)
    case .double(let d): output += JSONValue.format(double: d)
    case .string(let s): JSONValue.writeString(s, to: &output)
    case .array(let elements):
      if elements.isEmpty {
        output += "[]"
        return
      }
      output += "["
      for (offset, element) in elements.enumerated() {
        if offset > 0 { output += "," }
        if pretty { JSONValue.newline(&output, indent + 1) }
        element.write(to: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { JSONValue.newline(&output, indent) }
      output += "]"
    case .object(let object):
      if object.isEmpty {
        output += "{}"
        return
      }
      output += "{"
      var first = true
      for (key, value) in object {
        if !first { output += "," }
        first = false
        if pretty { JSONValue.newline(&output, indent + 1) }
        JSONValue.writeString(key, to: &output)
        output += pretty ? ": " : ":"
        value.write(to: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { JSONValue.newline(&output, indent) }
      output += "}"
    }
  }

  private static func newline(_ output: inout String, _ indent: Int) {
    output += "\n"
    output += String(repeating: "  ", count: indent)
  }

  /// A JSON number for a double: integral values keep a ".0" so they read back
  /// as floats; non-finite values (not representable in JSON) become null.
  static func format(double: Double) -> String {
    guard double.isFinite else { return "null" }
    return double.description
  }

  static func writeString(_ string: String, to output: inout String) {
    output += "\""
    var needsEscape = false
    for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
      needsEscape = true
      break
    }
    if !needsEscape {
      output += string
      output += "\""
      return
    }
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case "\u{08}": output += "\\b"
      case "\u{0C}": output += "\\f"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          output.unicodeScalars.append(scalar)
        }
      }
    }
    output += "\""
  }
}
