import OrderedJSON

// undo (cancel, kill)
//
//     concurrence do
//       sequence :tag => 'reminder' do
//         wait '1d'
//         notify :msg => 'still waiting'
//       end
//       sequence do
//         review
//         undo 'reminder'
//       end
//     end
//
// Cancels the expression a `:tag` names (`kill` skips on_cancel handlers)
// and replies at once; an unknown tag does nothing. Inside the tagged
// expression itself it does not reply: the cancel reaches it (spec §3.22).
enum Undo: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    guard let tag = try step.text("ref", positional: true, fields: fields),
      let target = step.variable(tag).flatMap(FlowExpressionID.init(json:))
    else {
      step.reply(fields)
      return
    }
    step.engine.store.enqueue(.cancel(target, step.expression.tree.name == "kill" ? .kill : .plain))
    if step.engine.isAncestor(target, of: step.expression.id) { return }
    step.reply(fields)
  }
}

extension WorkflowEngine {
  /// Whether `ancestor` is `id` or one of its parents.
  func isAncestor(_ ancestor: FlowExpressionID, of id: FlowExpressionID) -> Bool {
    var current: FlowExpressionID? = id
    while let here = current {
      if here == ancestor { return true }
      current = store.expression(here)?.parent
    }
    return false
  }
}
