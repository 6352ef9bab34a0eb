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
// `kill_process` sends a kill (participants hear "kill"; spec §3.16).
enum Terminate: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    guard let root = step.engine.rootExpression(of: step.expression.id.wfid) else { return }
    step.engine.record(step.expression.id.wfid, "\(step.expression.tree.name) at \(step.expression.id.expid)")
    let flavour: CancelFlavour = step.expression.tree.name == "kill_process" ? .kill : .plain
    step.engine.store.enqueue(.cancel(root.id, flavour))
  }
}
