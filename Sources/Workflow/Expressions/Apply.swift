import OrderedJSON
import PDef

// apply
//
//     define 'with_OBS_ticket' do
//       obsticket :action => 'get'
//       apply
//       obsticket :action => 'release'
//     end
//     ...
//     with_OBS_ticket do
//       do_build_trial
//     end
//
// Runs the block the calling subprocess was given (variable `tree`, or
// `:tree_var` / `:tree_field` / `:tree`) as a sub-instance, with its own
// attributes as variables (bound as written, not substituted); replies with
// its result. Without a block it replies at once (spec §3.6).
enum Apply: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    var treeValue: JSONValue?
    if let name = try step.text("tree_var", fields: fields) {
      treeValue = step.variable(name)
    } else if let path = try step.text("tree_field", fields: fields) {
      treeValue = Dollar.lookupPath(path, in: .object(fields))
    } else if let given = step.expression.tree.attributes["tree"] {
      treeValue = given
    } else {
      treeValue = step.variable("tree")
    }
    guard let treeValue, !treeValue.isNull, let tree = try? PDefNode(json: treeValue, file: "apply") else {
      step.reply(fields)
      return
    }
    var variables = JSONObject()
    for (key, value) in step.expression.tree.attributes
    where !["tree", "tree_var", "tree_field", "if", "unless"].contains(key) {
      do {
        variables[try Dollar.substituteKey(key, in: step.scope(fields: fields))] = value
      } catch {
        throw ProcessFault("\(error)")
      }
    }
    step.applyTree(tree, expid: "\(step.expression.id.expid)_0", fields: fields, variables: variables)
  }
}
