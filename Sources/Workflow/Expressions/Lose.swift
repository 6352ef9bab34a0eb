import OrderedJSON

// lose
//
//     concurrence :count => 1 do
//       alice
//       lose do
//         sequence do
//           wait '2d'
//           send_reminder
//         end
//       end
//     end
//
// Applies its children, each with a copy of the workitem, and never replies
// to its parent; a cancel (here: alice answering) stops it and makes it
// reply. The attribute form `:lose => true` works on any expression (spec §3.22).
enum Lose: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    for index in step.expression.tree.children.indices {
      step.applyChild(index, fields: step.expression.applied)
    }
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    // Never replies: it waits to be cancelled.
  }
}
