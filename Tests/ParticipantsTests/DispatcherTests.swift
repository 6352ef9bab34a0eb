import Foundation
import OrderedJSON
import PDef
import Testing
import Workflow

@testable import Participants

/// Runs definitions on the in-memory engine with the real dispatcher: built-in
/// obsticket, executables from a temporary participants folder, signals.
final class DispatchHarness: @unchecked Sendable {
  let store = InMemoryEngineStore()
  let engine: WorkflowEngine
  let dispatcher: Dispatcher
  let directory: String
  let mailbox = Mailbox()

  /// Calls and answers posted by executables from their own tasks, taken on the test's thread.
  final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var posted: [(ParticipantCallReport, Result<JSONObject, ParticipantError>?)] = []

    func post(_ call: ParticipantCallReport, _ answer: Result<JSONObject, ParticipantError>?) {
      lock.lock()
      posted.append((call, answer))
      lock.unlock()
    }

    func take() -> [(ParticipantCallReport, Result<JSONObject, ParticipantError>?)] {
      lock.lock()
      defer {
        posted.removeAll()
        lock.unlock()
      }
      return posted
    }
  }

  init(aliases: [ParticipantAlias] = [], runner: ExecutableRunner = ExecutableRunner()) throws {
    directory =
      FileManager.default.temporaryDirectory.appendingPathComponent("robogrator-dispatch-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    engine = WorkflowEngine(store: store)
    let mailbox = self.mailbox
    dispatcher = Dispatcher(
      participantsDirectory: directory, aliases: aliases, runner: runner,
      post: { call, answer in mailbox.post(call, answer) })
    let engine = self.engine
    let dispatcher = self.dispatcher
    engine.onDispatch = { dispatcher.dispatch($0, engine: engine) }
    engine.onDispatchCancelled = { dispatcher.cancelled($0, engine: engine) }
    engine.onProcessEnd = { dispatcher.processEnded($0, engine: engine) }
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  /// Writes an executable participant script.
  func participant(_ name: String, _ script: String) throws {
    let path = directory + "/" + name
    try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
  }

  func launch(_ text: String, fields: JSONObject = [:]) throws -> String {
    try engine.launch(try PDefParser.parse(text, file: "t.pdef"), fields: fields)
  }

  /// Runs until nothing moves: engine messages and executables' answers.
  /// Async, so waiting leaves the cooperative pool to the runner's tasks.
  /// The timeout is generous: while the command-line suites wait on their
  /// child processes they hold the pool's threads (two on a two-core
  /// machine), and the runner's tasks wait with them.
  func settle(timeout: Double = 60) async {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      engine.run()
      let answers = mailbox.take()
      // As the daemon does: the record first, then the answer (none for a cancelled call).
      for (call, answer) in answers {
        store.callEnded(call)
        if let answer { engine.receive(call.expression, answer) }
      }
      if answers.isEmpty && dispatcher.runningCount == 0 && engine.run() == 0 { return }
      try? await Task.sleep(for: .milliseconds(2))
    }
  }
}

@Suite struct DispatcherTests {
  @Test func obsticketGrantsLocksInArrivalOrderAndReleasesWhenAProcessEnds() async throws {
    let harness = try DispatchHarness()
    let holder = "Ruote.process_definition 'a' do\n obsticket :action => 'get', :lock_project => 'P'\n hold\nend\n"
    let waiter =
      "Ruote.process_definition 'b' do\n obsticket :action => 'get', :lock_project => 'P'\n mine\n obsticket :action => 'release', :lock_project => 'P'\nend\n"
    let first = try harness.launch(holder)
    await harness.settle()
    let second = try harness.launch(waiter)
    let third = try harness.launch(waiter)
    await harness.settle()
    // `hold` is unknown: the holder stops in error, still holding the lock.
    #expect(harness.store.process(first)?.status == .error)
    #expect(Obsticket.locks(in: harness.store)["P"]?["holder"] == .string(first))
    #expect(Obsticket.locks(in: harness.store)["P"]?["waiters"]?.arrayValue?.count == 2)
    harness.engine.cancelProcess(first)
    await harness.settle()
    // The lock went to the second process, which failed at `mine` (unknown) holding it...
    #expect(Obsticket.locks(in: harness.store)["P"]?["holder"] == .string(second))
    harness.engine.cancelProcess(second)
    await harness.settle()
    #expect(Obsticket.locks(in: harness.store)["P"]?["holder"] == .string(third))
    #expect(harness.store.process(third)?.errors.first?.contains("unknown participant 'mine'") == true)
  }

  @Test func obsticketRequireDoesNotWait() async throws {
    let harness = try DispatchHarness()
    try harness.participant("record", #"cat > /dev/null"#)
    let a = try harness.launch(
      "Ruote.process_definition 'a' do\n obsticket :action => 'require', :lock => 'L'\n stop_here\nend\n")
    await harness.settle()
    let b = try harness.launch(
      "Ruote.process_definition 'b' do\n obsticket :action => 'require', :lock => 'L'\n set 'got' => '${__result__}'\nend\n"
    )
    await harness.settle()
    #expect(harness.store.process(a)?.status == .error)
    #expect(harness.store.process(b)?.fields?["got"] == "false")
  }

  @Test func cancelledWaiterLeavesTheQueue() async throws {
    let harness = try DispatchHarness()
    let get = "Ruote.process_definition 'x' do\n obsticket :action => 'get', :lock => 'L'\n stop_here\nend\n"
    _ = try harness.launch(get)
    await harness.settle()
    let waiting = try harness.launch(get)
    await harness.settle()
    #expect(Obsticket.locks(in: harness.store)["L"]?["waiters"]?.arrayValue?.count == 1)
    harness.engine.cancelProcess(waiting)
    await harness.settle()
    #expect(Obsticket.locks(in: harness.store)["L"]?["waiters"] == nil)
  }

  @Test func executableParticipantRepliesThroughTheEngine() async throws {
    let harness = try DispatchHarness()
    try harness.participant(
      "check.py",
      #"exec python3 -c 'import json,sys,os; w=json.load(sys.stdin); w["fields"]["seen"]=[os.environ["ROBOGRATOR_PARTICIPANT"], w["fields"]["params"]["x"]]; w["fields"]["__result__"]=True; json.dump(w,sys.stdout)'"#
    )
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n check :x => 'one'\nend\n")
    await harness.settle()
    let process = try #require(harness.store.process(wfid))
    #expect(process.status == .completed)
    #expect(process.fields?["seen"] == ["check", "one"])
    #expect(process.fields?["params"] == nil)
  }

  @Test func failingExecutableStopsTheProcessWithItsStatusAndStderr() async throws {
    let harness = try DispatchHarness()
    try harness.participant("broken", "cat > /dev/null; echo 'cannot reach OBS' >&2; exit 3")
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n broken\n never\nend\n")
    await harness.settle()
    let process = try #require(harness.store.process(wfid))
    #expect(process.status == .error)
    #expect(process.errors.first?.contains("exited with status 3") == true)
    #expect(process.errors.first?.contains("cannot reach OBS") == true)
  }

  @Test func resolutionOrderIsBuiltInExecutableAliasSignalUnknown() async throws {
    let harness = try DispatchHarness(aliases: [ParticipantAlias(pattern: "built_.*", executable: "built_notice")])
    try harness.participant("notify", "cat")
    try harness.participant("built_notice", "cat")
    let noListener: (String) -> Bool = { _ in false }
    #expect(harness.dispatcher.resolve("obsticket", hasListener: noListener) == .builtIn("obsticket"))
    #expect(
      harness.dispatcher.resolve("notify", hasListener: noListener) == .executable(path: harness.directory + "/notify"))
    #expect(
      harness.dispatcher.resolve("built_Chalk", hasListener: noListener)
        == .alias(path: harness.directory + "/built_notice", pattern: "built_.*"))
    #expect(harness.dispatcher.resolve("req_changed_42", hasListener: { $0 == "req_changed_42" }) == .signal)
    #expect(harness.dispatcher.resolve("nobody", hasListener: noListener) == .unknown)
    #expect(harness.dispatcher.resolve("../etc/passwd", hasListener: noListener) == .unknown)
  }

  @Test func callNobodyServesButAListenWaitsForIsASignal() async throws {
    let harness = try DispatchHarness()
    let waiting = try harness.launch(
      "Ruote.process_definition 'a' do\n listen :to => 'built_P', :upon => 'reply'\n set 'done' => 'yes'\nend\n")
    await harness.settle()
    let signaller = try harness.launch(
      "Ruote.process_definition 'b' do\n participant :ref => 'built_P'\n set 'after' => 'yes'\nend\n",
      fields: ["result": "ok"])
    await harness.settle()
    #expect(harness.store.process(signaller)?.status == .completed)
    #expect(harness.store.process(waiting)?.status == .completed)
    #expect(harness.store.process(waiting)?.fields?["result"] == "ok")
  }

  @Test func aListenScopedToItsOwnProcessDoesNotMakeAnotherProcesssCallASignal() async throws {
    let harness = try DispatchHarness()
    let waiting = try harness.launch(
      "Ruote.process_definition 'a' do\n listen :to => 'built_P', :upon => 'reply', :wfid => true\nend\n")
    await harness.settle()
    let caller = try harness.launch("Ruote.process_definition 'b' do\n participant :ref => 'built_P'\nend\n")
    await harness.settle()
    #expect(harness.store.process(caller)?.status == .error)
    #expect(harness.store.process(caller)?.errors.first?.hasPrefix("unknown participant 'built_P'") == true)
    #expect(harness.store.process(waiting)?.status == .running)
  }

  @Test func aCallWithItsOwnTimeoutIsNotCutShortByTheConfiguredDefault() async throws {
    let harness = try DispatchHarness(
      runner: ExecutableRunner(configuration: .init(defaultTimeout: .milliseconds(200))))
    try harness.participant("slowish", "cat > /dev/null; sleep 0.6")
    let own = try harness.launch("Ruote.process_definition 'a' do\n slowish :timeout => '1m'\nend\n")
    let none = try harness.launch("Ruote.process_definition 'b' do\n slowish\nend\n")
    await harness.settle()
    #expect(harness.store.process(own)?.status == .completed)
    #expect(harness.store.process(none)?.status == .error)
    #expect(harness.store.process(none)?.errors.first?.contains("timed out") == true)
  }

  @Test func anErrorReplyReachesTheDefinitionWithItsOwnMessageClassAndFields() async throws {
    // Spec T10 with a real executable: __error__.message is the reply's message, as in ruote.
    let harness = try DispatchHarness()
    try harness.participant(
      "trigger_service",
      #"cat > /dev/null; echo 'talking to the service' >&2; echo '{"fields": {"tried": true}, "error": {"class": "Ruote::Amqp::RemoteError", "message": "no access", "trace": ["svc.py:12"]}}'"#
    )
    try harness.participant("notify_irc", "cat")
    // Keeps what it was given as params in the fields, for the test to read.
    try harness.participant(
      "after",
      #"exec python3 -c 'import json,sys; w=json.load(sys.stdin); w["fields"]["seen"]=w["fields"]["params"]; print(json.dumps(w))'"#
    )
    let wfid = try harness.launch(
      """
      Ruote.process_definition 'p' do
        sequence do
          trigger_service :on_error => 'do_service_error'
          after :err => '${__error__.message}', :class => '${__error__.class}', :tried => '${tried}'
        end
        define 'do_service_error' do
          notify_irc :msg => 'service error: ${__error__.message}'
        end
      end
      """)
    await harness.settle()
    let process = try #require(harness.store.process(wfid))
    #expect(process.status == .completed)
    #expect(process.fields?["__error__"]?["message"] == "no access")
    #expect(process.fields?["__error__"]?["class"] == "Ruote::Amqp::RemoteError")
    #expect(process.fields?["__error__"]?["trace"] == ["svc.py:12"])
    #expect(process.fields?["seen"]?["err"] == "no access")
    #expect(process.fields?["seen"]?["class"] == "Ruote::Amqp::RemoteError")
    // The handler ran with the workitem of the failure: the fields the participant replied with.
    #expect(process.fields?["seen"]?["tried"] == "true")
    #expect(process.history.contains { $0.contains("replied with error: no access") && $0.contains("handled by") })
  }

  @Test func anErrorReplyPassedOverLeavesNoDispatchKeysInTheFields() async throws {
    let harness = try DispatchHarness()
    try harness.participant(
      "trigger_service",
      #"python3 -c 'import json,sys; w=json.load(sys.stdin); w["fields"]["tried"]=1; w["error"]="no access"; print(json.dumps(w))'"#
    )
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n trigger_service :on_error => 'pass'\nend\n")
    await harness.settle()
    let fields = try #require(harness.store.process(wfid)?.fields)
    #expect(harness.store.process(wfid)?.status == .completed)
    #expect(fields["tried"] == 1)
    #expect(fields["params"] == nil)
    #expect(fields["dispatched_at"] == nil)
  }

  @Test func anUnhandledErrorReplyShowsOperatorsTheProgramAndItsStderr() async throws {
    let harness = try DispatchHarness()
    try harness.participant(
      "trigger_service", #"cat > /dev/null; echo 'cannot reach OBS' >&2; echo '{"fields": {}, "error": "no access"}'"#)
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n trigger_service\nend\n")
    await harness.settle()
    let error = try #require(harness.store.process(wfid)?.errors.first)
    #expect(error.hasPrefix("participant \(harness.directory)/trigger_service replied with error: no access"))
    #expect(error.contains("cannot reach OBS"))
  }

  @Test func aliasPatternsMatchWholeNamesAndBadOnesAreRefusedByTheSameEngine() {
    let alias = ParticipantAlias(pattern: "built_.*", executable: "built_notice")
    #expect(alias.matches("built_Chalk:Trunk"))
    #expect(!alias.matches("not_built_x"))
    #expect(alias.patternProblem == nil)
    #expect(ParticipantAlias(pattern: "built_(", executable: "x").patternProblem != nil)
    #expect(ParticipantAlias(pattern: "a|b", executable: "x").matches("b"))
    #expect(!ParticipantAlias(pattern: "a|b", executable: "x").matches("ab"))
  }

  @Test func unknownParticipantErrorNamesTheProcessExpressionAndFolder() async throws {
    let harness = try DispatchHarness()
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n sequence do\n nobody_home\n end\nend\n")
    await harness.settle()
    let error = try #require(harness.store.process(wfid)?.errors.first)
    #expect(error.hasPrefix("unknown participant 'nobody_home' in process \(wfid) at 0_0_0"))
    #expect(error.contains(harness.directory + "/nobody_home"))
  }

  @Test func cancellingARunningExecutableStopsItsProcess() async throws {
    let harness = try DispatchHarness()
    let marker = harness.directory + "/started"
    try harness.participant("slow", "cat > /dev/null; touch '\(marker)'; sleep 30")
    let wfid = try harness.launch("Ruote.process_definition 'p' do\n slow\nend\n")
    harness.engine.run()
    let deadline = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: marker) && Date() < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    let start = Date()
    harness.engine.cancelProcess(wfid)
    await harness.settle(timeout: 25)
    #expect(harness.store.process(wfid)?.status == .cancelled)
    #expect(harness.dispatcher.runningCount == 0)
    // Stopped, not waited for: well under the participant's 30 s (the margin is for a starved pool).
    #expect(Date().timeIntervalSince(start) < 25)
  }
}
