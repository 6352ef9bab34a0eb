import Foundation
import OrderedJSON
import Testing

@testable import Participants

// Serialized: these tests spawn processes and some assert on (generous) timing; running them
// in parallel on a 2-core machine would only make them slower and flakier.
@Suite(.serialized)
struct ExecutableRunnerTests {
  let runner = ExecutableRunner()

  // MARK: - Replies

  @Test func replyOnStdoutIsTheNewWorkitem() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "echo_back",
      """
      sed 's/"ev"/"checked":true,"ev"/'
      """)
    let outcome = await runner.run(request(path))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.status == .exited(0))
    let reply = try WorkitemReply.interpret(outcome: outcome, original: try object(workitemBytes())).get()
    let fields = try #require(reply["fields"]?.objectValue)
    #expect(fields["checked"] == true)
    #expect(fields.keys == ["checked", "ev", "params", "filler"])
    #expect(reply["fei"]?["expid"] == "0_0_1")
  }

  @Test func emptyStdoutLeavesTheWorkitemUnchanged() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("quiet", "cat >/dev/null; echo; echo '  '\n")
    let outcome = await runner.run(request(path))
    let original = try object(workitemBytes())
    let reply = try WorkitemReply.interpret(outcome: outcome, original: original).get()
    #expect(reply == original)
    #expect(JSONValue.object(reply).serialized() == JSONValue.object(original).serialized())
  }

  @Test func errorStringInTheReplyIsAFailureWithThatMessage() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "fails", #"cat >/dev/null; echo '{"fields":{},"error":"repository is not published"}'"# + "\n")
    let outcome = await runner.run(request(path))
    #expect(outcome.reason == .exited(0))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .errorReply)
    #expect(failure.message == "participant \(path) replied with error: repository is not published")
  }

  @Test func errorObjectInTheReplyUsesItsMessageWhateverTheClass() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "fails",
      #"""
      cat >/dev/null
      echo '{"fields":{},"error":{"class":"Ruote::Amqp::RemoteError","message":"osc: 404","trace":["a.py:1"]}}'

      """#)
    let outcome = await runner.run(request(path))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .errorReply)
    #expect(failure.message.hasSuffix("replied with error: osc: 404"))
    #expect(failure.errorClass == "Ruote::Amqp::RemoteError")
    #expect(failure.trace == ["a.py:1"])
  }

  @Test func nonZeroExitIsAFailureCarryingTheStatusAndTheEndOfStderr() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "exit3",
      """
      cat >/dev/null
      i=0; while [ $i -lt 50 ]; do echo "progress $i" >&2; i=$((i+1)); done
      echo "osc: project Chalk:Trunk not found" >&2
      exit 3

      """)
    let outcome = await runner.run(request(path))
    #expect(outcome.reason == .exited(3))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .nonZeroExit)
    #expect(failure.message == "participant \(path) exited with status 3")
    #expect(failure.stderrLines.count == 20)
    #expect(failure.stderrLines.last == "osc: project Chalk:Trunk not found")
    #expect(failure.description.contains("last lines of stderr:\n  progress 31\n"))
  }

  @Test func deathBySignalIsAFailureNamingTheSignal() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("segv", "kill -USR1 $$\nsleep 5\n")
    let outcome = await runner.run(request(path))
    #expect(outcome.reason == .signalled(SIGUSR1))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.message == "participant \(path) was killed by signal SIGUSR1")
  }

  @Test func replyLargerThanTheLimitIsRejected() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("chatty", "head -c 100000 /dev/zero | tr '\\0' ' '; echo '{}'\n")
    let small = ExecutableRunner(configuration: .init(maxReplyBytes: 4096))
    let outcome = await small.run(request(path))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.stdout.count == 4096)
    #expect(outcome.stdoutTotalBytes == 100_003)
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .replyTooLarge)
    #expect(failure.message.contains("wrote 100003 bytes to stdout; a reply may be at most 4096 bytes"))
  }

  // MARK: - Environment and stdin

  @Test func environmentCarriesTheCallAndInheritsTheRest() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "env",
      #"""
      cat >/dev/null
      printf '{"fields":{"wfid":"%s","expid":"%s","participant":"%s","attempt":"%s","dir":"%s","path":"%s","cwd":"%s"}}' \
        "$ROBOGRATOR_WFID" "$ROBOGRATOR_EXPID" "$ROBOGRATOR_PARTICIPANT" "$ROBOGRATOR_ATTEMPT" "$TEST_DIR" "$PATH" "$(pwd)"

      """#)
    var call = request(path, scratch: scratch)
    call.workingDirectory = scratch.path
    let outcome = await runner.run(call)
    let fields = try #require(try object(outcome.stdout)["fields"]?.objectValue)
    #expect(fields.allSatisfy { $0.value.stringValue != nil })
    #expect(fields["wfid"] == "20261123-0346-hijajuju-kaboda")
    #expect(fields["expid"] == "0_0_1")
    #expect(fields["participant"] == "notify_irc")
    #expect(fields["attempt"] == "2")
    #expect(fields["dir"] == .string(scratch.path))
    #expect(fields["path"]?.stringValue == ProcessInfo.processInfo.environment["PATH"])
    #expect(fields["cwd"] == .string(scratch.path))
  }

  @Test func oneMegabyteWorkitemIsDeliveredWhole() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("count", #"printf '{"fields":{"bytes":%d}}' "$(wc -c)""# + "\n")
    let workitem = workitemBytes(padding: 1 << 20)
    let outcome = await runner.run(request(path, workitem: workitem))
    #expect(outcome.workitemBytesDelivered == workitem.count)
    let fields = try #require(try object(outcome.stdout)["fields"]?.objectValue)
    #expect(fields["bytes"] == .int(workitem.count))
  }

  @Test func childThatNeverReadsStdinStillReplies() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("deaf", #"sleep 0.2; echo '{"fields":{"ok":true}}'"# + "\n")
    let outcome = await runner.run(request(path, workitem: workitemBytes(padding: 1 << 20)))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.workitemBytesDelivered < 1 << 20)
    let fields = try #require(try object(outcome.stdout)["fields"]?.objectValue)
    #expect(fields["ok"] == true)
  }

  @Test func childThatClosesStdinAtOnceIsNotAnError() async throws {
    // The write fails with EPIPE (SIGPIPE is ignored in the runner's process).
    let scratch = try Scratch()
    let path = try scratch.script("closer", "exec 0<&-\nsleep 0.3\necho '{\"fields\":{}}'\n")
    let outcome = await runner.run(request(path, workitem: workitemBytes(padding: 1 << 20)))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.workitemBytesDelivered < 1 << 20)
  }

  @Test func fiveMegabytesOfStderrBeforeReadingStdinDoNotDeadlock() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "noisy",
      """
      head -c 5000000 /dev/zero | tr '\\0' 'e' >&2
      printf '\nthe end\n' >&2
      cat

      """)
    let workitem = workitemBytes(padding: 200_000)
    let outcome = await runner.run(request(path, workitem: workitem, timeout: .seconds(60)))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.stdout == workitem)
    #expect(outcome.stderrTotalBytes == 5_000_009)
    #expect(outcome.stderrTail.count == 64 * 1024)
    #expect(outcome.stderrText.hasSuffix("eee\nthe end\n"))
  }

  // MARK: - Starting

  @Test func missingExecutableFailsToStartNamingPathAndError() async throws {
    let scratch = try Scratch()
    let path = "\(scratch.path)/no_such_participant"
    let outcome = await runner.run(request(path))
    #expect(outcome.reason == .failedToStart("cannot start participant \(path): No such file or directory (ENOENT)"))
    #expect(outcome.processID == nil)
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .failedToStart)
  }

  @Test func nonExecutableFileFailsToStartWithPermissionDenied() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("not_executable", "echo hi\n", executable: false)
    let outcome = await runner.run(request(path))
    #expect(
      outcome.reason
        == .failedToStart(
          "cannot start participant \(path): Permission denied (EACCES) (the file is not executable: chmod +x it)"))
  }

  @Test func scriptWithoutInterpreterLineFailsToStartWithAHint() async throws {
    let scratch = try Scratch()
    let path = "\(scratch.path)/no_shebang"
    try "echo '{}'\n".write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    let outcome = await runner.run(request(path))
    #expect(
      outcome.reason
        == .failedToStart(
          "cannot start participant \(path): Exec format error (ENOEXEC) (does the script start with a #! line?)"))
  }

  @Test func missingWorkingDirectoryFailsToStart() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("ok", "cat\n")
    var call = request(path)
    call.workingDirectory = "\(scratch.path)/gone"
    let outcome = await runner.run(call)
    #expect(
      outcome.reason
        == .failedToStart(
          "cannot start participant \(path): working directory \(scratch.path)/gone: No such file or directory (ENOENT)"
        ))
  }

  // MARK: - Timeout and cancellation

  @Test func timeoutTerminatesTheParticipant() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("slow", "exec sleep 30\n")
    let outcome = await runner.run(request(path, timeout: .milliseconds(300)))
    #expect(outcome.reason == .timedOut)
    #expect(outcome.status == .signalled(SIGTERM))
    #expect(outcome.duration >= .milliseconds(300) && outcome.duration < .seconds(4))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .timedOut)
    #expect(failure.message.contains("timed out after 0.3 s"))
    #expect(failure.message.hasSuffix("it was killed by signal SIGTERM"))
  }

  @Test func theDefaultTimeoutCutsCallsWithoutTheirOwnButNotThoseTheEngineTimes() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("slowish", "cat > /dev/null; sleep 0.6\n")
    let runner = ExecutableRunner(configuration: .init(defaultTimeout: .milliseconds(200)))
    #expect(await runner.run(request(path)).reason == .timedOut)
    var timedByTheEngine = request(path)
    timedByTheEngine.engineEnforcesTimeout = true
    #expect(await runner.run(timedByTheEngine).reason == .exited(0))
  }

  @Test func childDoesNotHaveTermBlocked() async throws {
    // The Foundation.Process bug this runner avoids: a child spawned from async code inherited
    // a signal mask with TERM, INT and HUP blocked, so SIGTERM never arrived.
    let scratch = try Scratch()
    let path = try scratch.script(
      "mask",
      #"cat >/dev/null; printf '{"fields":{"blocked":"%s"}}' "$(awk '/^SigBlk/ {print $2}' /proc/$$/status)""#
        + "\n")
    let outcome = await runner.run(request(path))
    let fields = try #require(try object(outcome.stdout)["fields"]?.objectValue)
    #expect(fields.allSatisfy { $0.value.stringValue != nil })
    #expect(fields["blocked"] == "0000000000000000")
  }

  @Test func cancelTerminatesPromptlyWithSigterm() async throws {
    let scratch = try Scratch()
    let path = try scratch.script("sleeper", "echo $$ > \"$TEST_DIR/child.pid\"\nexec sleep 1000\n")
    let graceful = ExecutableRunner(configuration: .init(terminationGracePeriod: .seconds(30)))
    let cancellation = ParticipantCancellation()
    let call = Task { await graceful.run(request(path, scratch: scratch, cancellation: cancellation)) }
    _ = try await scratch.waitForPID("child.pid")
    cancellation.cancel()
    let outcome = await call.value
    #expect(outcome.reason == .cancelled)
    // Killed by the TERM itself, well before the 30 s grace period would have sent KILL.
    #expect(outcome.status == .signalled(SIGTERM))
    #expect(outcome.duration < .seconds(10))
  }

  @Test func cancelKillsTheWholeProcessGroupGrandchildrenToo() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "spawner",
      """
      sleep 1000 &
      echo $! > "$TEST_DIR/grandchild.pid"
      echo $$ > "$TEST_DIR/child.pid"
      wait

      """)
    let cancellation = ParticipantCancellation()
    let call = Task { await runner.run(request(path, scratch: scratch, cancellation: cancellation)) }
    let child = try await scratch.waitForPID("child.pid")
    let grandchild = try await scratch.waitForPID("grandchild.pid")
    #expect(isAlive(child) && isAlive(grandchild))
    #expect(getpgid(grandchild) == child)
    cancellation.cancel()
    let outcome = await call.value
    #expect(outcome.reason == .cancelled)
    #expect(outcome.processID == child)
    #expect(await isGone(child))
    #expect(await isGone(grandchild))
  }

  @Test func childTrappingTermIsKilledAfterTheGracePeriod() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "stubborn",
      """
      trap '' TERM
      echo $$ > "$TEST_DIR/child.pid"
      while :; do sleep 0.05; done

      """)
    let impatient = ExecutableRunner(configuration: .init(terminationGracePeriod: .milliseconds(700)))
    let cancellation = ParticipantCancellation()
    let call = Task { await impatient.run(request(path, scratch: scratch, cancellation: cancellation)) }
    let child = try await scratch.waitForPID("child.pid")
    let cancelledAt = ContinuousClock.now
    cancellation.cancel()
    let outcome = await call.value
    let teardown = cancelledAt.duration(to: .now)
    #expect(outcome.reason == .cancelled)
    #expect(outcome.status == .signalled(SIGKILL))
    #expect(teardown >= .milliseconds(650))
    #expect(await isGone(child))
    let failure = try #require(WorkitemReply.interpret(outcome: outcome, original: JSONObject()).failure)
    #expect(failure.kind == .cancelled)
    #expect(failure.message.hasSuffix("it was killed by signal SIGKILL"))
  }

  @Test func cancellingTheCallingTaskAlsoKillsTheGroup() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "spawner",
      """
      sleep 1000 &
      echo $! > "$TEST_DIR/grandchild.pid"
      echo $$ > "$TEST_DIR/child.pid"
      wait

      """)
    let call = Task { await runner.run(request(path, scratch: scratch)) }
    let child = try await scratch.waitForPID("child.pid")
    let grandchild = try await scratch.waitForPID("grandchild.pid")
    call.cancel()
    let outcome = await call.value
    #expect(outcome.reason == .cancelled)
    #expect(await isGone(child))
    #expect(await isGone(grandchild))
  }

  @Test func backgroundChildrenDoNotOutliveTheCallOrHoldItOpen() async throws {
    // The grandchild keeps stdout and stderr open; the call must still end when the
    // participant exits, and the grandchild is killed with the rest of the group.
    let scratch = try Scratch()
    let path = try scratch.script(
      "leaver",
      """
      sleep 1000 &
      echo $! > "$TEST_DIR/grandchild.pid"
      cat

      """)
    let outcome = await runner.run(request(path, scratch: scratch))
    #expect(outcome.reason == .exited(0))
    #expect(outcome.stdout == workitemBytes())
    #expect(outcome.duration < .seconds(10))
    let grandchild = try await scratch.waitForPID("grandchild.pid")
    #expect(await isGone(grandchild))
  }

  @Test func cancelWhileQueuedNeverStartsTheProgram() async throws {
    let scratch = try Scratch()
    let busy = try scratch.script("busy", "echo $$ > \"$TEST_DIR/busy.pid\"\nexec sleep 1000\n")
    let marker = try scratch.script("marker", "touch \"$TEST_DIR/started\"\n")
    let single = ExecutableRunner(configuration: .init(maxConcurrentProcesses: 1))
    let busyCancel = ParticipantCancellation()
    let first = Task { await single.run(request(busy, scratch: scratch, cancellation: busyCancel)) }
    _ = try await scratch.waitForPID("busy.pid")
    let queuedCancel = ParticipantCancellation()
    let second = Task { await single.run(request(marker, scratch: scratch, cancellation: queuedCancel)) }
    while single.queuedCalls == 0 { try await Task.sleep(for: .milliseconds(5)) }
    queuedCancel.cancel()
    let outcome = await second.value
    #expect(outcome.reason == .cancelled)
    #expect(outcome.processID == nil)
    #expect(single.queuedCalls == 0)
    busyCancel.cancel()
    _ = await first.value
    #expect(scratch.read("started") == nil)
  }

  // MARK: - Concurrency limit

  @Test func concurrencyLimitIsRespected() async throws {
    let scratch = try Scratch()
    let path = try scratch.script(
      "timed",
      """
      cat >/dev/null
      start=$(date +%s%N)
      sleep 0.3
      echo "$start $(date +%s%N)" > "$TEST_DIR/interval.$1"

      """)
    let limited = ExecutableRunner(configuration: .init(maxConcurrentProcesses: 2))
    let began = ContinuousClock.now
    await withTaskGroup(of: ParticipantOutcome.self) { group in
      for index in 0..<4 {
        var call = request(path, scratch: scratch)
        call.arguments = [String(index)]
        group.addTask { await limited.run(call) }
      }
      for await outcome in group { #expect(outcome.reason == .exited(0)) }
    }
    let elapsed = began.duration(to: .now)
    var events: [(time: Int, delta: Int)] = []
    for index in 0..<4 {
      let fields = try #require(scratch.read("interval.\(index)")).split(separator: " ")
      let start = try #require(Int(fields[0]))
      let end = try #require(Int(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)))
      events += [(start, 1), (end, -1)]
    }
    // Ends sort before starts at the same instant; the sweep gives the most that ran at once.
    events.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
    var running = 0
    var most = 0
    for event in events {
      running += event.delta
      most = max(most, running)
    }
    #expect(most == 2)
    #expect(elapsed >= .milliseconds(550))
  }
}

extension Result {
  var failure: Failure? {
    if case .failure(let failure) = self { return failure }
    return nil
  }
}
