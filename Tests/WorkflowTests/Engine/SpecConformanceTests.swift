import Foundation
import OrderedJSON
import Testing

@testable import Workflow

// A conformance audit of the engine against spec §2 (execution model), §3
// (expression semantics), §6.3/§6.4 (workitem shapes) and §8 (guidance).
// Each test states one behaviour and cites its section; behaviours already
// stated by the other engine tests (T1–T18 and friends) are not repeated.

/// Records the whole workitem of every dispatch (the harness keeps only fields and params).
final class DispatchRecorder {
  private(set) var workitems: [JSONObject] = []

  init(_ harness: EngineHarness) {
    harness.engine.onDispatch = { [weak self] dispatch in self?.workitems.append(dispatch.workitem) }
  }

  func workitem(of participant: String, _ occurrence: Int = 0) -> JSONObject? {
    workitems.filter { $0["participant_name"]?.stringValue == participant }.dropFirst(occurrence).first
  }
}

extension EngineHarness {
  /// Fields of the n-th call to `participant`, as it received them.
  func fields(of participant: String, _ occurrence: Int = 0) -> JSONObject? {
    calls.filter { $0.participant == participant }.dropFirst(occurrence).first?.fields
  }

  func params(of participant: String, _ occurrence: Int = 0) -> JSONObject? {
    calls.filter { $0.participant == participant }.dropFirst(occurrence).first?.params
  }
}

// MARK: - §2.2 Launch

@Suite struct SpecLaunchTests {
  // §2.2: the root's `define` children are hoisted and bound first, then the
  // body statements run in order, as a sequence.
  @Test func rootBodyRunsAsASequenceWithDefinesBoundFirst() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        alpha
        do_a
        omega
        define 'do_a' do
          do_b
        end
        define 'do_b' do
          inner
        end
      end
      """)
    #expect(harness.callNames == ["alpha", "inner", "omega"])
    #expect(process.status == .completed)
  }

  // §2.2: expids are tree paths counted after the hoisting; a subprocess
  // body continues from the called define's position.
  @Test func expidsCountAfterDefineHoistingAndContinueInsideSubprocesses() throws {
    let harness = EngineHarness()
    let recorder = DispatchRecorder(harness)
    try harness.run(
      """
      Ruote.process_definition 'p' do
        alpha
        do_x
        define 'do_x' do
          bravo
        end
      end
      """)
    #expect(recorder.workitem(of: "alpha")?["fei"]?["expid"] == "0_1")
    #expect(recorder.workitem(of: "bravo")?["fei"]?["expid"] == "0_0_0")
  }

  // §2.2: every applied expression gets a fresh subid, which tells two
  // instances of the same subprocess apart.
  @Test func everyAppliedExpressionGetsAFreshSubid() throws {
    let harness = EngineHarness()
    let recorder = DispatchRecorder(harness)
    try harness.run(
      """
      Ruote.process_definition 'p' do
        do_x
        do_x
        define 'do_x' do
          bravo
        end
      end
      """)
    let first = try #require(recorder.workitem(of: "bravo", 0)?["fei"])
    let second = try #require(recorder.workitem(of: "bravo", 1)?["fei"])
    #expect(first["expid"] == second["expid"])
    #expect(first["subid"] != second["subid"])
    #expect(first["wfid"] == second["wfid"])
  }

  // §2.2, §6.3: wf_name/wf_revision/wf_launched_at and the sub_wf_* keys:
  // inside a subprocess sub_wf_name is its name, sub_wf_revision null and
  // sub_wf_launched_at its start; back in the caller name and revision are
  // restored, but sub_wf_launched_at keeps the subprocess's time [run].
  @Test func dispatchedWorkitemCarriesLaunchAndSubprocessBookkeeping() throws {
    let harness = EngineHarness()
    let recorder = DispatchRecorder(harness)
    try harness.run(
      """
      Ruote.process_definition 'p', :revision => '0.2' do
        alpha
        wait '1m'
        do_x
        gamma
        define 'do_x' do
          bravo
        end
      end
      """)
    let launched: JSONValue = "2026-11-18 11:06:40.000000 UTC"
    let subStarted: JSONValue = "2026-11-18 11:07:40.000000 UTC"
    let alpha = try #require(recorder.workitem(of: "alpha"))
    #expect(
      alpha.keys == [
        "fields", "fei", "participant_name", "wf_name", "wf_revision", "wf_launched_at", "sub_wf_name",
        "sub_wf_revision", "sub_wf_launched_at", "re_dispatch_count",
      ])
    #expect(alpha["fei"]?.objectValue?.keys == ["engine_id", "wfid", "subid", "expid"])
    #expect(alpha["participant_name"] == "alpha")
    #expect(alpha["re_dispatch_count"] == 0)
    #expect(alpha["wf_name"] == "p")
    #expect(alpha["wf_revision"] == "0.2")
    #expect(alpha["wf_launched_at"] == launched)
    #expect(alpha["sub_wf_name"] == "p")
    #expect(alpha["sub_wf_revision"] == "0.2")
    #expect(alpha["sub_wf_launched_at"] == launched)
    let bravo = try #require(recorder.workitem(of: "bravo"))
    #expect(bravo["wf_name"] == "p")
    #expect(bravo["wf_launched_at"] == launched)
    #expect(bravo["sub_wf_name"] == "do_x")
    #expect(bravo["sub_wf_revision"] == .null)
    #expect(bravo["sub_wf_launched_at"] == subStarted)
    let gamma = try #require(recorder.workitem(of: "gamma"))
    #expect(gamma["sub_wf_name"] == "p")
    #expect(gamma["sub_wf_revision"] == "0.2")
    #expect(gamma["sub_wf_launched_at"] == subStarted)
  }
}

@Suite struct SpecRefusedConstructTests {
  // Decisions, §3.12, §4.3: given/that/of and `${r:...}` are refused at launch, with a clear error.
  @Test func refusedConstructsStopTheLaunch() throws {
    for body in ["given '${v:check}' do\n of 'a' do\n alpha\n end\nend", "alpha :x => '${r:1 + 1}'"] {
      let harness = EngineHarness()
      #expect(throws: LaunchError.self) { try harness.launch(definition(body)) }
    }
    let harness = EngineHarness()
    do {
      _ = try harness.launch(definition("given '${v:check}' do\n of 'a' do\n alpha\n end\nend"))
      Issue.record("a definition using `given` was launched")
    } catch {
      #expect("\(error)".contains("given"))
      #expect("\(error)".contains("line 2"))
    }
  }
}

@Suite struct SpecProcessNameTests {
  // §2.2, §1.3: the process name comes from `:name` as well as from the positional text.
  @Test func processNameFromTheNameAttribute() throws {
    let harness = EngineHarness()
    let recorder = DispatchRecorder(harness)
    let process = try harness.run("Ruote.process_definition :name => 'OBS Raw Event' do\n obs_event\nend\n")
    #expect(process.name == "OBS Raw Event")
    #expect(recorder.workitem(of: "obs_event")?["wf_name"] == "OBS Raw Event")
  }
}

// MARK: - §2.3 Apply / reply protocol

@Suite struct SpecApplyProtocolTests {
  // §2.3 step 1: an expression whose :if says no replies with the unchanged workitem.
  @Test func skippedExpressionRepliesWithTheUnchangedWorkitem() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("set 'x' => 'y', :if => 'false'\nunset 'keep', :unless => 'true'"),
      fields: ["__result__": "kept", "keep": 1])
    #expect(process.fields == ["__result__": "kept", "keep": 1])
  }

  // §2.3 step 2, §2.5: a forgotten branch runs on a copy of the variables
  // visible where it started; its `set 'v:x'` is not seen by the main flow.
  @Test func forgottenBranchWorksOnACopyOfTheVariables() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        set 'v:x' => 'main'
        sequence :forget => true do
          set 'v:x' => 'branch'
          background :x => '${v:x}'
        end
        wait '1s'
        after :x => '${v:x}'
        """))
    #expect(harness.params(of: "background")?["x"] == "branch")
    #expect(harness.params(of: "after")?["x"] == "main")
  }

  // §2.3 step 2: `:lose => true` never replies to its parent, but stays cancellable.
  @Test func loseAttributeNeverRepliesButStaysCancellable() throws {
    let harness = EngineHarness()
    let stuck = try harness.run(definition("sequence :lose => true do\n alpha\nend\nnever"))
    #expect(harness.callNames == ["alpha"])
    #expect(stuck.status == .running)

    let raced = EngineHarness()
    let process = try raced.run(
      definition(
        """
        concurrence :count => 1 do
          sequence :lose => true do
            alpha
          end
          sequence do
            wait '1s'
            bravo
          end
        end
        after
        """))
    #expect(raced.callNames == ["alpha", "bravo", "after"])
    #expect(process.status == .completed)
    #expect(raced.store.expressions(of: process.wfid).isEmpty)
  }

  // §2.3 step 2: a flank replies at once; when it ends on its own its field
  // changes reach nobody; when its parent replies the flank is cancelled.
  @Test func flankRepliesAtOnceAndItsChangesReachNobody() throws {
    let harness = EngineHarness()
    harness.participants["flanker"] = { fields, _, _ in fields["from_flank"] = true }
    harness.silent = ["slow"]
    let process = try harness.run(
      definition(
        """
        sequence do
          flanker :flank => true
          slow :flank => true
          wait '1s'
          bravo
        end
        after
        """))
    #expect(harness.callNames == ["flanker", "slow", "bravo", "after"])
    #expect(harness.fields(of: "bravo")?["from_flank"] == nil)
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant slow") })
    #expect(process.status == .completed)
    #expect(harness.store.dispatches.isEmpty)
  }

  // §2.3 step 3, §2.6: `:tag` pushes the tag on field `__tags__` for what
  // runs inside; on leaving, the tag is removed and `__left_tag__` set.
  @Test func tagIsPushedOnTagsAndLeftTagIsSetWhenLeaving() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("sequence :tag => 'outer' do\n sequence :tag => 'inner' do\n alpha\n end\n bravo\nend\ncharly"))
    #expect(harness.fields(of: "alpha")?["__tags__"] == ["outer", "inner"])
    #expect(harness.fields(of: "bravo")?["__tags__"] == ["outer"])
    #expect(harness.fields(of: "bravo")?["__left_tag__"] == "inner")
    #expect(harness.fields(of: "charly")?["__tags__"] == [])
    #expect(harness.fields(of: "charly")?["__left_tag__"] == "outer")
    #expect(process.status == .completed)
  }

  // §2.3 step 3, §4.3: `${tags}`, `${tag}` and `${full_tag}` follow the tags the workitem is in.
  @Test func reservedTagNamesFollowTheTags() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        sequence :tag => 'a' do
          sequence :tag => 'b' do
            alpha :tags => '${tags}', :innermost => '${tag}', :full => '${full_tag}'
          end
        end
        bravo :innermost => '[${tag}]'
        """))
    #expect(harness.params(of: "alpha")?["tags"] == #"["a", "b"]"#)
    #expect(harness.params(of: "alpha")?["innermost"] == "b")
    #expect(harness.params(of: "alpha")?["full"] == "a/b")
    #expect(harness.params(of: "bravo")?["innermost"] == "[]")
  }

  // §2.3 step 3, §3.22: the tag is a variable naming the expression, which `undo` cancels.
  @Test func undoCancelsTheTaggedExpressionAndRepliesAtOnce() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(
      definition(
        """
        concurrence do
          sequence :tag => 'waiter' do
            slow
          end
          sequence do
            wait '1s'
            undo 'waiter'
            bravo
          end
        end
        after
        """))
    #expect(harness.callNames == ["slow", "bravo", "after"])
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant slow") })
    #expect(process.status == .completed)
  }

  // §2.3 step 2: a forgotten branch replies to its parent before the tag is
  // considered, so the main flow never sees the branch's tag.
  @Test func forgottenTaggedBranchLeavesTheMainFlowUntagged() throws {
    let harness = EngineHarness()
    try harness.run(
      definition("sequence :forget => true, :tag => 'bg' do\n wait '1s'\n background\nend\nmain\nwait '2s'"))
    #expect(harness.fields(of: "main")?["__tags__"] == nil)
    #expect(harness.fields(of: "background")?["__tags__"] == ["bg"])
  }
}

// MARK: - §2.4 Workitem flow

@Suite struct SpecWorkitemFlowTests {
  // §2.4: a participant's reply replaces the fields wholesale (a removed field is gone).
  @Test func participantReplyReplacesTheFieldsWholesale() throws {
    let harness = EngineHarness()
    harness.participants["alpha"] = { fields, _, _ in fields["a"] = nil }
    try harness.run(definition("alpha\nbravo"), fields: ["a": 1, "b": 2])
    #expect(harness.fields(of: "bravo")?["a"] == nil)
    #expect(harness.fields(of: "bravo")?["b"] == 2)
  }

  // §2.4: `__result__` and `t` are removed at dispatch, after the
  // participant's attributes were substituted with them [run].
  @Test func dispatchRemovesResultAndTAfterSubstitutingTheParams() throws {
    let harness = EngineHarness()
    try harness.run(definition("set 'f:t' => 'x'\nalpha :t => '${t}', :r => '${__result__}'"))
    #expect(harness.params(of: "alpha")?["t"] == "x")
    #expect(harness.params(of: "alpha")?["r"] == "x")
    #expect(harness.fields(of: "alpha")?["t"] == nil)
    #expect(harness.fields(of: "alpha")?["__result__"] == nil)
  }

  // §2.4, §2.7: a cancelled participant replies with the workitem it had
  // dispatched: without `__result__` and `t`, without `params` and `dispatched_at`.
  @Test func cancelledParticipantRepliesWithTheWorkitemItWasSent() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("set 'f:t' => 'x'\nslow :timeout => '1s'"), fields: ["keep": 1])
    let fields = try #require(process.fields)
    #expect(fields["keep"] == 1)
    #expect(fields["t"] == nil)
    #expect(fields["__result__"] == nil)
    #expect(fields["params"] == nil)
    #expect(fields["dispatched_at"] == nil)
    #expect(fields["__timed_out__"] != nil)
  }

  // §2.7: a late real reply to a cancelled participant is dropped silently.
  @Test func lateReplyToACancelledParticipantIsDropped() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let recorder = DispatchRecorder(harness)
    let process = try harness.run(definition("slow :timeout => '1s'\nafter"))
    let fei = try #require(recorder.workitem(of: "slow")?["fei"])
    harness.engine.receive(try #require(FlowExpressionID(json: fei)), .success(["late": true]))
    harness.settle()
    let ended = try #require(harness.store.process(process.wfid))
    #expect(ended.status == .completed)
    #expect(ended.fields?["late"] == nil)
    #expect(harness.callNames == ["slow", "after"])
  }
}

// MARK: - §2.5 Variables and scopes

@Suite struct SpecVariableTests {
  // §2.5: `v:/x` reads and writes the root scope, even where `x` is shadowed.
  @Test func rootScopeIsAddressedWithASlash() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        set 'v:x' => 'root'
        do_x
        after :x => '${v:x}'
        define 'do_x' do
          set 'v:x' => 'local'
          inner :local => '${v:x}', :root => '${v:/x}'
          set 'v:/x' => 'changed'
        end
      end
      """)
    #expect(harness.params(of: "inner")?["local"] == "local")
    #expect(harness.params(of: "inner")?["root"] == "root")
    #expect(harness.params(of: "after")?["x"] == "changed")
  }

  // §2.5: `set 'v:x'` inside a subprocess writes the instance's own x: the
  // caller's x is only shadowed, and variables created inside are gone after.
  @Test func subprocessVariablesShadowTheCallersAndVanishWithIt() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        set 'v:x' => 'caller'
        do_x
        after :x => '${v:x}', :y => '${v:y}'
        define 'do_x' do
          set 'v:x' => 'inside'
          set 'v:y' => 'created'
          inner :x => '${v:x}'
        end
      end
      """)
    #expect(harness.params(of: "inner")?["x"] == "inside")
    #expect(harness.params(of: "after")?["x"] == "caller")
    #expect(harness.params(of: "after")?["y"] == "")
  }

  // §2.5: `:scope => true` opens a scope on any expression.
  @Test func scopeTrueOpensAVariableScope() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        set 'v:x' => 'outer'
        sequence :scope => true do
          set 'v:x' => 'inner'
          set 'v:y' => 'inner'
          inside :x => '${v:x}'
        end
        after :x => '${v:x}', :y => '${v:y}'
        """))
    #expect(harness.params(of: "inside")?["x"] == "inner")
    #expect(harness.params(of: "after")?["x"] == "outer")
    #expect(harness.params(of: "after")?["y"] == "")
  }

  // §3.1, §2.5: `let` is a sequence with its own scope.
  @Test func letIsASequenceWithItsOwnScope() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        set 'v:x' => 'outer'
        let do
          set 'v:x' => 'inner'
          first :x => '${v:x}'
          second
        end
        after :x => '${v:x}'
        """))
    #expect(harness.callNames == ["first", "second", "after"])
    #expect(harness.params(of: "first")?["x"] == "inner")
    #expect(harness.params(of: "after")?["x"] == "outer")
    #expect(process.status == .completed)
  }
}

// MARK: - §2.6 / §2.7 Special fields, cancellation, timeouts

@Suite struct SpecTimeoutTests {
  // §2.6: `__error__` is {fei, at, class, message, trace, details, deviations, tree}.
  @Test func errorFieldHasTheRuoteShape() throws {
    let harness = EngineHarness()
    harness.participants["fails"] = { _, _, _ in throw HarnessError("boom") }
    let process = try harness.run(definition("fails :on_error => 'pass'"))
    let error = try #require(process.fields?["__error__"]?.objectValue)
    #expect(error.keys == ["fei", "at", "class", "message", "trace", "details", "deviations", "tree"])
    #expect(error["class"] == "RuntimeError")
    #expect(error["message"] == "boom")
    #expect(error["fei"]?["expid"] == "0_0")
  }

  // §2.6: under a timeout the workitem that comes back is the innermost
  // expression's: a pending participant's entry, not the repeat's [run].
  @Test func timedOutEntryIsTheInnermostRunningExpressions() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    try harness.run(definition("repeat :timeout => '1s' do\n slow :msg => 'm ${n}'\nend\nafter"), fields: ["n": 3])
    let entry = try #require(harness.fields(of: "after")?["__timed_out__"]?.arrayValue)
    #expect(entry.count == 4)
    #expect(entry[2] == "participant")
    // The attributes are the compiled (substituted) ones, with `ref` added.
    #expect(entry[3] == ["msg": "m 3", "ref": "slow"])

    let waiting = EngineHarness()
    let process = try waiting.run(definition("sequence :timeout => '1s' do\n wait '3s'\nend"))
    let waitEntry = try #require(process.fields?["__timed_out__"]?.arrayValue)
    #expect(waitEntry[2] == "wait")
    #expect(waitEntry[3] == ["3s": nil])
  }

  // §2.7: a wait's timer is removed when it is cancelled.
  @Test func waitIsUnscheduledWhenCancelled() throws {
    let harness = EngineHarness()
    let start = harness.clock.now
    let process = try harness.run(definition("sequence :timeout => '1s' do\n wait '1h'\nend\nafter"))
    #expect(harness.callNames == ["after"])
    #expect(harness.clock.now.timeIntervalSince(start) == 1)
    #expect(harness.store.nextTimerDue == nil)
    #expect(process.status == .completed)
  }

  // §2.7: a timeout is ignored by an expression already marked failed (its
  // own timer, and the cancel of an enclosing timeout): the branch stays in error.
  @Test func timeoutIsIgnoredByAFailedExpression() throws {
    let harness = EngineHarness()
    harness.participants["fails"] = { _, _, _ in throw HarnessError("boom") }
    let own = try harness.run(definition("fails :timeout => '1s'\nafter"))
    #expect(harness.callNames == ["fails"])
    #expect(own.status == .error)
    #expect(harness.store.expressions(of: own.wfid).contains { $0.status == .failed })

    let enclosing = EngineHarness()
    let process = try enclosing.run(definition("sequence :timeout => '1s' do\n error 'stuck'\nend\nafter"))
    #expect(enclosing.callNames.isEmpty)
    #expect(process.status == .error)
    #expect(process.errors == ["stuck"])
  }

  // §2.7: an :on_timeout other than the special words is a name to call:
  // 'error my message' is a participant, not an error [run].
  @Test func onTimeoutWithAnyOtherTextCallsThatName() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("slow :timeout => '1s', :on_timeout => 'error my message'\nafter"))
    #expect(harness.callNames == ["slow", "error my message", "after"])
    #expect(harness.params(of: "error my message") == ["_triggered": "on_timeout", "ref": "error my message"])
    #expect(process.status == .completed)
  }

  // §2.7: `pass` just replies (the flow continues with `__timed_out__`).
  @Test func onTimeoutPassJustReplies() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    try harness.run(definition("slow :timeout => '1s', :on_timeout => 'pass'\nafter"))
    #expect(harness.callNames == ["slow", "after"])
    #expect(harness.fields(of: "after")?["__timed_out__"] != nil)
  }

  // §2.7: `redo` applies the same tree again.
  @Test func onTimeoutRedoAppliesTheSameTreeAgain() throws {
    let harness = EngineHarness()
    harness.participants["counter"] = { fields, _, call in fields["done"] = .bool(call >= 2) }
    try harness.run(
      definition(
        """
        sequence :timeout => '1s', :on_timeout => 'redo' do
          counter
          wait '1h', :unless => '${f:done}'
        end
        after
        """))
    #expect(harness.callNames == ["counter", "counter", "after"])
  }

  // §2.7: a cursor command as :on_timeout is written into `__command__` and
  // the expression replies, so the enclosing cursor executes it [run].
  @Test func onTimeoutCursorCommandSteersTheEnclosingCursor() throws {
    let harness = EngineHarness()
    harness.participants["counter"] = { fields, _, call in fields["n"] = .int(call) }
    try harness.run(
      definition(
        """
        cursor :break_if => '${f:n} == 2' do
          counter
          wait '1h', :timeout => '1s', :on_timeout => 'rewind'
        end
        after
        """))
    #expect(harness.callNames == ["counter", "counter", "after"])
    #expect(harness.fields(of: "after")?["__command__"] == nil)
  }

  // §2.7: a command :on_timeout on a cursor itself is executed by that cursor.
  @Test func onTimeoutCommandOnALoopIsExecutedByTheLoop() throws {
    let harness = EngineHarness()
    harness.participants["counter"] = { fields, _, call in fields["n"] = .int(call) }
    let process = try harness.run(
      definition(
        """
        cursor :timeout => '1s', :on_timeout => 'rewind', :break_if => '${f:n} == 2' do
          counter
          wait '1h'
        end
        after
        """))
    #expect(harness.callNames == ["counter", "counter", "after"])
    #expect(process.status == .completed)
  }
}

// MARK: - §2.8 Errors and on_error

@Suite struct SpecErrorTests {
  // §2.8, §3.18: the handler search crosses subprocess boundaries; the
  // failed participant below the owner is sent a cancel after its error.
  @Test func errorInsideASubprocessIsHandledByTheCallersHandler() throws {
    let harness = EngineHarness()
    harness.participants["fails"] = { _, _, _ in throw HarnessError("deep") }
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        sequence do
          on_error 'handler'
          do_x
          never
        end
        after
        define 'do_x' do
          fails
          never2
        end
      end
      """)
    #expect(harness.callNames == ["fails", "handler", "after"])
    #expect(harness.fields(of: "handler")?["__error__"]?["message"] == "deep")
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant fails") })
    #expect(process.status == .completed)
  }

  // §2.8: a condition that cannot be evaluated is an error like any other:
  // it goes to the handler, with the condition error's message.
  @Test func conditionErrorGoesThroughOnError() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("sequence :on_error => 'handler' do\n alpha :if => '5 > abc'\n never\nend\nafter"))
    #expect(harness.callNames == ["handler", "after"])
    let message = harness.fields(of: "handler")?["__error__"]?["message"]?.stringValue ?? ""
    #expect(message.contains("couldn't interpret"))
    #expect(process.status == .completed)
  }

  // §2.8: a subprocess handler sees variable `_triggered`.
  @Test func subprocessHandlerSeesTheTriggeredVariable() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        sequence :on_error => 'do_h' do
          error 'x'
        end
        define 'do_h' do
          notify :why => '${v:_triggered}', :msg => '${__error__.message}'
        end
      end
      """)
    #expect(harness.params(of: "notify")?["why"] == "on_error")
    #expect(harness.params(of: "notify")?["msg"] == "x")
  }

  // §2.8: the handler takes over the other on_* attributes and :tag.
  @Test func handlerTakesOverTheOtherOnAttributesAndTheTag() throws {
    let harness = EngineHarness()
    harness.participants["fails"] = { _, _, _ in throw HarnessError("boom") }
    try harness.run(definition("fails :on_error => 'h', :on_timeout => 'pass', :tag => 'tg', :msg => 'not copied'"))
    let params = try #require(harness.params(of: "h"))
    #expect(params["_triggered"] == "on_error")
    #expect(params["on_timeout"] == "pass")
    #expect(params["tag"] == "tg")
    #expect(params["ref"] == "h")
    #expect(params["on_error"] == nil)
    #expect(params["msg"] == nil)
  }

  // §2.8: `retry` (`redo`) applies the owner again.
  @Test func retryHandlerAppliesTheOwnerAgain() throws {
    let harness = EngineHarness()
    harness.participants["flaky"] = { _, _, call in if call == 1 { throw HarnessError("once") } }
    let process = try harness.run(definition("flaky :on_error => 'retry'\nafter"))
    #expect(harness.callNames == ["flaky", "flaky", "after"])
    #expect(process.status == .completed)
  }

  // §2.8: with `pass` the flow continues with the workitem that came back
  // from the cancelled children: `__error__` only when the owner is the failing participant.
  @Test func passContinuesWithErrorOnlyWhenTheOwnerFailedItself() throws {
    let harness = EngineHarness()
    harness.participants["fails"] = { _, _, _ in throw HarnessError("boom") }
    try harness.run(
      definition(
        """
        fails :on_error => 'pass'
        first :e => '${__error__.message}'
        unset '__error__'
        sequence :on_error => 'pass' do
          fails
        end
        second :e => '${__error__.message}'
        """))
    #expect(harness.params(of: "first")?["e"] == "boom")
    #expect(harness.params(of: "second")?["e"] == "")
  }

  // §2.8: `store: field` puts the error object in that field and continues.
  @Test func storeHandlerPutsTheErrorInAFieldAndContinues() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        "sequence :on_error => 'store: problem' do\n error 'bad'\n never\nend\nafter :m => '${problem.message}'"))
    #expect(harness.callNames == ["after"])
    #expect(harness.params(of: "after")?["m"] == "bad")
    #expect(process.status == .completed)
  }

  // §2.8: `raise` passes the error on to outer handlers.
  @Test func raiseHandlerPassesTheErrorToOuterHandlers() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        "sequence :on_error => 'outer' do\n sequence :on_error => 'raise' do\n error 'x'\n end\n never\nend\nafter"))
    #expect(harness.callNames == ["outer", "after"])
    #expect(process.status == .completed)
  }

  // §2.8 step 3, §3.19: errors caught by on_error do not reach `listen :to => :errors`.
  @Test func handledErrorsDoNotReachErrorListeners() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        sequence do
          do_log_error :flank => true
          sequence :on_error => 'pass' do
            error 'caught'
          end
          after
        end
        define 'do_log_error' do
          listen :to => :errors
          notify_irc
        end
      end
      """)
    #expect(harness.callNames == ["after"])
    #expect(process.status == .completed)
  }

  // §2.8 step 3: replaying an `error` expression lets it pass.
  @Test func replayingAnErrorExpressionLetsItPass() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("alpha\nerror 'stop here'\nafter"))
    #expect(process.status == .error)
    #expect(harness.engine.replay(process.wfid) == 1)
    harness.settle()
    let replayed = try #require(harness.store.process(process.wfid))
    #expect(harness.callNames == ["alpha", "after"])
    #expect(replayed.status == .completed)
  }

  // §2.8 step 3: replaying a failed participant calls it again.
  @Test func replayingAFailedParticipantCallsItAgain() throws {
    let harness = EngineHarness()
    harness.participants["flaky"] = { _, _, call in if call == 1 { throw HarnessError("once") } }
    let process = try harness.run(definition("flaky\nafter"))
    #expect(process.status == .error)
    harness.engine.replay(process.wfid)
    harness.settle()
    #expect(harness.callNames == ["flaky", "flaky", "after"])
    #expect(harness.store.process(process.wfid)?.status == .completed)
  }
}

// MARK: - §3.3–§3.6 Calls

@Suite struct SpecCallTests {
  // §3.3: `participant :ref` is always a participant, never a subprocess.
  @Test func explicitParticipantIsNeverASubprocess() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        participant :ref => 'do_x'
        define 'do_x' do
          inner
        end
      end
      """)
    #expect(harness.callNames == ["do_x"])
    #expect(harness.params(of: "do_x") == ["ref": "do_x"])
  }

  // §3.3: the positional form `participant 'x'` yields a null key `x` and no `ref` [run].
  @Test func positionalParticipantYieldsANullKeyAndNoRef() throws {
    let harness = EngineHarness()
    try harness.run(definition("participant 'alice', :n => 1"))
    #expect(harness.callNames == ["alice"])
    let params = try #require(harness.params(of: "alice"))
    #expect(params.keys == ["alice", "n"])
    #expect(params["alice"] == .null)
    #expect(params["n"] == 1)
  }

  // §3.3, §3.4: `ref 'x'` yields both `x: null` and `ref: "x"`, keys substituted [run].
  @Test func refYieldsThePositionalKeyAndRef() throws {
    let harness = EngineHarness()
    try harness.run(definition("ref 'built_${project}', :debug_dump => 'TRUE'"), fields: ["project": "P"])
    #expect(harness.callNames == ["built_P"])
    let params = try #require(harness.params(of: "built_P"))
    #expect(params.keys == ["built_P", "debug_dump", "ref"])
    #expect(params == ["built_P": nil, "debug_dump": "TRUE", "ref": "built_P"])
  }

  // §3.3: child nodes are passed substituted as `params.__children__` [run].
  @Test func childNodesArePassedSubstitutedAsChildrenParam() throws {
    let harness = EngineHarness()
    try harness.run(definition("alpha :x => '1' do\n bravo :y => '${n}'\nend"), fields: ["n": 3])
    #expect(harness.callNames == ["alpha"])
    let params = try #require(harness.params(of: "alpha"))
    #expect(params.keys == ["x", "ref", "__children__"])
    #expect(params["__children__"] == [["bravo", ["y": "3"], []]])
  }

  // §3.5: a subprocess name that resolves to no tree is an error [run].
  @Test func subprocessWithoutATreeIsAnError() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("subprocess :ref => 'do_${v:task}'\nnever"))
    #expect(harness.callNames.isEmpty)
    #expect(process.status == .error)
    #expect(process.errors == ["no subprocess named 'do_' found"])
  }

  // §3.5: every call attribute becomes a variable (ref, if, ... too); a
  // prefix is dropped (`v:y`, `fld:z` bind y and z) except `f:`/`field:`,
  // which set a field in the caller's workitem [run].
  @Test func subprocessCallBindsEveryAttributeAsAVariable() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        do_x :if => 'true', :msg => 'm', 'v:y' => 'Y', 'fld:z' => 'Z', 'field:w' => 'W'
        after :w => '${w}'
        define 'do_x' do
          inner :ref_var => '${v:ref}', :if_var => '${v:if}', :y => '${v:y}', :z => '${v:z}', :zf => '${f:z}', :msg => '${v:msg}'
        end
      end
      """)
    let params = try #require(harness.params(of: "inner"))
    #expect(params["ref_var"] == "do_x")
    #expect(params["if_var"] == "true")
    #expect(params["y"] == "Y")
    #expect(params["z"] == "Z")
    #expect(params["zf"] == "")
    #expect(params["msg"] == "m")
    #expect(harness.params(of: "after")?["w"] == "W")
  }

  // §3.6: apply binds its attributes as written (not substituted); they
  // render as the value because rendering re-expands them [run].
  @Test func applyBindsItsAttributesUnsubstituted() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        with_block do
          sequence do
            set 'f:copy' => '$v:b'
            work :b => '${v:b}'
          end
        end
        define 'with_block' do
          apply :b => '${n}'
        end
      end
      """, fields: ["n": 3])
    #expect(harness.fields(of: "work")?["copy"] == "${n}")
    #expect(harness.params(of: "work")?["b"] == "3")
  }

  // §3.5: only the call's first child is the block bound as `tree`.
  @Test func onlyTheFirstChildOfACallIsItsBlock() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        with_block do
          first
          second
        end
        define 'with_block' do
          apply
        end
      end
      """)
    #expect(harness.callNames == ["first"])
  }

  // §3.6: apply without a tree replies at once.
  @Test func applyWithoutATreeRepliesAtOnce() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("apply\nalpha"))
    #expect(harness.callNames == ["alpha"])
    #expect(process.status == .completed)
  }
}

// MARK: - §3.7–§3.10 set, inc, echo, wait

@Suite struct SpecDataTests {
  func finalFields(_ body: String, _ fields: JSONObject = JSONObject()) throws -> JSONObject {
    let harness = EngineHarness()
    let process = try harness.run(definition(body), fields: fields)
    #expect(process.status == .completed, "\(process.errors)")
    return try #require(process.fields)
  }

  // §3.7: values are substituted unless :escape is present with a value other than false [run].
  @Test func escapeKeepsTheValueTextButNotTheKey() throws {
    let fields = try finalFields(
      """
      set 'a_${k}' => '${n}', :escape => true
      set 'b' => '${n}', :escape => 'false'
      set 'c' => '${n}', :escape => false
      """, ["n": 3, "k": "K"])
    #expect(fields["a_K"] == "${n}")
    #expect(fields["b"] == "${n}")
    #expect(fields["c"] == "3")
  }

  // §3.7: `:var_value` / `:field_value` copy a typed value.
  @Test func varValueAndFieldValueCopyTypedValues() throws {
    let fields = try finalFields(
      """
      set 'v:l' => [1, 2]
      set :f => 'from_field', :field_value => 'stages'
      set :field => 'from_var', :var_value => 'l'
      set :var => 'x', :value => 'X'
      set :variable => 'y', :val => 'Y'
      set 'xy' => '${v:x}${v:y}'
      """, ["stages": ["a", "b"]])
    #expect(fields["from_field"] == ["a", "b"])
    #expect(fields["from_var"] == [1, 2])
    #expect(fields["xy"] == "XY")
  }

  // §3.7: an index past the end of an array pads it with nulls [run].
  @Test func setPastTheEndOfAnArrayPadsWithNulls() throws {
    let fields = try finalFields("set 'f:a.3' => 'x'\nset 'f:a.0' => 'first'", ["a": [1]])
    #expect(fields["a"] == ["first", nil, nil, "x"])
  }

  // §3.7: a nil value (a raw reference to nothing) stores JSON null; unset
  // of a missing value puts null in `__result__` [run].
  @Test func nilValuesAreStoredAsNull() throws {
    let fields = try finalFields("set 'x' => '$f:missing'")
    #expect(fields["x"] == .null)
    #expect(fields["__result__"] == .null)
    let unset = try finalFields("unset 'nothing'", ["__result__": "before"])
    #expect(unset["__result__"] == .null)
  }

  // §1.3, §3.7: `unset` takes the target from `:variable` (and its other spellings) too.
  @Test func unsetTakesItsTargetFromTheNamedAttributes() throws {
    let fields = try finalFields(
      """
      set 'v:sourceprojects' => ['a']
      unset :variable => 'sourceprojects'
      set 'after' => '[${v:sourceprojects}]'
      unset :field => 'gone'
      """, ["gone": 1])
    #expect(fields["after"] == "[]")
    #expect(fields["gone"] == nil)
    #expect(fields["__result__"] == 1)
  }

  // §3.8: shorthand target `'x' => amount`.
  @Test func incShorthandAddsTheAmount() throws {
    let fields = try finalFields("inc 'n' => 2\ninc 'f:m' => 5", ["n": 1])
    #expect(fields["n"] == 3)
    #expect(fields["m"] == 5)
  }

  // §3.8: `inc` does not touch `__result__` [run].
  @Test func incLeavesResultAlone() throws {
    let fields = try finalFields("set 'x' => 'y'\ninc 'f:n'\ninc 'v:l', :val => 'a'")
    #expect(fields["__result__"] == "y")
    #expect(fields["n"] == 1)
  }

  // §3.8: `:pos => 'head'` prepends to a list.
  @Test func incPrependsWithPosHead() throws {
    let fields = try finalFields("inc 'f:l', :val => 'z', :pos => 'head'", ["l": ["a"]])
    #expect(fields["l"] == ["z", "a"])
  }

  // §3.8: `dec` on a list removes the last element into `__result__`, or
  // into the `:to`/`:to_v`/`:to_f` target when one is given [run].
  @Test func decRemovesTheLastElementIntoResultOrTheTarget() throws {
    let fields = try finalFields(
      """
      dec 'f:l'
      set 'after_first' => '$f:__result__'
      dec 'f:l', :to_f => 'popped'
      dec 'f:l', :to_v => 'x'
      set 'from_var' => '${v:x}'
      """, ["l": ["a", "b", "c", "d"]])
    #expect(fields["after_first"] == "d")
    #expect(fields["popped"] == "c")
    #expect(fields["from_var"] == "b")
    #expect(fields["l"] == ["a"])
    #expect(fields["__result__"] == "b")  // set 'from_var' wrote it
  }

  // §3.8: `push` / `pop` force lists.
  @Test func pushForcesAList() throws {
    let fields = try finalFields("push 'f:l', :val => 1\npush 'f:l', :val => 2")
    #expect(fields["l"] == [1, 2])
  }

  // §3.9: echo prints the positional text or `:text` and replies with the unchanged workitem.
  @Test func echoAcceptsTextAndRepliesUnchanged() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("echo :text => 'n is ${n}'"), fields: ["n": 3])
    #expect(process.history.contains("echo: n is 3"))
    #expect(process.fields == ["n": 3])
  }

  // §3.10: duration from `:for`, absolute time from `:until`, a text with a
  // space read as a date/time, plain numbers of seconds.
  @Test func waitReadsForUntilDatesAndSeconds() throws {
    let harness = EngineHarness()
    let start = harness.clock.now  // 2026-11-18 11:06:40 UTC
    var seconds: [Double] = []
    for name in ["alpha", "bravo", "charly", "delta"] {
      harness.participants[name] = { _, _, _ in seconds.append(harness.clock.now.timeIntervalSince(start)) }
    }
    try harness.run(
      definition(
        """
        wait :for => '2m'
        alpha
        wait :until => '2026-11-18 12:00:00'
        bravo
        wait '2026-11-18 13:00:00'
        charly
        wait '30'
        delta
        """))
    #expect(harness.callNames == ["alpha", "bravo", "charly", "delta"])
    #expect(seconds == [120, 3_200, 6_800, 6_830])
  }
}

// MARK: - §3.11–§3.13 if, equals

@Suite struct SpecConditionalTests {
  // §3.11: a blank test (not exactly empty) is a test, and a false one [run].
  @Test func blankTestIsAFalseTest() throws {
    let harness = EngineHarness()
    try harness.run(definition("_if :test => ' ' do\n yes\n no\nend"))
    #expect(harness.callNames == ["no"])
  }

  // §3.11: `:t` is a spelling of `:test`.
  @Test func tAttributeIsATest() throws {
    let harness = EngineHarness()
    try harness.run(definition("_if :t => '${n} > 2' do\n yes\n no\nend"), fields: ["n": 3])
    #expect(harness.callNames == ["yes"])
  }

  // §3.11: without a test, the second child runs only when the condition
  // child leaves `__result__` exactly boolean true.
  @Test func conditionChildNeedsExactlyTrue() throws {
    for (result, expected) in [(JSONValue.bool(true), "yes"), ("true", "no"), (1, "no")] {
      let harness = EngineHarness()
      harness.participants["cond"] = { fields, _, _ in fields["__result__"] = result }
      try harness.run(definition("_if do\n cond\n yes\n no\nend"))
      #expect(harness.callNames == ["cond", expected], "result \(result)")
    }
  }

  // §3.13: equals compares two values and sets `__result__` (the condition of a test-less `_if`).
  @Test func equalsSetsResult() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        _if do
          equals :field_value => 'a', :other_value => 'x'
          same
          different
        end
        _if do
          equals :variable_value => 'nothing', :other_field_value => 'a'
          same
          different
        end
        """), fields: ["a": "x"])
    #expect(harness.callNames == ["same", "different"])
  }
}

// MARK: - §3.14–§3.15 Loops and commands

@Suite struct SpecLoopTests {
  // §3.14: `rewind_if` is checked after each child.
  @Test func rewindIfRestartsTheCursor() throws {
    let harness = EngineHarness()
    harness.participants["counter"] = { fields, _, call in fields["again"] = call < 3 ? "yes" : "no" }
    try harness.run(definition("cursor :rewind_if => '\"${f:again}\" == \"yes\"' do\n counter\nend\nafter"))
    #expect(harness.callNames == ["counter", "counter", "counter", "after"])
  }

  // §3.14: `over_if` / `stop_if` end the cursor like break.
  @Test func overIfAndStopIfEndTheCursor() throws {
    for attribute in ["over_if", "stop_if", "break_if"] {
      let harness = EngineHarness()
      harness.participants["alpha"] = { fields, _, _ in fields["done"] = true }
      try harness.run(definition("cursor :\(attribute) => '${f:done}' do\n alpha\n bravo\nend\nafter"))
      #expect(harness.callNames == ["alpha", "after"], "\(attribute)")
    }
  }

  // §3.14: `reset` goes back to the first child with the cursor's original workitem.
  @Test func resetRestartsWithTheOriginalWorkitem() throws {
    let harness = EngineHarness()
    harness.participants["counter"] = { fields, _, call in
      fields["seen"] = .int(call)
      fields["again"] = call < 2 ? "yes" : "no"
    }
    try harness.run(definition("cursor do\n counter\n reset :if => '\"${f:again}\" == \"yes\"'\nend\nafter"))
    #expect(harness.callNames == ["counter", "counter", "after"])
    #expect(harness.fields(of: "counter", 1)?["seen"] == nil)
    #expect(harness.fields(of: "after")?["seen"] == 2)
  }

  // §3.14: skip n moves forward, back n moves backward, both counted from the next position.
  @Test func skipAndBackMoveRelatively() throws {
    let harness = EngineHarness()
    try harness.run(definition("cursor do\n alpha\n skip '1'\n bravo\n charly\nend"))
    #expect(harness.callNames == ["alpha", "charly"])

    let back = EngineHarness()
    back.participants["bravo"] = { fields, _, call in fields["done"] = .bool(call >= 2) }
    try back.run(definition("cursor do\n alpha\n bravo\n back '2', :unless => '${f:done}'\nend"))
    #expect(back.callNames == ["alpha", "bravo", "bravo"])
  }

  // §3.14: `jump :to => x` (and the positional form) jumps to the child named x.
  @Test func jumpAcceptsTheToAttribute() throws {
    let harness = EngineHarness()
    try harness.run(definition("cursor do\n alpha\n jump :to => 'charly'\n bravo\n charly\nend"))
    #expect(harness.callNames == ["alpha", "charly"])

    let byIndex = EngineHarness()
    try byIndex.run(definition("cursor do\n alpha\n jump '3'\n bravo\n charly\nend"))
    #expect(byIndex.callNames == ["alpha", "charly"])
  }

  // §3.14: a command whose :if says no does nothing.
  @Test func commandWithFalseConditionIsANoOp() throws {
    let harness = EngineHarness()
    try harness.run(definition("cursor do\n alpha\n _break :if => 'false'\n bravo\nend"))
    #expect(harness.callNames == ["alpha", "bravo"])
  }

  // §3.14: a `__command__` field a participant leaves is obeyed, with an integer argument.
  @Test func commandFieldFromAParticipantIsObeyed() throws {
    let harness = EngineHarness()
    harness.participants["alpha"] = { fields, _, call in if call == 1 { fields["__command__"] = ["skip", 1] } }
    try harness.run(definition("cursor do\n alpha\n bravo\n charly\nend"))
    #expect(harness.callNames == ["alpha", "charly"])
  }

  // §3.15: list sources: `:on` text split on commas, `:on_val` raw, `:on_var`, `:times`; missing → empty.
  @Test func iteratorListSources() throws {
    func items(_ body: String, _ fields: JSONObject = JSONObject()) throws -> [JSONValue?] {
      let harness = EngineHarness()
      try harness.run(definition(body), fields: fields)
      return harness.calls.map { $0.params["item"] }
    }
    #expect(try items("iterator :on => 'a, b' do\n work :item => '${v:i}'\nend") == ["a", "b"])
    #expect(
      try items("iterator :on_val => '$f:l', :to_f => 'x' do\n work :item => '$f:x'\nend", ["l": [1, 2]]) == [1, 2])
    #expect(
      try items("set 'v:vl' => ['p', 'q']\niterator :on_var => 'vl' do\n work :item => '${v:i}'\nend") == ["p", "q"])
    #expect(try items("iterator :times => '3' do\n work :item => '${v:i}'\nend") == ["0", "1", "2"])
    #expect(try items("iterator :on_field => 'missing' do\n work :item => '${v:i}'\nend").isEmpty)
    #expect(try items("iterator :on => 'a|b', :sep => '|' do\n work :item => '${v:i}'\nend") == ["a", "b"])
  }

  // §3.15: targets: `:to => 'f:a.b'` is a literal top-level key, a bare name
  // is a field, `var:` a variable; the field keeps the last value [run].
  @Test func iteratorTargets() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        iterator :on => 'a, b', :to => 'f:x.y' do
          echo '${f:x\\.y}'
        end
        iterator :on => 'c', :to => 'bare' do
          noop
        end
        iterator :on => 'd', :to => 'var:v' do
          noop
        end
        set 'seen' => '${v:v}'
        """), fields: ["x": ["y": "untouched"]])
    let fields = try #require(process.fields)
    #expect(fields["x.y"] == "b")
    #expect(fields["x"] == ["y": "untouched"])
    #expect(fields["bare"] == "c")
    #expect(fields["seen"] == "d")
  }

  // §3.15: an iterator looks for a command before the first element too.
  @Test func iteratorBreakIfIsCheckedBeforeTheFirstElement() throws {
    let harness = EngineHarness()
    try harness.run(
      definition("iterator :on => 'a, b', :break_if => '${f:stop}' do\n work\nend\nafter"), fields: ["stop": true])
    #expect(harness.callNames == ["after"])
  }

  // §3.15: skip n and jump n (absolute) in an iterator.
  @Test func iteratorSkipAndJump() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        "iterator :on => 'a, b, c, d' do\n work :item => '${v:i}'\n skip '1', :if => '\"${v:i}\" == \"a\"'\nend"))
    #expect(harness.calls.map { $0.params["item"] } == ["a", "c", "d"])

    let jumping = EngineHarness()
    try jumping.run(
      definition(
        "iterator :on => 'a, b, c, d' do\n work :item => '${v:i}'\n jump '3', :if => '\"${v:i}\" == \"a\"'\nend"))
    #expect(jumping.calls.map { $0.params["item"] } == ["a", "d"])
  }
}

// MARK: - §3.16–§3.22 terminate, error, listen, concurrence, forget, noop

@Suite struct SpecFlowControlTests {
  // §3.16: cancel_process ends the instance (terminated, not an error).
  @Test func cancelProcessEndsTheProcessTerminated() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("alpha\ncancel_process\nnever"))
    #expect(harness.callNames == ["alpha"])
    #expect(process.status == .terminated)
    #expect(process.errors.isEmpty)
  }

  // §3.17: the message comes from `:msg` / `:message` or the positional text, with a default.
  @Test func errorMessageSources() throws {
    for (body, message) in [
      ("error :msg => 'from msg ${n}'", "from msg 3"), ("error :message => 'from message'", "from message"),
      ("error", "error triggered from process definition"),
    ] {
      let harness = EngineHarness()
      let process = try harness.run(definition(body), fields: ["n": 3])
      #expect(process.errors == [message])
    }
  }

  // §3.19: `:upon` defaults to 'apply': the listener wakes when a workitem
  // is dispatched to that participant in another process, and merges its fields.
  @Test func listenUponApplyByDefault() throws {
    let harness = EngineHarness()
    harness.silent = ["alpha"]
    let a = try harness.launch(definition("listen :to => 'alpha'\nafter"), fields: ["own": 1, "shared": "a"])
    harness.settle()
    _ = try harness.launch(definition("alpha"), fields: ["shared": "b", "other": 2])
    harness.settle()
    #expect(harness.callNames == ["alpha", "after"])
    #expect(harness.fields(of: "after")?["own"] == 1)
    #expect(harness.fields(of: "after")?["shared"] == "b")
    #expect(harness.fields(of: "after")?["other"] == 2)
    #expect(harness.store.process(a)?.status == .completed)
  }

  // §3.19: `:merge => 'override'` takes the event's fields only; any other value keeps the listener's.
  @Test func listenMergeOverrideAndFalse() throws {
    for (merge, expectedOwn, expectedShared) in [
      ("override", JSONValue?.none, JSONValue?.some("b")), ("false", 1, "a"),
    ] {
      let harness = EngineHarness()
      _ = try harness.launch(
        definition("listen :to => 'alpha', :merge => '\(merge)'\nafter"), fields: ["own": 1, "shared": "a"])
      harness.settle()
      _ = try harness.launch(definition("alpha"), fields: ["shared": "b"])
      harness.settle()
      #expect(harness.fields(of: "after")?["own"] == expectedOwn, "\(merge)")
      #expect(harness.fields(of: "after")?["shared"] == expectedShared, "\(merge)")
    }
  }

  // §3.19: with children, each event starts a forgotten copy of them and the listen goes on.
  @Test func listenWithChildrenRunsThemPerEventAndKeepsListening() throws {
    let harness = EngineHarness()
    let a = try harness.launch(definition("listen :to => 'ping', :upon => 'reply' do\n pong :n => '${n}'\nend"))
    harness.settle()
    _ = try harness.launch(definition("ping"), fields: ["n": 1])
    harness.settle()
    _ = try harness.launch(definition("ping"), fields: ["n": 2])
    harness.settle()
    #expect(harness.calls.filter { $0.participant == "pong" }.map { $0.params["n"] } == ["1", "2"])
    #expect(harness.store.process(a)?.status == .running)
    #expect(harness.engine.hasListener(for: "ping"))
  }

  // §3.19: `listen :to => :errors` hears unhandled errors of its own instance only.
  @Test func errorListenerIgnoresOtherProcesses() throws {
    let harness = EngineHarness()
    let a = try harness.launch(definition("listen :to => :errors\nnotify"))
    harness.settle()
    let b = try harness.launch(definition("error 'elsewhere'"))
    harness.settle()
    #expect(harness.callNames.isEmpty)
    #expect(harness.store.process(a)?.status == .running)
    #expect(harness.store.process(b)?.status == .error)
  }

  // §3.19: `:class` and `:message` narrow down the errors a listener hears.
  @Test func errorListenerFiltersOnClassAndMessage() throws {
    for (filter, heard) in [
      (":message => 'boom'", true), (":message => 'other'", false), (":msg => '/oo/'", true),
      (":class => 'Ruote::ForcedError'", true), (":class => 'RuntimeError'", false),
    ] {
      let harness = EngineHarness()
      try harness.run(
        """
        Ruote.process_definition 'p' do
          sequence do
            do_watch :flank => true
            wait '1s'
            error 'boom'
          end
          define 'do_watch' do
            listen :to => :errors, \(filter)
            notify
          end
        end
        """)
      #expect(harness.callNames == (heard ? ["notify"] : []), "\(filter)")
    }
  }

  // §3.20: a negative :count waits for all but n branches; the rest is cancelled.
  @Test func negativeCountWaitsForAllButN() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("concurrence :count => -1 do\n fast\n slow\nend\nafter"))
    #expect(harness.callNames == ["fast", "slow", "after"])
    #expect(process.status == .completed)
  }

  // §3.20: :over_if ends the concurrence on a reply that makes it true.
  @Test func overIfEndsTheConcurrence() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    harness.participants["fast"] = { fields, _, _ in fields["winner"] = "fast" }
    let process = try harness.run(
      definition("concurrence :over_if => '\"${f:winner}\" == \"fast\"' do\n fast\n slow\nend\nafter"))
    #expect(harness.callNames == ["fast", "slow", "after"])
    #expect(process.status == .completed)
  }

  // §3.20: :merge last / highest / lowest pick the winner by reply order or branch position.
  @Test func mergeChoosesTheWinner() throws {
    for (merge, winner) in [("first", "b"), ("last", "a"), ("highest", "a"), ("lowest", "b")] {
      let harness = EngineHarness()
      harness.participants["a"] = { fields, _, _ in fields["w"] = "a" }
      harness.participants["b"] = { fields, _, _ in fields["w"] = "b" }
      // Branch b replies first: a sits one level deeper.
      let process = try harness.run(
        definition("concurrence :merge => '\(merge)' do\n sequence do\n a\n end\n b\nend"))
      #expect(process.fields?["w"] == .string(winner), "\(merge)")
    }
  }

  // §3.20: `:remaining => 'forget'` leaves the other branches running.
  @Test func remainingForgetLeavesBranchesRunning() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        "concurrence :count => 1, :remaining => 'forget' do\n fast\n sequence do\n wait '1s'\n late\n end\nend\nafter"))
    #expect(harness.callNames == ["fast", "after", "late"])
    #expect(process.status == .completed)
  }

  // §3.21: each branch has its own scope holding `ii` and the `:to_v` variable.
  @Test func concurrentIteratorBranchesHaveTheirOwnScope() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        concurrent_iterator :on => 'a, b', :to_v => 'x' do
          work :x => '${v:x}', :ii => '${v:ii}'
        end
        after :x => '${v:x}', :ii => '${v:ii}'
        """))
    #expect(harness.calls.filter { $0.participant == "work" }.map { $0.params["x"] } == ["a", "b"])
    #expect(harness.calls.filter { $0.participant == "work" }.map { $0.params["ii"] } == ["0", "1"])
    #expect(harness.params(of: "after")?["x"] == "")
    #expect(harness.params(of: "after")?["ii"] == "")
  }

  // §3.21: an empty list replies at once.
  @Test func concurrentIteratorOverAnEmptyListRepliesAtOnce() throws {
    let harness = EngineHarness()
    try harness.run(definition("concurrent_iterator :on_field => 'none' do\n work\nend\nafter"))
    #expect(harness.callNames == ["after"])
  }

  // §3.22: the forget expression starts each child as its own branch, all together, and replies at once.
  @Test func forgetExpressionStartsEachChildAsItsOwnBranch() throws {
    let harness = EngineHarness()
    harness.silent = ["alpha"]
    let process = try harness.run(definition("forget do\n alpha\n bravo\nend\ncharly"))
    #expect(Set(harness.callNames) == ["alpha", "bravo", "charly"])
    #expect(harness.calls.count == 3)
    // The main flow ended; the forgotten alpha keeps the instance alive.
    #expect(harness.store.expressions(of: process.wfid).count == 1)
  }

  // §3.22: lose applies its children and never replies; it stays cancellable.
  @Test func loseExpressionNeverReplies() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        "concurrence :count => 1 do\n lose do\n alpha\n end\n sequence do\n wait '1s'\n bravo\n end\nend\nafter"))
    #expect(harness.callNames == ["alpha", "bravo", "after"])
    #expect(process.status == .completed)
  }

  // §3.22: noop replies at once.
  @Test func noopRepliesAtOnce() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("noop\nalpha"))
    #expect(harness.callNames == ["alpha"])
    #expect(process.status == .completed)
  }
}

// MARK: - §2.1 Trees as the engine sees them

@Suite struct SpecPositionalTextTests {
  // §2.1: the positional text is the first null-valued key, whatever it
  // reads: `echo 'text'`, `on_error 'handler'`, `_if 'test'` are positional.
  @Test func positionalTextThatReadsLikeAnAttributeNameIsStillPositional() throws {
    let harness = EngineHarness()
    let echoed = try harness.run(definition("echo 'text'\nerror 'msg'"))
    #expect(echoed.history.contains("echo: text"))
    #expect(echoed.errors == ["msg"])

    let handled = EngineHarness()
    let process = try handled.run(definition("sequence do\n on_error 'handler'\n error 'x'\nend\nafter"))
    #expect(handled.callNames == ["handler", "after"])
    #expect(process.status == .completed)

    let tested = EngineHarness()
    try tested.run(definition("_if 'test' do\n yes\n no\nend"))
    #expect(tested.callNames == ["yes"])
  }
}

@Suite struct SpecTreeTests {
  // §2.1, §5.6: a Ruby comparison in an attribute is evaluated at parse time
  // (`'${f:x}' != "running"` is boolean true), and true means "always run".
  @Test func rubyBooleanConditionAlwaysRuns() throws {
    let harness = EngineHarness()
    try harness.run(
      definition("alpha :if => '${f:service_state}' != \"running\""), fields: ["service_state": "running"])
    #expect(harness.callNames == ["alpha"])
    #expect(harness.params(of: "alpha")?["if"] == true)
  }

  // §2.1: leading underscores are dropped (`_sleep` is `sleep`, an alias of wait).
  @Test func leadingUnderscoresAreDropped() throws {
    let harness = EngineHarness()
    let start = harness.clock.now
    try harness.run(definition("_sleep '5s'\nalpha"))
    #expect(harness.callNames == ["alpha"])
    #expect(harness.clock.now.timeIntervalSince(start) == 5)
  }
}
