import OrderedJSON

/// Reads a process-definition file — ruote Ruby DSL or JSON tree — into a `PDefNode`.
///
///     let root = try PDefParser.parse(text, file: "BOSS_handle_SR.pdef")
///     root.toJSON()   // ["define", {"BOSS_handle_SR": null}, [...]]
///
/// A file whose first non-blank character is `[` is the JSON tree; anything
/// else is DSL. The DSL is parsed, never evaluated: constructs outside the
/// subset of spec §2.1 are errors naming the line and column. The parser
/// neither crashes nor hangs on any input; nesting is capped at 500 levels.
public enum PDefParser {
  public static func parse(_ text: String, file: String) throws(PDefError) -> PDefNode {
    if isJSONTree(text) { return try parseJSONTree(text, file: file) }
    var parser = DSLParser(text: text, file: file)
    return try parser.parseDefinition()
  }

  /// Whether the text is the JSON form: its first non-blank character is `[`.
  public static func isJSONTree(_ text: String) -> Bool {
    var bytes = text.utf8[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    for byte in bytes {
      switch byte {
      case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: continue
      default: return byte == UInt8(ascii: "[")
      }
    }
    return false
  }

  /// The JSON tree form. Root aliases (`process_definition`,
  /// `workflow_definition`) are renamed `define`, as the DSL does.
  static func parseJSONTree(_ text: String, file: String) throws(PDefError) -> PDefNode {
    let json: JSONValue
    do {
      json = try JSONValue.parse(text)
    } catch {
      throw PDefError(
        file: file, line: error.line, column: error.column, message: "not a valid JSON tree: \(error.message)")
    }
    var root = try PDefNode(json: json, file: file)
    if DSLParser.rootMethods.contains(root.name) {
      root.name = "define"
    } else {
      throw PDefError(
        file: file, line: 1, column: 1,
        message: "the JSON tree's root is `\(root.name)`: a definition's root must be "
          + "[\"define\", {\"name\": null}, [...]]")
    }
    return root
  }
}
