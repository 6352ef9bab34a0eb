import OrderedJSON
import PDef

// define / process_definition
//
//     Ruote.process_definition 'BOSS_handle_SR' do
//       sequence do
//         do_prechecks
//       end
//       define 'do_prechecks' do
//         check_valid_changes
//       end
//     end
//
// As a process or subprocess body (it opens a scope): the nested `define`s
// are moved first (ruote's "reorganize"), so they are bound before the body
// runs, then the children run as a sequence. As a statement inside a body:
// binds its name to `[expid, tree]` in the current scope and replies at once.
enum Define: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    guard step.expression.variables != nil else {
      // A nested define: bind, and move on.
      guard let name = step.expression.tree.positionalText ?? step.expression.tree.attributes["name"]?.stringValue
      else {
        throw ProcessFault("`define` without a name: write define 'name' do ... end")
      }
      step.setVariable(
        name, WorkflowEngine.subprocessBinding(expid: step.expression.id.expid, tree: step.expression.tree))
      step.reply(step.expression.applied)
      return
    }
    if step.expression.parent == nil, step.expression.state["forgotten"] == nil {
      // The process root: workitems carry its launch time (spec §2.2).
      let launched = JSONValue.string(WorkflowEngine.timestamp(step.engine.now()))
      step.expression.state["wf_launched_at"] = launched
      step.expression.state["sub_wf_launched_at"] = launched
    }
    let children = step.expression.tree.children
    step.expression.tree.children = children.filter { $0.name == "define" } + children.filter { $0.name != "define" }
    try Sequence.apply(&step)
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    try Sequence.reply(&step, from: child, fields: fields)
  }
}
