import Foundation
import OrderedJSON
import Testing
import Workflow

@testable import Participants

/// The record the dispatcher keeps of every call, as `robogrator show` lists it.
@Suite struct CallRecordTests {
  @Test func executableThatLogsAndRepliesIsRecordedWithExitDurationAndStderr() async throws {
    let harness = try DispatchHarness()
    try harness.participant("check", "cat > /dev/null; echo 'checking bash' >&2; sleep 0.2; echo 'all good' >&2")
    let before = Date()
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n check\nend\n")
    await harness.settle()
    #expect(harness.store.process(wfid)?.status == .completed)
    let call = try #require(harness.store.calls.first)
    #expect(harness.store.calls.count == 1)
    #expect(call.expression.wfid == wfid && call.expression.expid == "0_0")
    #expect(call.participant == "check" && call.attempt == 1)
    #expect(call.resolution == .executable && call.executablePath == harness.directory + "/check")
    #expect(call.outcome == .ok && call.exit == "exit 0" && call.error == nil)
    #expect(call.stderr == "checking bash\nall good\n" && call.stderrTotalBytes == 23)
    #expect(call.duration >= .milliseconds(200) && call.duration < .seconds(10))
    #expect(call.startedAt >= before.addingTimeInterval(-0.001))
    let ended = try #require(call.endedAt)
    #expect(ended.timeIntervalSince(call.startedAt) >= 0.2)
  }

  @Test func executableThatExitsThreeIsRecordedAsAnErrorWithItsStderr() async throws {
    let harness = try DispatchHarness()
    try harness.participant("broken", "cat > /dev/null; echo 'cannot reach OBS' >&2; exit 3")
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n broken\nend\n")
    await harness.settle()
    #expect(harness.store.process(wfid)?.status == .error)
    let call = try #require(harness.store.calls.first)
    #expect(call.outcome == .error && call.exit == "exit 3")
    #expect(call.error == "participant \(harness.directory)/broken exited with status 3")
    #expect(call.stderr == "cannot reach OBS\n" && call.stderrTotalBytes == 17)
    #expect(call.endedAt != nil)
  }

  @Test func cancelledCallEndsCancelledAndItsAnswerIsDropped() async throws {
    let harness = try DispatchHarness()
    let marker = harness.directory + "/started"
    try harness.participant(
      "slow", "cat > /dev/null; echo 'working' >&2; touch '\(marker)'; sleep 30; echo '{\"fields\": {\"late\": 1}}'")
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n slow\nend\n")
    harness.engine.run()
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: marker) && Date() < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    try #require(FileManager.default.fileExists(atPath: marker))
    #expect(harness.store.calls.map(\.outcome) == [.running])
    harness.engine.cancelProcess(wfid)
    await harness.settle()
    #expect(harness.store.process(wfid)?.status == .cancelled)
    let call = try #require(harness.store.calls.first)
    #expect(harness.store.calls.count == 1)
    #expect(call.outcome == .cancelled && call.exit == "cancelled" && call.error == nil)
    #expect(call.stderr == "working\n")
    #expect(call.endedAt != nil)
  }

  @Test func builtInSignalAndUnknownCallsAreRecordedWithoutAProgram() async throws {
    let harness = try DispatchHarness()
    _ = try harness.launch(
      "Ruote.process_definition 'a' do\n listen :to => 'built_P', :upon => 'reply'\nend\n")
    await harness.settle()
    let wfid = try harness.launch(
      "Ruote.process_definition 'b' do\n obsticket :action => 'get', :lock => 'L'\n built_P\n nobody_home\nend\n")
    await harness.settle()
    let calls = harness.store.calls.filter { $0.expression.wfid == wfid }
    #expect(calls.map(\.participant) == ["obsticket", "built_P", "nobody_home"])
    #expect(calls.map(\.resolution) == [.builtin, .signal, .unknown])
    #expect(calls.map(\.outcome) == [.ok, .ok, .error])
    #expect(calls.allSatisfy { $0.exit == nil && $0.executablePath == nil && $0.stderr.isEmpty })
    #expect(calls.allSatisfy { $0.duration == .zero && $0.endedAt != nil })
    #expect(calls[2].error?.hasPrefix("unknown participant 'nobody_home' in process \(wfid)") == true)
  }

  @Test func lockWaitStaysRunningUntilGrantedOrCancelled() async throws {
    let harness = try DispatchHarness()
    let get = "Ruote.process_definition 'x' do\n obsticket :action => 'get', :lock => 'L'\n stop_here\nend\n"
    let holder = try harness.launch(get)
    await harness.settle()
    let granted = try harness.launch(get)
    let cancelled = try harness.launch(get)
    await harness.settle()
    func lockCall(_ wfid: String) -> ParticipantCallReport? {
      harness.store.calls.first { $0.expression.wfid == wfid && $0.participant == "obsticket" }
    }
    #expect(lockCall(holder)?.outcome == .ok)
    #expect(lockCall(granted)?.outcome == .running)
    #expect(lockCall(cancelled)?.outcome == .running)
    harness.engine.cancelProcess(cancelled)
    await harness.settle()
    #expect(lockCall(cancelled)?.outcome == .cancelled)
    harness.engine.cancelProcess(holder)
    await harness.settle()
    #expect(lockCall(granted)?.outcome == .ok)
    #expect(lockCall(granted)?.endedAt != nil)
  }

  @Test func callMadeAgainCarriesItsAttempt() async throws {
    let harness = try DispatchHarness()
    try harness.participant("again", "cat > /dev/null; echo \"count $ROBOGRATOR_ATTEMPT\" >&2")
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n again\nend\n")
    // As serve does after a restart: the pending dispatch is served again.
    harness.engine.onDispatch = { _ in }
    harness.engine.run()
    let pending = try #require(harness.store.dispatches.first)
    harness.dispatcher.dispatch(pending, engine: harness.engine, attempt: 3)
    await harness.settle()
    #expect(harness.store.process(wfid)?.status == .completed)
    #expect(harness.store.calls.map(\.attempt) == [3])
    #expect(harness.store.calls.first?.stderr == "count 3\n")
  }
}

@Suite struct ExitTextTests {
  @Test func exitTextNamesTheStatusTheSignalOrWhyNoProgramEnded() {
    #expect(ParticipantOutcome.Reason.exited(0).exitText == "exit 0")
    #expect(ParticipantOutcome.Reason.exited(3).exitText == "exit 3")
    #expect(ParticipantOutcome.Reason.signalled(SIGKILL).exitText == "signal 9 (KILL)")
    #expect(ParticipantOutcome.Reason.signalled(77).exitText == "signal 77")
    #expect(ParticipantOutcome.Reason.timedOut.exitText == "timed out")
    #expect(ParticipantOutcome.Reason.cancelled.exitText == "cancelled")
    #expect(ParticipantOutcome.Reason.failedToStart("no such file").exitText == "not started")
  }
}
