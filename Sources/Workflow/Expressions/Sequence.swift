import OrderedJSON

// sequence
//
//     sequence do
//       alpha
//       bravo
//     end
//
// Applies its children one after the other, each with the workitem the
// previous one replied with; replies with the last one's. No children: replies at once.
enum Sequence: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    guard !step.expression.tree.children.isEmpty else {
      step.reply(step.expression.applied)
      return
    }
    step.applyChild(0, fields: step.expression.applied)
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    let next = step.childIndex(of: child) + 1
    if next < step.expression.tree.children.count {
      step.applyChild(next, fields: fields)
    } else {
      step.reply(fields)
    }
  }
}
