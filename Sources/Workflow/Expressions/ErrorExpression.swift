import OrderedJSON

// error
//
//     error 'Project meta update failed', :unless => '${__result__}'
//
// Raises a process error with the text (default "error triggered from
// process definition"): an enclosing on_error handles it, otherwise the
// branch stops until an operator replays or cancels it (spec §3.17).
enum ErrorExpression: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    var message = try step.text("message", fields: fields)
    if message == nil { message = try step.text("msg", fields: fields) }
    if message == nil { message = try step.text(nil, positional: true, fields: fields) }
    throw ProcessFault(message ?? "error triggered from process definition")
  }
}
