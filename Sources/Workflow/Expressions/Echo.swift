import OrderedJSON

// echo
//
//     echo 'SR#${ev.id} to ${project}: running prechecks'
//
// Writes the substituted text to the process's history (and the log), then
// replies with the workitem unchanged.
enum Echo: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let text = try step.text("text", positional: true, fields: step.expression.applied) ?? ""
    step.engine.record(step.expression.id.wfid, "echo: \(text)")
    step.engine.onEcho?(step.expression.id.wfid, text)
    step.reply(step.expression.applied)
  }
}
