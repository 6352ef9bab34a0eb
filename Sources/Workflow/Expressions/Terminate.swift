import OrderedJSON

// terminate, cancel_process, kill_process
//
//     define 'do_terminate' do
//       obsticket :action => 'release'
//       terminate
//     end
//
// Cancels the whole process from wherever it stands (inside a subprocess
// too): the root gets a cancel, which reaches every live expression, and the
// process ends `terminated`. The expression itself never replies.
enum Terminate: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    guard let root = step.engine.rootExpression(of: step.expression.id.wfid) else { return }
    step.engine.record(step.expression.id.wfid, "\(step.expression.tree.name) at \(step.expression.id.expid)")
    step.engine.store.enqueue(.cancel(root.id, .plain))
  }
}
