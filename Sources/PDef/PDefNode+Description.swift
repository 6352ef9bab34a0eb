import OrderedJSON

/// The human rendering printed by `robogrator pdef FILE`:
///
///     define 'BOSS_handle_SR', :revision => '0.2'
///       sequence
///         set 'status' => 'SUCCESS'
///         wait '1m'
///
/// one node per line, children indented by two spaces, attributes written as
/// in the DSL (positional arguments as plain literals, then `key => value`).
extension PDefNode {
  public func indentedDescription() -> String {
    var output = ""
    write(to: &output, indent: 0)
    return output
  }

  /// This node's line without indentation or children.
  public var lineDescription: String {
    var line = name
    var first = true
    for (key, value) in attributes {
      line += first ? " " : ", "
      first = false
      if value.isNull {
        line += RubyLiteral.string(key)
      } else {
        line += RubyLiteral.key(key) + " => " + RubyLiteral.render(value)
      }
    }
    return line
  }

  private func write(to output: inout String, indent: Int) {
    output += String(repeating: "  ", count: indent)
    output += lineDescription
    output += "\n"
    for child in children { child.write(to: &output, indent: indent + 1) }
  }
}
