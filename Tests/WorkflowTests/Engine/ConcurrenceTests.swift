import OrderedJSON
import Testing

@testable import Workflow

/// concurrence, concurrent_iterator, terminate and apply (spec §3.6, §3.16, §3.20, §3.21, T13).
@Suite struct EngineConcurrenceTests {
  @Test func t13ConcurrentIteratorFirstFinishedBranchWins() throws {
    let harness = EngineHarness()
    harness.participants["obs_repodiff"] = { fields, params, _ in
      fields["seen_\(params["source"]?.stringValue ?? "")"] = true
    }
    let process = try harness.run(
      definition(
        """
        concurrent_iterator :on_field => 'pairs', :to_f => 'pair' do
          obs_repodiff :source => '${pair.source}', :i => '${v:ii}'
        end
        after :pair => '${pair.source}'
        """), fields: ["pairs": [["source": "A"], ["source": "C"]]])
    #expect(harness.callNames == ["obs_repodiff", "obs_repodiff", "after"])
    #expect(harness.calls[0].params["source"] == "A")
    #expect(harness.calls[0].params["i"] == "0")
    #expect(harness.calls[1].params["source"] == "C")
    #expect(harness.calls[1].params["i"] == "1")
    #expect(harness.calls[2].params["pair"] == "A")
    let fields = try #require(process.fields)
    #expect(fields["pair"] == ["source": "A"])
    #expect(fields["seen_A"] == true)
    #expect(fields["seen_C"] == nil)
  }

  @Test func branchesAdvanceBreadthFirstSoTheShallowestStepRepliesFirst() throws {
    let harness = EngineHarness()
    harness.participants["deep"] = { fields, _, _ in fields["winner"] = "deep" }
    harness.participants["shallow"] = { fields, _, _ in fields["winner"] = "shallow" }
    let process = try harness.run(definition("concurrence do\n sequence do\n deep\n end\n shallow\nend"))
    #expect(harness.callNames == ["shallow", "deep"])
    #expect(process.fields?["winner"] == "shallow")
  }

  @Test func reachedCountCancelsTheRemainingBranches() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("concurrence :count => 1 do\n fast\n slow\nend\nafter"))
    #expect(harness.callNames == ["fast", "slow", "after"])
    #expect(process.status == .completed)
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant slow") })
    #expect(harness.store.dispatches.isEmpty)
  }

  @Test func mergeTypeMixKeepsEveryBranchFieldWithTheWinnerWinning() throws {
    let harness = EngineHarness()
    harness.participants["a"] = { fields, _, _ in
      fields["x"] = "a"; fields["only_a"] = 1
    }
    harness.participants["b"] = { fields, _, _ in
      fields["x"] = "b"; fields["only_b"] = 2
    }
    let process = try harness.run(definition("concurrence :merge_type => 'mix' do\n a\n b\nend"))
    #expect(process.fields?["x"] == "a")
    #expect(process.fields?["only_a"] == 1)
    #expect(process.fields?["only_b"] == 2)
  }

  @Test func terminateInsideASubprocessEndsTheWholeProcess() throws {
    let harness = EngineHarness()
    harness.silent = ["never_answers"]
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        concurrence do
          never_answers
          sequence do
            work
            do_terminate
            not_reached
          end
        end
        after
        define 'do_terminate' do
          terminate
        end
      end
      """)
    #expect(harness.callNames == ["never_answers", "work"])
    #expect(process.status == .terminated)
    #expect(harness.store.expressions(of: process.wfid).isEmpty)
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant never_answers") })
  }

  @Test func applyRunsTheCallersBlockBetweenLockAndUnlock() throws {
    let harness = EngineHarness()
    try harness.run(
      """
      Ruote.process_definition 'p' do
        with_lock do
          work :who => '${v:holder}'
        end
        after
        define 'with_lock' do
          set 'v:holder' => 'L1'
          lock
          apply
          unlock
        end
      end
      """)
    #expect(harness.callNames == ["lock", "work", "unlock", "after"])
    #expect(harness.calls[1].params["who"] == "L1")
  }

  @Test func operatorCancelEndsTheProcessCancelled() throws {
    let harness = EngineHarness()
    harness.silent = ["waits"]
    let process = try harness.run(definition("waits\nnever"))
    harness.engine.cancelProcess(process.wfid)
    harness.engine.run()
    let cancelled = try #require(harness.store.process(process.wfid))
    #expect(cancelled.status == .cancelled)
    #expect(harness.store.dispatches.isEmpty)
  }
}
