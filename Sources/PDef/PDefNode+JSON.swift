import OrderedJSON

/// The canonical JSON tree, `[name, {attributes}, [children]]`, exactly as
/// ruote stored definitions; `robogrator pdef --json` prints it and a
/// definition file may hold it instead of DSL.
extension PDefNode {
  public func toJSON() -> JSONValue {
    .array([.string(name), .object(attributes), .array(children.map { $0.toJSON() })])
  }

  /// Reads a JSON tree. Nodes are checked one by one; an error names the
  /// node by its ruote expression id (`0` the root, `0_2` its third child).
  /// Nesting is capped at 250 levels, like the DSL's blocks.
  public init(json: JSONValue, file: String = "<json>") throws(PDefError) {
    self = try PDefNode.node(from: json, expid: "0", depth: 0, file: file)
  }

  private static func node(from json: JSONValue, expid: String, depth: Int, file: String) throws(PDefError)
    -> PDefNode
  {
    func fail(_ message: String) -> PDefError {
      PDefError(file: file, line: 1, column: 1, message: "JSON tree node \(expid): \(message)")
    }
    // The DSL allows 250 nested blocks; a JSON tree gets the same limit.
    let maximumNodeDepth = DSLParser.maximumDepth / 2
    guard depth <= maximumNodeDepth else {
      throw fail("nesting deeper than \(maximumNodeDepth) levels: split the definition into subprocesses")
    }
    guard case .array(let parts) = json else {
      throw fail("expected [name, {attributes}, [children]], found \(json.typeName) \(excerpt(json))")
    }
    guard parts.count == 3 else {
      throw fail("expected [name, {attributes}, [children]], found an array of \(parts.count) elements")
    }
    guard case .string(let name) = parts[0], !name.isEmpty else {
      throw fail("the name must be a non-empty string, found \(excerpt(parts[0]))")
    }
    guard case .object(let attributes) = parts[1] else {
      throw fail("the attributes of `\(name)` must be an object, found \(excerpt(parts[1]))")
    }
    guard case .array(let childValues) = parts[2] else {
      throw fail("the children of `\(name)` must be an array, found \(excerpt(parts[2]))")
    }
    var children: [PDefNode] = []
    children.reserveCapacity(childValues.count)
    for (offset, child) in childValues.enumerated() {
      children.append(try node(from: child, expid: "\(expid)_\(offset)", depth: depth + 1, file: file))
    }
    return PDefNode(name: name, attributes: attributes, children: children)
  }

  private static func excerpt(_ value: JSONValue) -> String {
    let text = value.serialized()
    return text.count > 40 ? String(text.prefix(40)) + "..." : text
  }
}
