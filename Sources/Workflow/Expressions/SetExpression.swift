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

  /// Where the value comes from: written in the definition (substituted
  /// unless escaped), or copied typed from a variable or field.
  enum Value {
    case written(JSONValue?)
    case copied(JSONValue)
  }

  /// `:val`/`:value`; `:var_value` & co. name a variable, `:field_value` & co. a field (ruote's lookup_val).
  static let writtenValueKeys = ["val", "value"]
  static let variableValueKeys = ["v", "var", "variable"].flatMap { ["\($0)_val", "\($0)_value"] }
  static let fieldValueKeys = ["f", "fld", "field"].flatMap { ["\($0)_val", "\($0)_value"] }

  /// The value given by a value attribute, if there is one.
  static func explicitValue(of step: ExpressionStep, fields: JSONObject) throws(ProcessFault) -> Value? {
    let attributes = step.expression.tree.attributes
    if let key = writtenValueKeys.first(where: { attributes[$0] != nil }) { return .written(attributes[key]) }
    if let name = try step.firstText(variableValueKeys, fields: fields) { return .copied(step.variable(name) ?? .null) }
    if let path = try step.firstText(fieldValueKeys, fields: fields) {
      return .copied(Dollar.lookupPath(path, in: .object(fields)) ?? .null)
    }
    return nil
  }

  /// The target and the value of a `set`/`unset`.
  static func target(of step: ExpressionStep, fields: JSONObject) throws(ProcessFault) -> (Target, Value) {
    let attributes = step.expression.tree.attributes
    let explicitValue = try explicitValue(of: step, fields: fields)
    for key in ["v", "var", "variable"] {
      if let name = try step.text(key, fields: fields) { return (.variable(name), explicitValue ?? .written(nil)) }
    }
    for key in ["f", "fld", "field"] {
      if let name = try step.text(key, fields: fields) { return (.field(name), explicitValue ?? .written(nil)) }
    }
    let valueKeys = Set(writtenValueKeys + variableValueKeys + fieldValueKeys)
    for (key, value) in attributes where !commonAttributes.contains(key) && !valueKeys.contains(key) {
      let name: String
      do {
        name = try Dollar.substituteKey(key, in: step.scope(fields: fields))
      } catch {
        throw ProcessFault("\(error)")
      }
      let (prefix, bare) = RefCall.split(name)
      let target: Target = prefix == nil || prefix!.hasPrefix("f") ? .field(bare) : .variable(bare)
      return (target, explicitValue ?? .written(value.isNull ? nil : value))
    }
    throw ProcessFault("`\(step.expression.tree.name)` names nothing to set: write set 'field' => value")
  }

  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let (target, given) = try target(of: step, fields: fields)
    var value: JSONValue
    switch given {
    case .copied(let copied):
      value = copied
    case .written(let raw):
      value = raw ?? .null
      let escaped = step.expression.tree.attributes["escape"].map { $0 != .bool(false) } ?? false
      if !escaped {
        do {
          value = try Dollar.substituteAttribute(value, in: step.scope(fields: fields))
        } catch {
          throw ProcessFault("\(error)")
        }
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
    if let variable = try step.firstText(["v", "var", "variable"], fields: fields) {
      name = "v:" + variable
    } else if let field = try step.firstText(["f", "fld", "field"], fields: fields) {
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
