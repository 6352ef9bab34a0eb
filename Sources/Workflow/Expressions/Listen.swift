import Foundation
import OrderedJSON
import PDef

// listen (receive, intercept)
//
//     listen :to => 'req_changed_${ev.id}', :upon => 'reply',
//       :where => '"${ev.state}" in ["new", "declined", "revoked", "accepted", "superseded"]'
//
//     cursor do
//       listen :to => :errors
//       notify_irc :msg => 'process ${wfid} ERROR ${f:__error__.message}'
//       rewind
//     end
//
// Waits for an event: a workitem dispatched to (`:upon => 'apply'`, the
// default) or answered by (`'reply'`) a participant of that name (exact, or
// `/regex/`), in any process unless `:wfid => true`; or, with `:to =>
// :errors`, an unhandled error of its own process (`:class`, `:message`
// narrow it down). `:where` is evaluated on
// the event's workitem. The event's fields are merged over the listener's
// (`:merge` true by default, 'override' takes the event's only, anything
// else keeps the listener's). Without children it replies with that and
// stops listening; with children it starts them as a forgotten branch per
// event and keeps listening (spec §3.19, T9, T12).
enum Listen: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    guard let to = try step.firstText(["to", "on"], positional: true, fields: fields) else {
      throw ProcessFault("`listen` without :to: write listen :to => 'participant name' (or :errors)")
    }
    let errors = to == "errors"
    step.expression.state["to"] = .string(to)
    step.expression.state["upon"] = .string(errors ? "error" : (try step.text("upon", fields: fields) ?? "apply"))
    let scope = try step.text("wfid", fields: fields)
    step.expression.state["same_process"] = .bool(errors || ["true", "same", "current"].contains(scope ?? ""))
    step.engine.store.addTracker(step.expression.id, key: errors ? Listen.errorsKey : to)
  }
}

extension WorkflowEngine {
  /// Whether some live `listen` waits for events about participant `name`
  /// (then a call to that name nobody serves is a signal to it).
  public func hasListener(for name: String) -> Bool {
    !listeners(for: name).isEmpty
  }

  /// Whether a call to `name` from process `wfid` would reach a live
  /// `listen`: one of any process, or of `wfid` itself when the listener is
  /// scoped to its own process (`:wfid => true`).
  public func hasListener(for name: String, from wfid: String) -> Bool {
    listeners(for: name).contains { id in
      id.wfid == wfid || store.expression(id)?.state["same_process"] != .bool(true)
    }
  }

  /// Listeners whose `:to` is `name` exactly, or a `/regex/` matching it (a hash probe, plus the few regexes).
  func listeners(for name: String) -> [FlowExpressionID] {
    let index = store.trackers
    var found = index.listeners(forKey: name)
    for key in index.regexKeys where Listen.matches(key, name) {
      found += index.listeners(forKey: key)
    }
    return found
  }

  /// Hands an event to every listener that waits for it.
  func notifyListeners(upon: String, name: String, wfid: String, fields: JSONObject) {
    let candidates = upon == "error" ? store.trackers.listeners(forKey: Listen.errorsKey) : listeners(for: name)
    for id in candidates {
      guard let listener = store.expression(id), listener.status == .active,
        listener.state["upon"] == .string(upon),
        listener.state["same_process"] != .bool(true) || id.wfid == wfid
      else { continue }
      if upon == "error", !Listen.errorMatches(listener, fields["__error__"]) { continue }
      if let condition = listener.tree.attributes["where"] {
        let scope = ExpressionScope(fields: .object(fields), engine: self, id: id)
        guard (try? Condition.evaluate(attribute: condition, in: scope)) == true else { continue }
      }
      let step = ExpressionStep(engine: self, expression: listener)
      let merge = (try? step.text("merge", fields: listener.applied)) ?? nil
      var merged: JSONObject
      switch merge {
      case nil, "true": merged = listener.applied.merging(fields)
      case "override": merged = fields
      default: merged = listener.applied
      }
      if listener.tree.children.isEmpty {
        store.removeTracker(id)
        finish(listener, fields: merged)
      } else {
        let body = PDefNode(name: "sequence", attributes: JSONObject(), children: listener.tree.children)
        var apply = EngineMessage.Apply(
          id: FlowExpressionID(wfid: id.wfid, expid: "\(id.expid)_0", subid: newSubid()), parent: id, tree: body,
          fields: merged, subprocessDepth: listener.subprocessDepth)
        apply.forget = true
        store.enqueue(.apply(apply))
      }
    }
  }
}

extension Listen {
  /// The tracker key of `listen :to => :errors` (not a participant name: it has a space).
  static let errorsKey = "unhandled errors"

  /// `listen :to => :errors, :class => ..., :message => ...`: the error's class and message
  /// must equal the texts given (or match them, written `/regex/`).
  static func errorMatches(_ listener: FlowExpression, _ error: JSONValue?) -> Bool {
    let filters = [
      ("class", listener.tree.attributes["class"]),
      ("message", listener.tree.attributes["message"] ?? listener.tree.attributes["msg"]),
    ]
    for case (let key, .string(let wanted)?) in filters {
      let actual = error?[key]?.stringValue ?? ""
      if wanted.count > 2, wanted.hasPrefix("/"), wanted.hasSuffix("/") {
        if actual.range(of: String(wanted.dropFirst().dropLast()), options: .regularExpression) == nil { return false }
      } else if actual != wanted {
        return false
      }
    }
    return true
  }

  /// `to` is a participant name, or `/regex/` matched against the whole name.
  static func matches(_ to: String, _ name: String) -> Bool {
    guard to.count > 2, to.hasPrefix("/"), to.hasSuffix("/") else { return to == name }
    let pattern = "^(?:" + to.dropFirst().dropLast() + ")$"
    return name.range(of: pattern, options: .regularExpression) != nil
  }
}
