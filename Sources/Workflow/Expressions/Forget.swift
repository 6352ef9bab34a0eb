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
      step.applyTree(child, expid: "\(step.expression.id.expid)_\(index)", fields: fields, variables: nil, forget: true)
    }
    step.reply(fields)
  }
}
