import OrderedJSON

// if (_if)
//
//     _if '"${status}" == "SUCCESS"' do
//       change_request_state :action => 'accept'     # then
//       change_request_state :action => 'decline'    # else
//     end
//
// With a test (`:test`, `:t` or the positional text): true applies child 0,
// false child 1 if there is one. Without a test (or one that substitutes to
// exactly ""), child 0 is the condition: child 1 runs when it leaves
// `__result__` exactly true, else child 2 (spec §3.11, T5, T6).
enum If: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    let attributes = step.expression.tree.attributes
    // A null value is a positional argument (`_if 'test'`), not the attribute.
    let named = [attributes["test"], attributes["t"]].lazy.compactMap { $0 }.first { !$0.isNull }
    let raw = named ?? step.expression.tree.positionalText.map(JSONValue.string)
    var text: String?
    if let raw {
      do {
        text = try Condition.text(ofAttribute: raw, in: step.scope(fields: fields))
      } catch {
        throw ProcessFault("\(error)")
      }
    }
    guard let test = text, !test.isEmpty else {
      // No test: the first child is the condition.
      step.expression.state["mode"] = "condition"
      guard !step.expression.tree.children.isEmpty else {
        step.reply(fields)
        return
      }
      step.applyChild(0, fields: fields)
      return
    }
    let verdict: Bool
    do {
      verdict = try Condition.evaluateSubstituted(test)
    } catch {
      throw ProcessFault("\(error)")
    }
    let branch = verdict ? 0 : 1
    if branch < step.expression.tree.children.count {
      step.applyChild(branch, fields: fields)
    } else {
      step.reply(fields)
    }
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    guard step.expression.state["mode"] == "condition", step.childIndex(of: child) == 0 else {
      step.reply(fields)
      return
    }
    step.expression.state["mode"] = "branch"
    let branch = fields["__result__"] == .bool(true) ? 1 : 2
    if branch < step.expression.tree.children.count {
      step.applyChild(branch, fields: fields)
    } else {
      step.reply(fields)
    }
  }
}
