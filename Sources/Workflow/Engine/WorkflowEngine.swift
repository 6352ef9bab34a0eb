import Foundation
import Lint
import OrderedJSON
import PDef
import Synchronization

/// The durable-engine step function: takes one message from the store's
/// queue, runs the expression it concerns, and leaves the new state and new
/// messages in the store. It knows nothing about any particular expression;
/// each lives in `Expressions/` and registers in `ExpressionRegistry`.
public final class WorkflowEngine {
  public let store: EngineStore
  public var configuration: Configuration
  /// Told of every new dispatch, so a dispatcher can run the participant.
  public var onDispatch: ((Dispatch) -> Void)?
  /// Told when a pending dispatch is cancelled (terminate the participant, drop a lock waiter).
  public var onDispatchCancelled: ((Dispatch) -> Void)?
  /// Told when a process ends, whatever the status (release what it held).
  public var onProcessEnd: ((ProcessRecord) -> Void)?
  /// Told when an unhandled error stops a branch (the process waits for a replay or a cancel), for the log.
  public var onProcessError: ((ProcessRecord, String) -> Void)?
  /// Told of every `echo` (process id, text), for the log.
  public var onEcho: ((String, String) -> Void)?
  let now: () -> Date
  let newSubid: () -> String

  public struct Configuration: Sendable {
    /// How deep subprocess calls may nest before the call is a process error
    /// (ruote recursed forever on a process calling its own name, spec T18).
    public var maximumSubprocessDepth = 200
    public init() {}
  }

  public init(
    store: EngineStore, configuration: Configuration = Configuration(), now: @escaping () -> Date = Date.init,
    newSubid: @escaping () -> String = WorkflowEngine.randomSubid
  ) {
    self.store = store
    self.configuration = configuration
    self.now = now
    self.newSubid = newSubid
  }

  /// 32 random hex digits, as ruote's subids. Not a secret, only unique: drawn
  /// from a generator seeded once by the system (a getrandom(2) per subid was a
  /// tenth of the engine's time).
  public static func randomSubid() -> String {
    let (high, low) = EngineRandom.shared.next128()
    var bytes = [UInt8](repeating: 0, count: 32)
    let digits = Array("0123456789abcdef".utf8)
    for index in 0..<16 {
      bytes[index] = digits[Int((high >> UInt64(60 - 4 * index)) & 0xF)]
      bytes[16 + index] = digits[Int((low >> UInt64(60 - 4 * index)) & 0xF)]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  // MARK: - Launching

  /// Starts a process: the root `define` runs as a sequence over its body,
  /// its nested `define`s bound first. Returns the new process id.
  @discardableResult
  public func launch(
    _ tree: PDefNode, fields: JSONObject = JSONObject(), variables: JSONObject = JSONObject(), wfid: String? = nil,
    origin: JSONObject? = nil
  )
    throws(LaunchError) -> String
  {
    guard tree.name == "define" || tree.name == "process_definition" || tree.name == "workflow_definition" else {
      throw LaunchError("the definition's root is `\(tree.name)`, not `define` (Ruote.process_definition)")
    }
    // What robogrator refuses (given/that/of, `${r:...}`) stops the launch as it fails lint (spec "Decisions").
    if let finding = PDefLint.firstRefusal(in: tree) {
      let place = finding.line.map { "line \($0): " } ?? ""
      throw LaunchError("the definition cannot run: \(place)\(finding.message)")
    }
    let wfid = wfid ?? makeWfid()
    let name = tree.attributes["name"]?.stringValue ?? tree.positionalText ?? "process"
    var scope = variables
    // The process name is bound like a subprocess, so a call to it is a
    // (depth-limited) recursion, as in ruote.
    scope[name] = WorkflowEngine.subprocessBinding(expid: "0", tree: tree)
    // The launch fields stand for the process's fields until it ends (ps and show read the project from them).
    store.save(
      ProcessRecord(
        wfid: wfid, name: name, revision: tree.attributes["revision"]?.stringValue, tree: tree, status: .running,
        fields: fields, origin: origin))
    store.enqueue(
      .apply(
        .init(
          id: FlowExpressionID(wfid: wfid, expid: "0", subid: newSubid()), parent: nil, tree: tree, fields: fields,
          variables: scope)))
    return wfid
  }

  func makeWfid() -> String {
    let parts = UTCParts(now())
    let stamp =
      "\(parts.year)\(Self.pad(parts.month))\(Self.pad(parts.day))-\(Self.pad(parts.hour))\(Self.pad(parts.minute))"
    let letters = Array("bdfghjkmnprstz".utf8)
    let vowels = Array("aeiou".utf8)
    var random = EngineRandom.shared.next128().0
    var name = [UInt8]()
    name.reserveCapacity(17)
    for index in 0..<16 {
      if index == 8 { name.append(UInt8(ascii: "-")) }
      let pool = index % 2 == 0 ? letters : vowels
      name.append(pool[Int(random % UInt64(pool.count))])
      random /= UInt64(pool.count)
    }
    return "\(stamp)-" + String(decoding: name, as: UTF8.self)
  }

  /// The value a `define` binds: `[expid, tree]`.
  static func subprocessBinding(expid: String, tree: PDefNode) -> JSONValue {
    .array([.string(expid), tree.toJSON()])
  }

  // MARK: - Running

  /// Processes messages until the queue is empty (participants answer later,
  /// through `receive`). Returns how many were processed.
  @discardableResult
  public func run(maximumMessages: Int = .max) -> Int {
    var count = 0
    while count < maximumMessages {
      for timer in store.takeTimers(dueAt: now()) { store.enqueue(.timer(timer.expression, timer.kind)) }
      guard let message = store.dequeue() else { break }
      process(message)
      count += 1
    }
    return count
  }

  /// A participant answered: its fields, or its error.
  public func receive(_ id: FlowExpressionID, _ result: Result<JSONObject, ParticipantError>) {
    store.enqueue(.receive(id, result))
  }

  /// Cancels a whole process (as an operator does); it ends `cancelled`.
  public func cancelProcess(_ wfid: String) {
    guard var process = store.process(wfid), process.status == .running || process.status == .error else { return }
    process.status = .cancelled
    store.save(process)
    if let root = rootExpression(of: wfid) { store.enqueue(.cancel(root.id, .plain)) }
  }

  /// Retries every expression of a process that stopped on an unhandled
  /// error: each is applied again in its place with the workitem it had (a
  /// participant is called again). Returns how many were retried.
  @discardableResult
  public func replay(_ wfid: String) -> Int {
    let failed = store.expressions(of: wfid).filter { $0.status == .failed }
    guard !failed.isEmpty, var process = store.process(wfid) else { return 0 }
    process.status = .running
    process.history.append(
      "replay of \(failed.map(\.id.expid).joined(separator: ", ")) after: \(process.errors.joined(separator: "; "))")
    process.errors = []
    store.save(process)
    for expression in failed {
      if expression.kind == "error" {
        // A replayed `error` lets the flow pass (spec §2.8).
        var passing = expression
        passing.status = .active
        passing.error = nil
        store.save(passing)
        finish(passing, fields: passing.applied)
      } else {
        supplant(expression, with: expression.tree, fields: expression.applied)
      }
    }
    return failed.count
  }

  func process(_ message: EngineMessage) {
    switch message {
    case .apply(let apply):
      applyExpression(apply)
    case .reply(let to, let from, let fields):
      guard var expression = store.expression(to) else { return }
      expression.children.removeAll { $0 == from }
      if expression.status == .cancelling {
        store.save(expression)
        if expression.children.isEmpty { finish(expression, fields: fields) }
        return
      }
      run(expression) { step throws(ProcessFault) in
        try ExpressionRegistry.behavior(for: step.expression.kind).reply(&step, from: from, fields: fields)
      }
    case .cancel(let id, let flavour):
      cancel(id, flavour: flavour)
    case .timer(let id, let kind):
      guard var expression = store.expression(id), expression.status == .active else { return }
      switch kind {
      case .wait:
        finish(expression, fields: expression.applied)
      case .timeout:
        expression.state["timed_out"] = true
        store.save(expression)
        record(id.wfid, "timeout of \(expression.tree.name) at \(id.expid)")
        cancel(id, flavour: .timeout)
      }
    case .command(let to, let fields):
      guard var loop = store.expression(to), loop.status == .active else { return }
      loop.state["command_fields"] = .object(fields)
      store.save(loop)
      for child in loop.children { store.enqueue(.cancel(child, .plain)) }
      if loop.children.isEmpty {
        run(loop) { step throws(ProcessFault) in
          try ExpressionRegistry.behavior(for: step.expression.kind).reply(&step, from: to, fields: fields)
        }
      }
    case .receive(let id, let result):
      guard store.removeDispatch(id) != nil, let expression = store.expression(id), expression.status == .active else {
        return  // a late answer to a cancelled or replayed call is dropped, as ruote did
      }
      run(expression) { step throws(ProcessFault) in
        switch result {
        case .success(let fields):
          let name = step.expression.state["participant"]?.stringValue ?? ""
          let returned = Self.withoutDispatchKeys(fields)
          step.reply(returned)
          notifyListeners(upon: "reply", name: name, wfid: id.wfid, fields: returned)
        case .failure(let error):
          // An error reply's fields go on (to a handler) like a reply's, without what dispatch added.
          var fault = ProcessFault(error)
          fault.fields = error.fields.map(Self.withoutDispatchKeys)
          throw fault
        }
      }
    }
  }

  /// A participant's returned fields without `params` and `dispatched_at`, which the dispatch added.
  static func withoutDispatchKeys(_ fields: JSONObject) -> JSONObject {
    var fields = fields
    fields["params"] = nil
    fields["dispatched_at"] = nil
    return fields
  }

  /// Cancels an expression: it tells its children (or, for a participant, the
  /// participant) and replies once they are back. Under a timeout, each leaf
  /// writes its own `__timed_out__` entry into the workitem it replies with.
  func cancel(_ id: FlowExpressionID, flavour: CancelFlavour) {
    guard var expression = store.expression(id), expression.status != .cancelling else { return }
    // An expression in error ignores a timeout (its own or an ancestor's): the branch stays stalled.
    if flavour == .timeout && expression.status == .failed { return }
    expression.status = .cancelling
    expression.state["flavour"] = .string(flavour.rawValue)
    store.save(expression)
    store.removeTimers(of: id)
    if expression.kind == "participant" {
      // The participant hears of it even when it already answered (with an error), as in ruote.
      let pending = store.removeDispatch(id)
      if let pending { onDispatchCancelled?(pending) }
      let name = pending?.participant ?? expression.state["participant"]?.stringValue ?? "?"
      record(
        id.wfid, "cancel sent to participant \(name) (\(id.expid))\(flavour == .plain ? "" : ", \(flavour.rawValue)")")
    }
    for flank in expression.state["flanks"]?.arrayValue ?? [] {
      if let flankID = FlowExpressionID(json: flank) { store.enqueue(.cancel(flankID, flavour)) }
    }
    guard expression.children.isEmpty else {
      for child in expression.children { store.enqueue(.cancel(child, flavour)) }
      return
    }
    var fields = expression.applied
    if flavour == .timeout { fields["__timed_out__"] = timedOutEntry(expression) }
    finish(expression, fields: fields)
  }

  /// `[fei, time, expression name, attributes]`, as ruote wrote it (spec §2.6): the
  /// attributes compiled (substituted); a call is a `participant` or `subprocess` with its `ref`.
  func timedOutEntry(_ expression: FlowExpression) -> JSONValue {
    let step = ExpressionStep(engine: self, expression: expression)
    var attributes = (try? step.substitutedAttributes(fields: expression.applied)) ?? expression.tree.attributes
    var name = expression.tree.name
    if expression.kind == "participant" || expression.kind == "subprocess" {
      name = expression.kind
      if attributes["ref"] == nil {
        attributes["ref"] = expression.state["participant"] ?? .string(expression.tree.name)
      }
    }
    return .array([expression.id.json, .string(WorkflowEngine.timestamp(now())), .string(name), .object(attributes)])
  }

  func applyExpression(_ apply: EngineMessage.Apply) {
    let kind = ExpressionRegistry.kind(of: apply.tree.name)
    var expression = FlowExpression(
      id: apply.id, parent: apply.parent, tree: apply.tree, kind: kind, applied: apply.fields,
      variables: apply.variables)
    expression.subprocessDepth = apply.subprocessDepth
    store.save(expression)
    run(expression) { step throws(ProcessFault) in
      let scope = step.scope(fields: apply.fields)
      let shouldApply: Bool
      do {
        shouldApply = try Condition.shouldApply(
          ifValue: step.expression.tree.attributes["if"], unlessValue: step.expression.tree.attributes["unless"],
          in: scope)
      } catch {
        throw ProcessFault("\(error)")
      }
      guard shouldApply else {
        step.reply(apply.fields)
        return
      }
      if apply.forget || isTrue(step.expression.tree.attributes["forget"]) {
        // Detached: the parent continues at once; this branch keeps a copy of the variables.
        if let parent = step.expression.parent, !apply.forget {
          store.enqueue(.reply(to: parent, from: step.expression.id, fields: apply.fields))
        }
        step.expression.variables = visibleVariables(from: step.expression.id)
        for (key, value) in workitemBookkeeping(from: step.expression)
        where key.hasPrefix("sub_") || key == "wf_launched_at" {
          step.expression.state[key] = value
        }
        step.expression.parent = nil
        step.expression.state["forgotten"] = true
      } else if isTrue(step.expression.tree.attributes["lose"]) {
        // Never replies to its parent; sits there once done until cancelled.
        step.expression.state["lost"] = true
      } else if isTrue(step.expression.tree.attributes["flank"]), let parentID = step.expression.parent {
        // Attached: the parent continues at once and cancels this when it is done.
        store.enqueue(.reply(to: parentID, from: step.expression.id, fields: apply.fields))
        if var parent = store.expression(parentID) {
          var flanks = parent.state["flanks"]?.arrayValue ?? []
          flanks.append(step.expression.id.json)
          parent.state["flanks"] = .array(flanks)
          store.save(parent)
        }
        step.expression.state["flank"] = true
      }
      if ["true", .bool(true)].contains(step.expression.tree.attributes["scope"]), step.expression.variables == nil {
        step.expression.variables = JSONObject()
      }
      if let tag = try step.text("tag", fields: apply.fields), !tag.isEmpty {
        // The tag names this expression (for `undo`) and is pushed on `__tags__` while it runs.
        step.expression.state["tag"] = .string(tag)
        step.setVariable(tag, step.expression.id.json)
        var tags = step.expression.applied["__tags__"]?.arrayValue ?? []
        tags.append(.string(tag))
        step.expression.applied["__tags__"] = .array(tags)
      }
      if let text = try step.text("timeout", fields: apply.fields), let seconds = try DurationText.seconds(text) {
        store.addTimer(
          EngineTimer(expression: step.expression.id, kind: .timeout, due: now().addingTimeInterval(seconds)))
      }
      try ExpressionRegistry.behavior(for: kind).apply(&step)
    }
  }

  /// Runs one behaviour call on `expression` and stores what it left behind.
  func run(_ expression: FlowExpression, _ body: (inout ExpressionStep) throws(ProcessFault) -> Void) {
    var step = ExpressionStep(engine: self, expression: expression)
    do {
      try body(&step)
    } catch {
      fail(step.expression, error)
      return
    }
    if step.isFinished { return }
    store.save(step.expression)
  }

  /// An expression is done: it leaves the store and hands `fields` to its parent.
  func finish(_ expression: FlowExpression, fields: JSONObject) {
    var fields = fields
    store.removeTimers(of: expression.id)
    if expression.state["timed_out"] == .bool(true), supplantAfterTimeout(expression, fields: &fields) { return }
    if expression.state["error_handler"] != nil, supplantAfterError(expression, fields: &fields) { return }
    if expression.state["lost"] == .bool(true), expression.status == .active {
      // `:lose`: done, but it never replies; a cancel makes it reply (spec §2.3).
      var lost = expression
      lost.children = []
      store.save(lost)
      return
    }
    if case .string(let tag)? = expression.state["tag"] {
      // Leaving a tag: its variable goes, and the workitem says so (spec §2.3, §2.6).
      var step = ExpressionStep(engine: self, expression: expression)
      step.setVariable(tag, nil)
      if var tags = fields["__tags__"]?.arrayValue {
        if let index = tags.lastIndex(of: .string(tag)) { tags.remove(at: index) }
        fields["__tags__"] = .array(tags)
      }
      fields["__left_tag__"] = .string(tag)
    }
    store.remove(expression.id)
    store.removeTracker(expression.id)
    // Flanks live only as long as the expression they flank.
    for flank in expression.state["flanks"]?.arrayValue ?? [] {
      if let id = FlowExpressionID(json: flank) { store.enqueue(.cancel(id, .plain)) }
    }
    if expression.state["flank"] == .bool(true) {
      // A flank that ends on its own just vanishes; its changes reach nobody.
      return
    }
    if expression.state["forgotten"] == .bool(true) {
      record(expression.id.wfid, "forgotten branch \(expression.id.expid) ceased")
      return
    }
    if let parent = expression.parent {
      if let launched = expression.state["sub_wf_launched_at"], var waiting = store.expression(parent) {
        // The workitem keeps the latest subprocess start after the subprocess is over [run] (spec §2.2).
        waiting.state["sub_wf_launched_at"] = launched
        store.save(waiting)
      }
      store.enqueue(.reply(to: parent, from: expression.id, fields: fields))
      return
    }
    // The root replied: the process is over.
    guard var process = store.process(expression.id.wfid) else { return }
    if process.status == .running || process.status == .error {
      // A root that timed out without a handler ends like one that finished.
      let cancelled = expression.status == .cancelling && expression.state["timed_out"] != .bool(true)
      process.status = cancelled ? .terminated : .completed
    }
    process.fields = fields
    store.save(process)
    record(expression.id.wfid, "process ended: \(process.status.rawValue)")
    if let ended = store.process(expression.id.wfid) { onProcessEnd?(ended) }
  }

  /// A timed-out expression whose children are back: `:on_timeout` decides
  /// (spec §2.7). `error` puts an error in its place, a name a participant or
  /// subprocess call, `redo`/`retry` runs it again, `pass`/none lets the flow
  /// continue with the workitem carrying `__timed_out__`. True when replaced.
  func supplantAfterTimeout(_ expression: FlowExpression, fields: inout JSONObject) -> Bool {
    let step = ExpressionStep(engine: self, expression: expression)
    let handler = ((try? step.text("on_timeout", fields: fields)) ?? nil)?.trimmingCharacters(in: .whitespaces) ?? ""
    let replacement: PDefNode
    switch handler {
    case "", "pass", "undo":
      return false
    case "redo", "retry":
      replacement = expression.tree
    case "error":
      replacement = PDefNode(name: "error", attributes: JSONObject(), children: [])
    case let text where Self.command(in: text) != nil:
      // A cursor command: written into `__command__`; a loop obeys it itself,
      // anything else replies so that the enclosing loop does.
      fields["__command__"] = Self.command(in: text)
      guard CommandExpression.loopKinds.contains(expression.kind) else { return false }
      var loop = expression
      loop.status = .active
      loop.state["timed_out"] = nil
      loop.children = []
      store.save(loop)
      let commandFields = fields
      run(loop) { step throws(ProcessFault) in
        let before = FlowExpressionID(wfid: loop.id.wfid, expid: "\(loop.id.expid)_-1", subid: "")
        try ExpressionRegistry.behavior(for: loop.kind).reply(&step, from: before, fields: commandFields)
      }
      return true
    default:
      replacement = PDefNode(name: handler, attributes: handlerAttributes(expression, trigger: "on_timeout"))
    }
    supplant(expression, with: replacement, fields: fields)
    return true
  }

  /// `rewind`, `skip 2`, `jump to x` as `__command__` (`["jump", "to x"]`); nil when `text` is no command.
  static func command(in text: String) -> JSONValue? {
    let words = text.split(separator: " ", maxSplits: 1).map(String.init)
    guard let name = words.first, Cursor.commandNames.contains(name) else { return nil }
    guard words.count > 1 else { return .array([.string(name), .null]) }
    return .array([.string(name), Int(words[1]).map(JSONValue.int) ?? .string(words[1])])
  }

  /// The attributes of a handler put in an expression's place: `_triggered`,
  /// and the expression's other `on_*` attributes and its `:tag` (spec §2.8).
  func handlerAttributes(_ expression: FlowExpression, trigger: String) -> JSONObject {
    var attributes: JSONObject = ["_triggered": .string(trigger)]
    for (key, value) in expression.tree.attributes where key != trigger && (key.hasPrefix("on_") || key == "tag") {
      attributes[key] = value
    }
    return attributes
  }

  /// Replaces an expression, in the same place of the tree, by a new one run with `fields`.
  func supplant(_ expression: FlowExpression, with tree: PDefNode, fields: JSONObject) {
    store.remove(expression.id)
    let id = FlowExpressionID(wfid: expression.id.wfid, expid: expression.id.expid, subid: newSubid())
    if let parentID = expression.parent, var parent = store.expression(parentID) {
      parent.children = parent.children.map { $0 == expression.id ? id : $0 }
      store.save(parent)
    }
    store.enqueue(
      .apply(
        .init(
          id: id, parent: expression.parent, tree: tree, fields: fields, variables: expression.variables,
          subprocessDepth: expression.subprocessDepth)))
  }

  /// Looks for an `on_error` handler from the failing expression up (across
  /// subprocess calls); the first expression with one (its `:on_error`, or
  /// one an `on_error` child registered) owns the error: it cancels its
  /// children and, once they are back, is replaced by the handler, run with
  /// the workitem of the failure plus `__error__` (spec §2.8). An empty
  /// handler stops the search. False when nothing handles the error.
  func handleError(_ failed: FlowExpression, _ fault: ProcessFault) -> Bool {
    var current: FlowExpression? = failed
    var owner: FlowExpression?
    var handler = ""
    while let candidate = current {
      let step = ExpressionStep(engine: self, expression: candidate)
      let declared =
        ((try? step.text("on_error", fields: candidate.applied)) ?? nil) ?? candidate.state["on_error"]?.stringValue
      if let declared, declared.trimmingCharacters(in: .whitespaces) != "raise" {
        if declared.isEmpty { return false }
        owner = candidate
        handler = declared
        break
      }
      current = candidate.parent.flatMap(store.expression)
    }
    guard var owner else { return false }
    var fields = fault.fields ?? failed.applied
    fields["__error__"] = errorObject(failed, fault)
    record(
      failed.id.wfid, "error at \(failed.id.expid) (\(failed.tree.name)): \(fault.description); handled by \(handler)")
    // A leading `!` kills the children instead of cancelling them.
    let kills = handler.hasPrefix("!")
    owner.state["error_handler"] = .string(kills ? String(handler.dropFirst()) : handler)
    owner.state["error_fields"] = .object(fields)
    owner.status = .cancelling
    store.save(owner)
    if owner.id == failed.id || owner.children.isEmpty {
      finish(owner, fields: fields)
    } else {
      for child in owner.children { store.enqueue(.cancel(child, kills ? .kill : .plain)) }
    }
    return true
  }

  /// The `__error__` field: `{fei, at, class, message, trace, details, deviations, tree}`.
  func errorObject(_ failed: FlowExpression, _ fault: ProcessFault) -> JSONValue {
    let errorClass = fault.errorClass ?? (failed.tree.name == "error" ? "Ruote::ForcedError" : "RuntimeError")
    return .object(
      JSONObject(
        [
          ("fei", failed.id.json), ("at", .string(WorkflowEngine.timestamp(now()))),
          ("class", .string(errorClass)), ("message", .string(fault.message)),
          ("trace", .array(fault.trace.map(JSONValue.string))), ("details", .null), ("deviations", .null),
          ("tree", failed.tree.toJSON()),
        ] as [(String, JSONValue)]))
  }

  /// An error's owner whose children are back: the handler takes its place.
  /// `pass`/`undo` continue after it, `redo`/`retry` run it again. True when replaced.
  func supplantAfterError(_ owner: FlowExpression, fields: inout JSONObject) -> Bool {
    guard case .string(let handler)? = owner.state["error_handler"] else { return false }
    let errorFields = owner.state["error_fields"]?.objectValue ?? fields
    switch handler.trimmingCharacters(in: .whitespaces) {
    case "pass", "undo":
      return false
    case let store where store.hasPrefix("store:"):
      // `store: field`: the error object goes into that field and the flow continues.
      let field = store.dropFirst("store:".count).trimmingCharacters(in: .whitespaces)
      JSONPaths.set(field, to: errorFields["__error__"] ?? .null, in: &fields)
      return false
    case "redo", "retry":
      var fresh = owner
      fresh.state = JSONObject()
      supplant(fresh, with: owner.tree, fields: owner.applied)
    case let name:
      supplant(
        owner, with: PDefNode(name: name, attributes: handlerAttributes(owner, trigger: "on_error")),
        fields: errorFields)
    }
    return true
  }

  /// An unhandled error: the expression stops where it is; the process waits.
  func fail(_ expression: FlowExpression, _ fault: ProcessFault) {
    var failed = expression
    failed.status = .failed
    failed.error = fault.description
    store.save(failed)
    if handleError(failed, fault) { return }
    guard var process = store.process(expression.id.wfid) else { return }
    process.status = .error
    process.errors.append(fault.description)
    process.history.append("error at \(expression.id.expid) (\(expression.tree.name)): \(fault.description)")
    store.save(process)
    onProcessError?(process, "error at \(expression.id.expid) (\(expression.tree.name)): \(fault.description)")
    var fields = fault.fields ?? failed.applied
    fields["__error__"] = errorObject(failed, fault)
    notifyListeners(upon: "error", name: "errors", wfid: expression.id.wfid, fields: fields)
  }

  func record(_ wfid: String, _ line: String) {
    guard var process = store.process(wfid) else { return }
    process.history.append(line)
    store.save(process)
  }

  // MARK: - Workitem bookkeeping (spec §2.2, §6.3)

  /// `wf_name`, `wf_revision`, `wf_launched_at` and the `sub_wf_*` keys a
  /// workitem dispatched from `expression` carries: the innermost subprocess
  /// call's name and start (revision null), else the process's; a subprocess
  /// start stays on the workitem after the subprocess is over.
  func workitemBookkeeping(from expression: FlowExpression) -> JSONObject {
    let process = store.process(expression.id.wfid)
    var subName: JSONValue?
    var subRevision: JSONValue = .null
    var subLaunched: JSONValue?
    var wfLaunched: JSONValue?
    var current: FlowExpression? = expression
    while let here = current {
      if subLaunched == nil { subLaunched = here.state["sub_wf_launched_at"] }
      if subName == nil, let name = here.state["sub_wf_name"] {
        subName = name
        subRevision = here.state["sub_wf_revision"] ?? .null
      }
      if let launched = here.state["wf_launched_at"] {
        wfLaunched = launched
        break
      }
      current = here.parent.flatMap(store.expression)
    }
    let name: JSONValue = process.map { .string($0.name) } ?? .null
    let revision: JSONValue = process?.revision.map(JSONValue.string) ?? .null
    return JSONObject(
      [
        ("wf_name", name), ("wf_revision", revision), ("wf_launched_at", wfLaunched ?? .null),
        ("sub_wf_name", subName ?? name), ("sub_wf_revision", subName == nil ? revision : subRevision),
        ("sub_wf_launched_at", subLaunched ?? wfLaunched ?? .null),
      ] as [(String, JSONValue)])
  }

  // MARK: - Variables (dynamic scoping, spec §2.5)

  /// The expression whose scope holds variables for `id`: itself or the nearest ancestor with one.
  func scopeOwner(from id: FlowExpressionID) -> FlowExpression? {
    var current = store.expression(id)
    while let expression = current {
      if expression.variables != nil { return expression }
      current = expression.parent.flatMap(store.expression)
    }
    return nil
  }

  /// Reads a variable seen from `id`: `x`, `x.y.0`, `/x` (the root scope).
  func lookupVariable(_ name: String, from id: FlowExpressionID) -> JSONValue? {
    if name.hasPrefix("//") { return nil }
    if name.hasPrefix("/") {
      return rootScope(of: id.wfid).flatMap { Dollar.lookupPath(String(name.dropFirst()), in: .object($0)) }
    }
    let head = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
    var current = store.expression(id)
    while let expression = current {
      if let variables = expression.variables, variables[head] != nil {
        return Dollar.lookupPath(name, in: .object(variables))
      }
      current = expression.parent.flatMap(store.expression)
    }
    return nil
  }

  func rootScope(of wfid: String) -> JSONObject? {
    rootExpression(of: wfid)?.variables
  }

  /// The process's root expression (forgotten branches have no parent either, but are not the root).
  func rootExpression(of wfid: String) -> FlowExpression? {
    store.expressions(of: wfid).first { $0.parent == nil && $0.state["forgotten"] != .bool(true) }
  }

  /// Every variable visible from `id`, nearest scope winning: what a forgotten branch starts with.
  func visibleVariables(from id: FlowExpressionID) -> JSONObject {
    var scopes: [JSONObject] = []
    var current = store.expression(id)
    while let expression = current {
      if let variables = expression.variables { scopes.append(variables) }
      current = expression.parent.flatMap(store.expression)
    }
    var merged = JSONObject()
    for scope in scopes.reversed() { merged.merge(scope) }
    return merged
  }
}

/// `true` or any text but "false" (ruote's truthiness for :forget and :flank).
func isTrue(_ value: JSONValue?) -> Bool {
  switch value {
  case .bool(let flag)?: flag
  case .string(let text)?: text != "false" && !text.isEmpty
  default: false
  }
}

/// Why a definition cannot be launched.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// An error raised while running an expression: it stops that branch (spec §2.8).
public struct ProcessFault: Error, Sendable, CustomStringConvertible {
  public let message: String
  /// `__error__.class`; nil: `RuntimeError` (`Ruote::ForcedError` for `error`).
  public var errorClass: String?
  public var trace: [String] = []
  /// What operators see (process errors, history); nil when it is the message.
  public var details: String?
  /// The workitem of the failure when it is not the one the expression was applied with (an error reply's).
  public var fields: JSONObject?

  public init(_ message: String) { self.message = message }

  /// A participant's failure.
  public init(_ error: ParticipantError) {
    message = error.message
    errorClass = error.errorClass
    trace = error.trace
    details = error.details
    fields = error.fields
  }

  public var description: String { details ?? message }
}

/// A fast generator for ids (subids, wfids), seeded once from the system's:
/// SplitMix64 behind a lock, shared by every engine of the process.
final class EngineRandom: Sendable {
  static let shared = EngineRandom()

  private let state: Mutex<UInt64>

  init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
    state = Mutex(seed)
  }

  /// 128 random bits.
  func next128() -> (UInt64, UInt64) {
    state.withLock { state in
      (Self.splitMix(&state), Self.splitMix(&state))
    }
  }

  private static func splitMix(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
