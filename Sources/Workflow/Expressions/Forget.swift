import OrderedJSON

// forget
//
//     forget do
//       notify_irc :msg => 'SR#${ev.id} received'
//       mirror_git
//     end
//
// Starts each child as its own forgotten branch, all at once, each with a
// copy of the workitem and of the variables, and replies at once. A
// forgotten branch has no parent: it outlives `terminate`, and its end is
// only noted ("ceased"). The attribute form, `:forget => true`, detaches the
// expression that carries it (spec §2.3, §3.22, T8).
enum Forget: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    for (index, child) in step.expression.tree.children.enumerated() {
      var apply = EngineMessage.Apply(
        id: FlowExpressionID(
          wfid: step.expression.id.wfid, expid: "\(step.expression.id.expid)_\(index)", subid: step.engine.newSubid()),
        parent: step.expression.id, tree: child, fields: fields, subprocessDepth: step.expression.subprocessDepth)
      apply.forget = true
      step.engine.store.enqueue(.apply(apply))
    }
    step.reply(fields)
  }
}
