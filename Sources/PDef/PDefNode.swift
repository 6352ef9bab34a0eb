import OrderedJSON

/// One node of a parsed process definition: ruote's `[name, {attributes}, [children]]`.
///
/// The root of every definition is named `define`. Positional arguments are
/// attribute keys whose value is `.null` (`wait '1m'` holds `{"1m": null}`),
/// in source order, exactly as ruote folded Ruby arguments into one map.
/// `location` points at the name in the DSL text (nil for JSON trees) and
/// takes no part in equality, so a tree read back from JSON equals the tree
/// parsed from the DSL.
public struct PDefNode: Sendable, Hashable {
  public var name: String
  public var attributes: JSONObject
  public var children: [PDefNode]
  public var location: SourceLocation?

  public init(
    name: String, attributes: JSONObject = JSONObject(), children: [PDefNode] = [],
    location: SourceLocation? = nil
  ) {
    self.name = name
    self.attributes = attributes
    self.children = children
    self.location = location
  }

  public static func == (lhs: PDefNode, rhs: PDefNode) -> Bool {
    lhs.name == rhs.name && lhs.attributes == rhs.attributes && lhs.children == rhs.children
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(attributes)
    hasher.combine(children)
  }
}

extension PDefNode {
  /// The expression's positional text: the first attribute whose value is
  /// null (`wait '1m'` → `1m`, `define 'do_log'` → `do_log`), as ruote reads it.
  public var positionalText: String? {
    for (key, value) in attributes where value.isNull { return key }
    return nil
  }

  /// The name a `define` node binds: its `:name` attribute when that is a
  /// string, else its positional text. Nil for other nodes.
  public var definedName: String? {
    guard name == "define" || name == "process_definition" || name == "workflow_definition" else { return nil }
    if let named = attributes["name"]?.stringValue { return named }
    return positionalText
  }
}
