import OrderedJSON

// set / unset
//
//     set 'status' => 'SUCCESS'                 # field
//     set 'v:sourceprojects' => []              # variable
//     set :f => 'debug_dump', :val => 'true'
//     unset 'v:sourceprojects'
//
// Target: `:v`/`:var`/`:variable`, else `:f`/`:fld`/`:field`, else the first
// attribute that is not a common one (`'target' => value`): no prefix or one
// starting with `f` is a field, any other prefix a variable. The value is
// substituted unless `:escape` is given; `'$f:x'` copies a typed value. The
// value set (or, for `unset`, removed) goes to `__result__` (spec §3.7).
enum SetExpression: ExpressionBehavior {
  static let commonAttributes: Set<String> = [
    "if", "unless", "forget", "lose", "flank", "timeout", "timers", "on_error", "on_cancel", "on_timeout", "escape",
    "over", "override", "tag",
  ]

  enum Target {
    case field(String)
    case variable(String)
  }

  /// The target and the raw (unsubstituted) value of a `set`/`unset`.
  static func target(of step: ExpressionStep, fields: JSONObject) throws(ProcessFault) -> (Target, JSONValue?) {
    let attributes = step.expression.tree.attributes
    let explicitValue = attributes["val"] ?? attributes["value"]
    for key in ["v", "var", "variable"] {
      if let name = try step.text(key, fields: fields) { return (.variable(name), explicitValue) }
    }
    for key in ["f", "fld", "field"] {
      if let name = try step.text(key, fields: fields) { return (.field(name), explicitValue) }
    }
    for (key, value) in attributes where !commonAttributes.contains(key) && !["val", "value"].contains(key) {
      let name: String
      do {
        name = try Dollar.substituteKey(key, in: step.scope(fields: fields))
      } catch {
        throw ProcessFault("\(error)")
      }
      let (prefix, bare) = RefCall.split(name)
      let target: Target = prefix == nil || prefix!.hasPrefix("f") ? .field(bare) : .variable(bare)
      return (target, explicitValue ?? (value.isNull ? nil : value))
    }
    throw ProcessFault("`\(step.expression.tree.name)` names nothing to set: write set 'field' => value")
  }

  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let (target, raw) = try target(of: step, fields: fields)
    var value: JSONValue = raw ?? .null
    let escaped = step.expression.tree.attributes["escape"].map { $0 != .bool(false) } ?? false
    if !escaped {
      do {
        value = try Dollar.substituteAttribute(value, in: step.scope(fields: fields))
      } catch {
        throw ProcessFault("\(error)")
      }
    }
    switch target {
    case .field(let path): JSONPaths.set(path, to: value, in: &fields)
    case .variable(let name): step.setVariable(name, value)
    }
    fields["__result__"] = value
    step.reply(fields)
  }
}

enum UnsetExpression: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    var name: String?
    if let variable = try step.text("v", fields: fields) {
      name = "v:" + variable
    } else if let field = try step.text("f", fields: fields) {
      name = field
    } else {
      name = try step.text(nil, positional: true, fields: fields)
    }
    guard let name else { throw ProcessFault("`unset` names nothing: write unset 'v:name' or unset 'field'") }
    let (prefix, bare) = RefCall.split(name)
    let removed: JSONValue
    if prefix == nil || prefix!.hasPrefix("f") {
      removed = Dollar.lookupPath(bare, in: .object(fields)) ?? .null
      JSONPaths.set(bare, to: nil, in: &fields)
    } else {
      removed = step.variable(bare) ?? .null
      step.setVariable(bare, nil)
    }
    fields["__result__"] = removed
    step.reply(fields)
  }
}
