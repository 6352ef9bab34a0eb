import OrderedJSON

// let
//
//     let do
//       set 'v:target' => 'home:${ev.who}'
//       notify :to => '${v:target}'
//     end
//
// A sequence with its own variable scope: variables set inside are gone
// when it replies, the enclosing ones are only shadowed (spec §3.1, §2.5).
enum Let: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    if step.expression.variables == nil { step.expression.variables = JSONObject() }
    try Sequence.apply(&step)
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    try Sequence.reply(&step, from: child, fields: fields)
  }
}
