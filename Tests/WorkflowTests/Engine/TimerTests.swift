import Foundation
import OrderedJSON
import Testing

@testable import Workflow

/// wait, :timeout and :on_timeout, on the harness's clock (spec §2.7, §3.10, T3, T17).
@Suite struct EngineTimerTests {
  @Test func t3PollingRepeatEndsWhenTheResultIsTrue() throws {
    let harness = EngineHarness()
    harness.participants["is_repo_published"] = { fields, _, call in fields["__result__"] = .bool(call == 3) }
    let process = try harness.run(
      definition(
        """
        repeat :timeout => '5s', :on_timeout => 'error' do
          is_repo_published :project => '${ev.project}'
          _break :if => '${f:__result__}'
          wait '0.2s'
        end
        after
        """), fields: ["ev": ["project": "P"]])
    #expect(harness.callNames == ["is_repo_published", "is_repo_published", "is_repo_published", "after"])
    #expect(harness.calls[0].params["project"] == "P")
    #expect(process.status == .completed)
  }

  @Test func t3RepeatThatTimesOutWithOnTimeoutErrorStopsInError() throws {
    let harness = EngineHarness()
    let start = harness.clock.now
    let process = try harness.run(
      definition("repeat :timeout => '1s', :on_timeout => 'error' do\n poll\n wait '0.3s'\nend\nafter"))
    #expect(harness.callNames.allSatisfy { $0 == "poll" })
    #expect((3...5).contains(harness.callNames.count))
    #expect(process.status == .error)
    #expect(process.errors == ["error triggered from process definition"])
    #expect(harness.clock.now.timeIntervalSince(start) >= 1)
  }

  @Test func t17ParticipantTimeoutWithoutHandlerContinuesWithTimedOut() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("slow :timeout => '1s'\nafter"))
    #expect(harness.callNames == ["slow", "after"])
    #expect(harness.calls[0].params["timeout"] == "1s")
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant slow") })
    #expect(process.status == .completed)
    let timedOut = try #require(process.fields?["__timed_out__"]?.arrayValue)
    #expect(timedOut.count == 4)
    #expect(timedOut[2] == "participant")
    #expect(timedOut[3] == ["timeout": "1s", "ref": "slow"])
  }

  @Test func t17ParticipantTimeoutWithOnTimeoutErrorStopsInError() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    let process = try harness.run(definition("slow :timeout => '1s', :on_timeout => 'error'\nafter"))
    #expect(harness.callNames == ["slow"])
    #expect(process.status == .error)
    #expect(process.errors == ["error triggered from process definition"])
  }

  @Test func onTimeoutNamingASubprocessRunsItInPlace() throws {
    let harness = EngineHarness()
    harness.silent = ["slow"]
    try harness.run(
      """
      Ruote.process_definition 'p' do
        slow :timeout => '2m', :on_timeout => 'do_log_timeout'
        after
        define 'do_log_timeout' do
          notify :why => '${v:_triggered}'
        end
      end
      """)
    #expect(harness.callNames == ["slow", "notify", "after"])
    #expect(harness.calls[1].params["why"] == "on_timeout")
  }

  @Test func waitRepliesAfterItsDurationAndAnEmptyDurationDoesNotWait() throws {
    let harness = EngineHarness()
    let start = harness.clock.now
    try harness.run(definition("wait '1h30m'\nalpha\nwait '${missing}'\nbravo"))
    #expect(harness.callNames == ["alpha", "bravo"])
    #expect(harness.clock.now.timeIntervalSince(start) == 5_400)
  }

  @Test func unreadableDurationIsAProcessError() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("wait 'abc'"))
    #expect(process.status == .error)
    #expect(process.errors.first?.hasPrefix("not a duration \"abc\"") == true)
  }

  @Test(arguments: [
    ("30", 30.0), ("0.5", 0.5), ("1m", 60), ("1h30m", 5_400), ("2d", 172_800), ("1w", 604_800), ("1M", 2_592_000),
    ("1.5s", 1.5),
  ])
  func durationTexts(text: String, seconds: Double) throws {
    #expect(try DurationText.seconds(text) == seconds)
  }
}
