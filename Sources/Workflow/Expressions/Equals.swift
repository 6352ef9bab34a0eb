import OrderedJSON

// equals
//
//     _if do
//       equals :field_value => 'state', :other_value => 'accepted'
//       notify_accepted
//       notify_other
//     end
//
// Compares two values, each given as `:field_value` (a field path),
// `:variable_value` (a variable) or `:value` (the value itself), the second
// with an `other_` prefix; puts true or false in `__result__` and replies
// (spec §3.13).
enum Equals: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let equal = try value(step, prefix: "", fields: fields) == value(step, prefix: "other_", fields: fields)
    fields["__result__"] = .bool(equal)
    step.reply(fields)
  }

  static func value(_ step: ExpressionStep, prefix: String, fields: JSONObject) throws(ProcessFault) -> JSONValue {
    if let path = try step.text("\(prefix)field_value", fields: fields) {
      return Dollar.lookupPath(path, in: .object(fields)) ?? .null
    }
    if let name = try step.text("\(prefix)variable_value", fields: fields) {
      return step.variable(name) ?? .null
    }
    return try step.attribute("\(prefix)value", fields: fields) ?? .null
  }
}
