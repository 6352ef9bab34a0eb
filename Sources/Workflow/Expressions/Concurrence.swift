import OrderedJSON
import PDef

// concurrence, concurrent_iterator
//
//     concurrence :count => 1 do
//       qa_vote
//       maintainer_vote
//     end
//
//     concurrent_iterator :on_field => 'project_pairs', :to_f => 'pair' do
//       obs_repodiff :source => '${pair.source}'
//     end
//
// Every branch starts at once with a copy of the workitem (a concurrent
// iterator starts one branch per element, each in its own scope holding `ii`
// and a `:to_v` variable, or with the `:to_f` field set in its copy). The
// expression is over when every branch has replied, or `:count` of them (a
// negative count: all but that many), or `:over_if` holds for a reply; the
// branches still running are then cancelled (`:remaining => 'forget'` leaves
// them running). Merge: `:merge` first (default: the first reply wins), last,
// highest, lowest (by branch position); `:merge_type` override (default: the
// winner's fields only), mix (union, the winner wins conflicts), isolate
// (each branch's fields under "0", "1", ...), ignore (the original workitem).
enum Concurrence: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    let branches = step.expression.tree.children.count
    step.expression.state["branches"] = .int(branches)
    guard branches > 0 else {
      step.reply(fields)
      return
    }
    for index in 0..<branches { step.applyChild(index, fields: fields) }
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    var replies = step.expression.state["replies"]?.objectValue ?? JSONObject()
    replies[String(step.childIndex(of: child))] = .object(fields)
    step.expression.state["replies"] = .object(replies)
    var order = step.expression.state["order"]?.arrayValue ?? []
    order.append(.string(String(step.childIndex(of: child))))
    step.expression.state["order"] = .array(order)

    let branches = (step.expression.state["branches"].flatMap { if case .int(let n) = $0 { n } else { nil } }) ?? 0
    var needed = branches
    if let count = try step.firstText(["count", "wait_for"], fields: fields), let n = Int(count) {
      needed = n < 0 ? max(0, branches + n) : min(n, branches)
    }
    var over = replies.count >= needed
    if !over, let condition = step.expression.tree.attributes["over_if"] {
      over = try step.condition(condition, fields: fields) == true
    }
    if !over, let condition = step.expression.tree.attributes["over_unless"] {
      over = try step.condition(condition, fields: fields) == false
    }
    guard over else { return }
    if try step.text("remaining", fields: fields) != "forget" {
      for running in step.expression.children { step.engine.store.enqueue(.cancel(running, .plain)) }
    }
    step.reply(try merged(step, replies: replies, order: order.compactMap(\.stringValue)))
  }

  /// The workitem the expression replies with, per `:merge` and `:merge_type`.
  static func merged(_ step: ExpressionStep, replies: JSONObject, order: [String]) throws(ProcessFault) -> JSONObject {
    let applied = step.expression.applied
    let merge = try step.text("merge", fields: applied) ?? "first"
    let mergeType = try step.text("merge_type", fields: applied) ?? "override"
    let byPosition = order.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
    let winnerKey: String? =
      switch merge {
      case "last": order.last
      case "highest": byPosition.first
      case "lowest": byPosition.last
      default: order.first
      }
    let winner = winnerKey.flatMap { replies[$0]?.objectValue } ?? applied
    switch mergeType {
    case "ignore":
      return applied
    case "isolate":
      var isolated = JSONObject()
      for key in byPosition { isolated[key] = replies[key] }
      return isolated
    case "mix", "union", "deep":
      var mixed = JSONObject()
      for key in order.reversed() where key != winnerKey { mixed.merge(replies[key]?.objectValue ?? JSONObject()) }
      mixed.merge(winner)
      return mixed
    default:
      return winner
    }
  }
}

enum ConcurrentIterator: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    let list = try Iterator.elements(of: step, fields: fields)
    guard !list.isEmpty, !step.expression.tree.children.isEmpty else {
      step.reply(fields)
      return
    }
    step.expression.state["branches"] = .int(list.count)
    let (target, isField) = try Iterator.target(of: step, fields: fields)
    let body = PDefNode(name: "sequence", attributes: JSONObject(), children: step.expression.tree.children)
    for (index, element) in list.enumerated() {
      var branchFields = fields
      var scope: JSONObject = ["ii": .int(index)]
      if isField { branchFields[target] = element } else { scope[target] = element }
      step.applyTree(body, expid: "\(step.expression.id.expid)_\(index)", fields: branchFields, variables: scope)
    }
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    try Concurrence.reply(&step, from: child, fields: fields)
  }
}
