import OrderedJSON
import Testing

@testable import Workflow

/// forget, flank, listen, apply with a lock, inc (spec T8, T9, T12, T14, §3.8).
@Suite struct EngineBranchTests {
  @Test func killProcessCancelsWithAKillThatParticipantsHear() throws {
    let harness = EngineHarness()
    let wfid = try harness.launch(
      definition("concurrence do\n  waiting_for_ever\n  sequence do\n    wait '0s'\n    kill_process\n  end\nend"))
    harness.settle()
    let process = try #require(harness.store.process(wfid))
    #expect(process.status == .terminated)
    #expect(process.history.contains("cancel sent to participant waiting_for_ever (0_0_0), kill"), "\(process.history)")
  }

  @Test func t8ForgottenBranchRunsOnAndItsFieldsReachNobody() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        alpha
        sequence :forget => true do
          wait '0.5s'
          remove_build_trial
          set 'f:bg' => 'done'
        end
        bravo
        wait '1.5s'
        charly
        """))
    #expect(harness.callNames == ["alpha", "bravo", "remove_build_trial", "charly"])
    #expect(process.status == .completed)
    #expect(process.fields.map { JSONValue.object($0).serialized() } == "{}")
    #expect(process.history.contains { $0.hasPrefix("forgotten branch") && $0.hasSuffix("ceased") })
  }

  @Test func t8TerminateDoesNotStopAForgottenBranch() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("sequence :forget => true do\n wait '1s'\n background\nend\nterminate\nnever"))
    #expect(harness.callNames == ["background"])
    #expect(process.status == .terminated)
  }

  @Test func t9FlankedErrorNotifierReportsUnhandledErrorsAndListensAgain() throws {
    let harness = EngineHarness()
    harness.participants["step_fails"] = { _, _, _ in throw HarnessError("boom") }
    let text = """
      Ruote.process_definition 'p' do
        sequence do
          do_log_error :flank => true
          alpha
          step_fails
          never
        end
        define 'do_log_error' do
          cursor do
            listen :to => :errors
            notify_irc :msg => 'process ${wfid} ERROR ${f:__error__.message}'
            rewind
          end
        end
      end
      """
    let process = try harness.run(text)
    #expect(harness.callNames == ["alpha", "step_fails", "notify_irc"])
    #expect(harness.calls[2].params["msg"] == .string("process \(process.wfid) ERROR boom"))
    #expect(process.status == .error)
    #expect(process.errors == ["boom"])
    #expect(harness.store.trackers.count == 1)

    let clean = EngineHarness()
    let ended = try clean.run(text.replacingOccurrences(of: "step_fails\n", with: ""))
    #expect(clean.callNames == ["alpha", "never"])
    #expect(ended.status == .completed)
    #expect(clean.store.trackers.count == 0)
    #expect(clean.store.expressions(of: ended.wfid).isEmpty)
  }

  @Test func t12ListenAcrossProcessesWaitsForTheMatchingReplyAndMergesItsFields() throws {
    let harness = EngineHarness()
    let a = try harness.launch(
      definition(
        """
        sequence do
          review_started
          listen :to => 'req_changed_${ev.id}', :upon => 'reply', :where => '"${ev.state}" in ["new", "declined", "revoked", "accepted", "superseded"]'
          decide :state => '${ev.state}', :who => '${who}'
        end
        """), fields: ["ev": ["id": "42", "state": "review"], "who": "boss"])
    harness.settle()
    let signal = definition("participant :ref => 'req_changed_${ev.id}'")
    _ = try harness.launch(signal, fields: ["ev": ["id": 42, "state": "review"]])
    harness.settle()
    #expect(!harness.callNames.contains("decide"))
    _ = try harness.launch(signal, fields: ["ev": ["id": 43, "state": "accepted"]])
    harness.settle()
    #expect(!harness.callNames.contains("decide"))
    _ = try harness.launch(signal, fields: ["ev": ["id": 42, "state": "accepted", "extra": 1], "newfield": "x"])
    harness.settle()
    let decide = try #require(harness.calls.first { $0.participant == "decide" })
    #expect(decide.params["state"] == "accepted")
    #expect(decide.params["who"] == "boss")
    let process = try #require(harness.store.process(a))
    #expect(process.status == .completed)
    #expect(
      process.fields.map { JSONValue.object($0).serialized() }
        == #"{"ev":{"id":42,"state":"accepted","extra":1},"who":"boss","newfield":"x"}"#)
    #expect(harness.engine.hasListener(for: "req_changed_42") == false)
  }

  @Test func t14SubprocessVariablesApplyAndTerminateInsideASubprocess() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        with_ticket do
          sequence do
            work1 :who => '${v:lock}'
            do_terminate :if => '${f:stop}'
            work2
          end
        end
        after_ticket
        define 'with_ticket' do
          set 'v:lock' => 'L1'
          set :f => 'hasLock', :val => 'true'
          obsticket :action => 'get'
          apply
          obsticket :action => 'release'
        end
        define 'do_terminate' do
          _if :test => '${f:hasLock} == true' do
            obsticket :action => 'release', :why => 'terminate'
          end
          terminate
        end
      end
      """, fields: ["stop": true])
    #expect(harness.callNames == ["obsticket", "work1", "obsticket"])
    #expect(harness.calls[0].params["action"] == "get")
    #expect(harness.calls[1].params["who"] == "L1")
    #expect(harness.calls[2].params["why"] == "terminate")
    #expect(process.status == .terminated)
  }

  @Test func incAppendsToListsAndAddsToNumbers() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        set 'v:sourceprojects' => []
        inc 'v:sourceprojects', :val => 'home:a'
        inc 'v:sourceprojects', :val => 'home:b', :if => '"home:b" not in ${v:sourceprojects}'
        inc 'v:sourceprojects', :val => 'home:a', :if => '"home:a" not in ${v:sourceprojects}'
        set 'list' => '$v:sourceprojects'
        inc 'f:n'
        inc 'f:n', :val => '41'
        inc 'f:fresh', :val => 'x'
        """), fields: ["__result__": "kept"])
    let fields = try #require(process.fields)
    #expect(fields["list"] == ["home:a", "home:b"])
    #expect(fields["n"] == 42)
    #expect(fields["fresh"] == ["x"])
  }

  @Test func incOnTextIsAProcessError() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("inc 'f:s'"), fields: ["s": "abc"])
    #expect(process.status == .error)
    #expect(process.errors.first?.contains("not a number or a list") == true)
  }
}

@Suite struct TrackerIndexTests {
  let a = FlowExpressionID(wfid: "w1", expid: "0_0", subid: "a")
  let b = FlowExpressionID(wfid: "w2", expid: "0_0", subid: "b")
  let c = FlowExpressionID(wfid: "w3", expid: "0_0", subid: "c")

  @Test func listenersAreFoundByKeyInArrivalOrderAndForgotten() {
    var index = TrackerIndex()
    index.add(a, key: "built_P")
    index.add(b, key: "/built_.*/")
    index.add(c, key: "built_P")
    #expect(index.listeners(forKey: "built_P") == [a, c])
    #expect(index.all == [a, b, c])
    let removed = index.remove(a)
    let removedAgain = index.remove(a)
    #expect(removed)
    #expect(!removedAgain)
    #expect(index.listeners(forKey: "built_P") == [c])
    #expect(Set(index.keys) == ["built_P", "/built_.*/"])
  }

  @Test func aListenScopedToItsProcessIsNoSignalTargetForOtherProcesses() throws {
    let harness = EngineHarness()
    let own = try harness.launch(definition("listen :to => 'ping', :wfid => true\nafter_ping"))
    harness.settle()
    #expect(harness.engine.hasListener(for: "ping", from: own))
    #expect(!harness.engine.hasListener(for: "ping", from: "some-other-process"))
    let open = try harness.launch(definition("listen :to => 'pong'\nafter_pong"))
    harness.settle()
    #expect(harness.engine.hasListener(for: "pong", from: "some-other-process"))
    #expect(harness.engine.hasListener(for: "pong", from: open))
  }

  @Test func regexListenerHearsMatchingNamesAndExactOnesOnlyTheirOwn() throws {
    let harness = EngineHarness()
    let regex = try harness.launch(definition("listen :to => '/req_changed_.*/', :upon => 'reply'\nafter_regex"))
    let exact = try harness.launch(definition("listen :to => 'req_changed_1', :upon => 'reply'\nafter_exact"))
    harness.settle()
    #expect(harness.engine.hasListener(for: "req_changed_2"))
    #expect(!harness.engine.hasListener(for: "other"))
    _ = try harness.launch(definition("participant :ref => 'req_changed_2'"))
    harness.settle()
    #expect(harness.callNames.contains("after_regex"))
    #expect(!harness.callNames.contains("after_exact"))
    #expect(harness.store.process(regex)?.status == .completed)
    #expect(harness.store.process(exact)?.status == .running)
  }
}
