import Foundation
import OrderedJSON
import PDef

/// What an expression's behaviour can do while it handles one message:
/// read its attributes with `${}` substituted, apply a child, reply to its
/// parent, read and set variables, call a participant or a subprocess.
public struct ExpressionStep {
  let engine: WorkflowEngine
  public var expression: FlowExpression
  /// Set once the expression replied: it is gone from the store.
  var isFinished = false

  init(engine: WorkflowEngine, expression: FlowExpression) {
    self.engine = engine
    self.expression = expression
  }

  /// The `${}` context for this expression with the given fields.
  func scope(fields: JSONObject) -> ExpressionScope {
    ExpressionScope(fields: .object(fields), engine: engine, id: expression.id)
  }

  /// An attribute substituted against `fields` (typed values and raw `$f:x` kept).
  func attribute(_ name: String, fields: JSONObject) throws(ProcessFault) -> JSONValue? {
    guard let value = expression.tree.attributes[name] else { return nil }
    do {
      return try Dollar.substituteAttribute(value, in: scope(fields: fields))
    } catch {
      throw ProcessFault("\(error)")
    }
  }

  /// A text attribute (or the positional text with `positional`), substituted.
  func text(_ name: String?, positional: Bool = false, fields: JSONObject) throws(ProcessFault) -> String? {
    var raw: JSONValue?
    // A null value is a positional argument, not this attribute: `on_error 'handler'`, `echo 'text'`.
    if let name, let value = expression.tree.attributes[name], !value.isNull { raw = value }
    if raw == nil, positional, let text = expression.tree.positionalText { raw = .string(text) }
    guard let raw else { return nil }
    do {
      switch try Dollar.substituteAttribute(raw, in: scope(fields: fields)) {
      case .null: return nil
      case .string(let text): return text
      case let other: return RubyInspect.render(other)
      }
    } catch {
      throw ProcessFault("\(error)")
    }
  }

  /// The first of several spellings of an attribute that is present (`on_field`, `on_f`, `on_fld`), substituted.
  /// With `positional`, the positional text is the last resort.
  func firstText(_ names: [String], positional: Bool = false, fields: JSONObject) throws(ProcessFault) -> String? {
    for name in names {
      if let text = try text(name, fields: fields) { return text }
    }
    return positional ? try text(nil, positional: true, fields: fields) : nil
  }

  /// Every attribute with keys and values substituted (participant params, subprocess variables).
  func substitutedAttributes(fields: JSONObject) throws(ProcessFault) -> JSONObject {
    do {
      return try Dollar.substituteAttribute(
        .object(expression.tree.attributes), in: scope(fields: fields), substitutingKeys: true
      )
      .objectValue ?? JSONObject()
    } catch {
      throw ProcessFault("\(error)")
    }
  }

  /// The node's children with keys and values substituted, for `params.__children__` (spec §3.3); nil without children.
  func substitutedChildren(fields: JSONObject) throws(ProcessFault) -> JSONValue? {
    guard !expression.tree.children.isEmpty else { return nil }
    do {
      return try Dollar.substituteAttribute(
        .array(expression.tree.children.map { $0.toJSON() }), in: scope(fields: fields), substitutingKeys: true)
    } catch {
      throw ProcessFault("\(error)")
    }
  }

  /// Evaluates a condition attribute value against `fields` (nil when absent).
  func condition(_ value: JSONValue, fields: JSONObject) throws(ProcessFault) -> Bool? {
    do {
      return try Condition.evaluate(attribute: value, in: scope(fields: fields))
    } catch {
      throw ProcessFault("\(error)")
    }
  }

  // MARK: - Children and parent

  /// The position of a child among this expression's children (from its expid).
  func childIndex(of child: FlowExpressionID) -> Int {
    Int(child.expid.split(separator: "_").last ?? "") ?? 0
  }

  /// Applies child `index` of the tree with `fields`.
  mutating func applyChild(_ index: Int, fields: JSONObject, variables: JSONObject? = nil) {
    applyTree(
      expression.tree.children[index], expid: "\(expression.id.expid)_\(index)", fields: fields, variables: variables)
  }

  /// Applies a tree that is not one of this node's own children (a subprocess
  /// body, an apply block, an iterator branch) under this expression, at
  /// `expid`. A forgotten one starts detached and is not waited for.
  mutating func applyTree(
    _ tree: PDefNode, expid: String, fields: JSONObject, variables: JSONObject?, subprocessDepth: Int? = nil,
    forget: Bool = false
  ) {
    let id = FlowExpressionID(wfid: expression.id.wfid, expid: expid, subid: engine.newSubid())
    if !forget { expression.children.append(id) }
    var apply = EngineMessage.Apply(
      id: id, parent: expression.id, tree: tree, fields: fields, variables: variables,
      subprocessDepth: subprocessDepth ?? expression.subprocessDepth)
    apply.forget = forget
    engine.store.enqueue(.apply(apply))
  }

  /// Replies to the parent with `fields`; the expression is done.
  public mutating func reply(_ fields: JSONObject) {
    engine.store.save(expression)
    engine.finish(expression, fields: fields)
    isFinished = true
  }

  // MARK: - Variables

  func variable(_ name: String) -> JSONValue? {
    if let own = expression.variables, let head = name.split(separator: ".").first, own[String(head)] != nil {
      return Dollar.lookupPath(name, in: .object(own))
    }
    return engine.lookupVariable(name, from: expression.parent ?? expression.id)
  }

  /// Sets a variable in the nearest scope (this expression's, else the closest ancestor's); `/x` sets the root's.
  mutating func setVariable(_ name: String, _ value: JSONValue?) {
    if name.hasPrefix("/") {
      guard var root = engine.rootExpression(of: expression.id.wfid) else {
        return
      }
      if root.id == expression.id { root = expression }
      var scope = root.variables ?? JSONObject()
      JSONPaths.set(String(name.drop { $0 == "/" }), to: value, in: &scope)
      root.variables = scope
      if root.id == expression.id { expression = root } else { engine.store.save(root) }
      return
    }
    if expression.variables != nil {
      JSONPaths.set(name, to: value, in: &expression.variables!)
      return
    }
    guard let parent = expression.parent, var owner = engine.scopeOwner(from: parent) else { return }
    JSONPaths.set(name, to: value, in: &owner.variables!)
    engine.store.save(owner)
  }

  // MARK: - Participants and subprocesses

  /// Hands the workitem to participant `name` (spec §6.3): `__result__` and `t`
  /// removed, `params` and `dispatched_at` added; waits for `receive`.
  mutating func dispatch(participant name: String, fields: JSONObject, params: JSONObject) {
    var sent = fields
    sent["__result__"] = nil
    sent["t"] = nil
    sent["params"] = .object(params)
    sent["dispatched_at"] = .string(WorkflowEngine.timestamp(engine.now()))
    let bookkeeping = engine.workitemBookkeeping(from: expression)
    var workitem = JSONObject()
    workitem["fields"] = .object(sent)
    workitem["fei"] = expression.id.json
    workitem["participant_name"] = .string(name)
    workitem.merge(bookkeeping)
    workitem["re_dispatch_count"] = 0
    expression.kind = "participant"
    expression.state["participant"] = .string(name)
    // What the participant was sent is what this expression holds from now on: a
    // cancel replies with it, without `__result__` and `t` (spec §2.4, §2.7).
    expression.applied = fields
    expression.applied["__result__"] = nil
    expression.applied["t"] = nil
    let dispatch = Dispatch(expression: expression.id, participant: name, workitem: workitem)
    engine.store.addDispatch(dispatch)
    engine.onDispatch?(dispatch)
    engine.record(expression.id.wfid, "dispatched to \(name) (\(expression.id.expid))")
    engine.notifyListeners(upon: "apply", name: name, wfid: expression.id.wfid, fields: expression.applied)
  }

  /// Runs the subprocess bound as `binding` (`[expid, tree]`) as a child, with `variables` as its scope.
  mutating func applySubprocess(_ binding: JSONValue, name: String, variables: JSONObject, fields: JSONObject)
    throws(ProcessFault)
  {
    guard case .array(let pair) = binding, pair.count == 2, case .string(let expid) = pair[0],
      let tree = try? PDefNode(json: pair[1], file: name)
    else { throw ProcessFault("no subprocess named '\(name)' found") }
    let depth = expression.subprocessDepth + 1
    guard depth <= engine.configuration.maximumSubprocessDepth else {
      throw ProcessFault(
        "subprocess '\(name)' nested \(depth) deep: a definition that calls its own name (or subprocesses calling "
          + "each other) recurses without end; use `participant :ref => '\(name)'` to call a participant of that name")
    }
    expression.kind = "subprocess"
    // While it runs, workitems say which subprocess they are in (spec §2.2).
    expression.state["sub_wf_name"] = .string(tree.definedName ?? name)
    expression.state["sub_wf_revision"] = .null
    expression.state["sub_wf_launched_at"] = .string(WorkflowEngine.timestamp(engine.now()))
    applyTree(tree, expid: expid, fields: fields, variables: variables, subprocessDepth: depth)
  }
}

extension WorkflowEngine {
  /// ruote's `dispatched_at`: `2026-11-23 03:46:24.352851 UTC`. Formatted by
  /// hand: a DateFormatter per call was a large part of each dispatch.
  static func timestamp(_ date: Date) -> String {
    let parts = UTCParts(date)
    return
      "\(parts.year)-\(pad(parts.month))-\(pad(parts.day)) \(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))."
      + pad(parts.microsecond, width: 6) + " UTC"
  }

  static func pad(_ value: Int, width: Int = 2) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
  }

  /// Calendar fields of a date in UTC.
  struct UTCParts {
    let year, month, day, hour, minute, second, microsecond: Int

    init(_ date: Date) {
      let interval = date.timeIntervalSince1970
      var seconds = time_t(interval.rounded(.down))
      var fields = tm()
      gmtime_r(&seconds, &fields)
      year = Int(fields.tm_year) + 1900
      month = Int(fields.tm_mon) + 1
      day = Int(fields.tm_mday)
      hour = Int(fields.tm_hour)
      minute = Int(fields.tm_min)
      second = Int(fields.tm_sec)
      microsecond = min(999_999, Int(((interval - interval.rounded(.down)) * 1_000_000).rounded()))
    }
  }
}

/// The `${}` context of one expression: its workitem fields, variables seen
/// from it (dynamic scoping), and its identity for `${wfid}` and friends.
struct ExpressionScope: SubstitutionContext {
  let fields: JSONValue
  let engine: WorkflowEngine
  let id: FlowExpressionID

  func lookupVariable(_ name: String) -> JSONValue? {
    engine.lookupVariable(name, from: id)
  }

  func reservedValue(_ name: ReservedName) -> JSONValue? {
    switch name {
    case .wfid: .string(id.wfid)
    case .expid: .string(id.expid)
    case .subid: .string(id.subid)
    case .engineID: "engine"
    case .fei: .string(id.description)
    case .mnemoID: .string("")
    // The tags the workitem is in (spec §2.3 step 3, §4.3).
    case .tags: .array(tags)
    case .tag: tags.last ?? .string("")
    case .fullTag: .string(tags.compactMap(\.stringValue).joined(separator: "/"))
    }
  }

  private var tags: [JSONValue] {
    fields["__tags__"]?.arrayValue ?? []
  }
}
