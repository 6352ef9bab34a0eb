import OrderedJSON

// on_error (expression form)
//
//     sequence do
//       on_error 'do_log_error'
//       handle_webhook
//       relay_webhook
//     end
//
// Registers a handler on its parent and replies at once: an error anywhere
// below the parent (subprocesses included) cancels the rest of it and runs
// the handler in its place (spec §3.18, T11). The attribute form
// (`:on_error => 'handler'`) works on any expression.
enum OnError: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    let handler = try step.text("handler", positional: true, fields: fields) ?? ""
    if let parentID = step.expression.parent, var parent = step.engine.store.expression(parentID) {
      parent.state["on_error"] = .string(handler)
      step.engine.store.save(parent)
    }
    step.reply(fields)
  }
}
