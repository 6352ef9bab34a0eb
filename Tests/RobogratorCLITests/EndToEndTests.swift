import Foundation
import OrderedJSON
import Testing

/// robogrator serve on a temporary copy of srv-layout/, driven only by events
/// and the command line; participants record their calls in a file.
final class RunningServe {
  let root: String
  let callLog: String
  var process: Process?
  let log: String

  init() throws {
    root = try CLI.copyOfSrvLayout()
    callLog = root + "/calls.log"
    log = root + "/serve.log"
  }

  deinit {
    if let process, process.isRunning { process.terminate() }
    try? FileManager.default.removeItem(atPath: root)
  }

  /// Starts serve; `arguments` replace `--root ROOT --state ROOT/state`.
  func start(_ arguments: [String]? = nil) throws {
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    handle.seekToEndOfFile()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["serve"] + (arguments ?? ["--root", root, "--state", root + "/state"])
    var environment = ProcessInfo.processInfo.environment
    environment["ROBOGRATOR_CALL_LOG"] = callLog
    // Never this machine's /etc/robogrator/robogrator.toml.
    environment["ROBOGRATOR_CONFIG"] = "/dev/null"
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    self.process = process
    #expect(waitUntil { self.logText.contains("serving ") })
  }

  func kill9() {
    guard let process else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  func stop() {
    guard let process else { return }
    process.terminate()
    process.waitUntilExit()
  }

  var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

  /// The participants called so far, in order.
  var calls: [String] {
    let text = (try? String(contentsOfFile: callLog, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
      (try? JSONValue.parse(String(line)))?["participant"]?.stringValue
    }
  }

  func emit(_ event: String) throws {
    let result = try CLI.run(["emit", "-", "--root", root], stdin: event)
    #expect(result.status == 0, "\(result.stderr)")
  }

  /// Whether the request process waits for its trial build's signal (OBS reports a trial build only after it started).
  func requestIsListening() -> Bool {
    guard let request = ((try? processes()) ?? []).first(where: { $0["name"] == "BOSS_handle_SR" }),
      let wfid = request["wfid"]?.stringValue,
      let shown = try? CLI.run(["show", wfid, "--state", root + "/state", "--json"]).json
    else { return false }
    return shown["expressions"]?.arrayValue?.contains {
      $0["name"] == "listen" && $0["listening_to"]?.stringValue?.hasPrefix("built_") == true
    } == true
  }

  func processes() throws -> [JSONValue] {
    try CLI.run(["ps", "--state", root + "/state", "--json"]).json?.arrayValue ?? []
  }

  static let request = try! String(
    contentsOfFile: CLI.example("01-srcsrv-request-create-submit.amqp.json"), encoding: .utf8)

  /// A submit request to Chalk:Trunk with its own number.
  static func request(number: Int) -> String {
    #"{"format": "2", "label": "SRCSRV_REQUEST_CREATE", "namespace": "OBS", "id": "\#(number)", "state": "new", "actions": [{"type": "submit", "sourceproject": "home:alice", "sourcepackage": "bash", "targetproject": "Chalk:Trunk", "targetpackage": "bash"}]}"#
  }

  static func changed(number: Int, state: String) -> String {
    #"{"format": "2", "label": "SRCSRV_REQUEST_STATECHANGE", "namespace": "OBS", "id": "\#(number)", "state": "\#(state)", "actions": [{"type": "submit", "targetproject": "Chalk:Trunk"}]}"#
  }

  /// Replaces a participant of the copy by a script.
  func participant(_ name: String, _ script: String) throws {
    let path = root + "/participants/" + name
    try Data(script.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
  }

  static func published(_ trial: String) -> String {
    #"{"format": "2", "label": "REPO_PUBLISHED", "namespace": "OBS", "project": "\#(trial)", "repo": "standard"}"#
  }
}

@Suite(.serialized) struct EndToEndTests {
  @Test func submitRequestRunsPrechecksTrialBuildSignalAndAccept() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.request)
    #expect(waitUntil { serve.calls.contains("setup_build_trial") })
    #expect(serve.calls == ["check_valid_changes", "check_multiple_destinations", "setup_build_trial"])
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:1042"))
    #expect(waitUntil { serve.calls.contains("change_request_state") })
    #expect(
      serve.calls == [
        "check_valid_changes", "check_multiple_destinations", "setup_build_trial", "remove_build_trial",
        "change_request_state",
      ])
    #expect(waitUntil { ((try? serve.processes()) ?? []).allSatisfy { $0["status"] == "completed" } })
    let processes = try serve.processes()
    #expect(processes.count == 2)
    #expect(Set(processes.compactMap { $0["name"]?.stringValue }) == ["BOSS_handle_SR", "trial_build_monitor"])
    let request = try #require(processes.first { $0["name"] == "BOSS_handle_SR" })
    let shown = try CLI.run(["show", request["wfid"]?.stringValue ?? "", "--state", serve.root + "/state", "--json"])
    #expect(shown.json?["fields"]?["status"] == "SUCCESS")
    #expect(shown.json?["history"]?.arrayValue?.contains("echo: SR#1042 to Chalk:Trunk: SUCCESS") == true)
    // Where it came from: the event, the link and the conf used.
    let origin = try #require(shown.json?["origin"])
    #expect(origin["event"] == 1)
    #expect(
      origin["definition"] == .string(serve.root + "/processes/Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef"))
    #expect(origin["link_target"] == "../../BOSS_handle_SR.pdef")
    #expect(origin["conf"] == .string(serve.root + "/processes/Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.conf"))
    #expect(origin["conf_fields"]?.objectValue?.isEmpty == false)
    let text = try CLI.run(["show", request["wfid"]?.stringValue ?? "", "--state", serve.root + "/state"])
    #expect(
      text.stdout.contains(
        "launched by event #1: \(serve.root)/processes/Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef -> ../../BOSS_handle_SR.pdef"
      ), "\(text.stdout)")
    #expect(
      text.stdout.contains("conf: \(serve.root)/processes/Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.conf {"))
  }

  @Test func killedDaemonResumesWithoutLosingOrRepeatingWork() throws {
    let serve = try RunningServe()
    try serve.start()
    try serve.emit(RunningServe.request)
    #expect(waitUntil { serve.calls.contains("setup_build_trial") })
    serve.kill9()
    let before = serve.calls
    try serve.start()
    defer { serve.stop() }
    #expect(waitUntil { serve.requestIsListening() })
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:1042"))
    #expect(waitUntil { serve.calls.contains("change_request_state") })
    // Nothing finished before the kill ran again; only the call that was
    // running at the kill (setup_build_trial) may have been started twice.
    #expect(serve.calls.prefix(before.count).elementsEqual(before))
    #expect(serve.calls.filter { $0 == "check_valid_changes" }.count == 1)
    #expect(serve.calls.filter { $0 == "check_multiple_destinations" }.count == 1)
    #expect((1...2).contains(serve.calls.filter { $0 == "setup_build_trial" }.count))
    #expect(serve.calls.filter { $0 == "change_request_state" }.count == 1)
    #expect(waitUntil { ((try? serve.processes()) ?? []).count == 2 })
    #expect(waitUntil { ((try? serve.processes()) ?? []).allSatisfy { $0["status"] == "completed" } })
  }

  @Test func twoRequestsToOneProjectRunTheirLockedSectionsOneAfterTheOther() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.request(number: 1))
    #expect(waitUntil { serve.calls.contains("setup_build_trial") })
    try serve.emit(RunningServe.request(number: 2))
    // The second request's prechecks run, but it waits for the lock.
    #expect(waitUntil { serve.calls.filter { $0 == "check_multiple_destinations" }.count == 2 })
    Thread.sleep(forTimeInterval: 0.5)
    #expect(serve.calls.filter { $0 == "setup_build_trial" }.count == 1)
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:1"))
    // The first finishes and releases the lock; the second takes it.
    #expect(waitUntil { serve.calls.filter { $0 == "setup_build_trial" }.count == 2 })
    let trials = try String(contentsOfFile: serve.callLog, encoding: .utf8).split(separator: "\n")
      .compactMap { try? JSONValue.parse(String($0)) }.filter { $0["participant"] == "setup_build_trial" }
      .compactMap { $0["params"]?["project"]?.stringValue }
    #expect(trials == ["boss:Chalk:Trunk:testing:1", "boss:Chalk:Trunk:testing:2"])
    let order = serve.calls.filter { ["remove_build_trial", "setup_build_trial"].contains($0) }
    #expect(order == ["setup_build_trial", "remove_build_trial", "setup_build_trial"])
  }

  @Test func revokedRequestIsCancelledItsParticipantsProcessGroupStoppedAndTheLockFreed() throws {
    let serve = try RunningServe()
    let pidFile = serve.root + "/trial.pgid"
    // A slow trial setup that starts a background child in its process group.
    try serve.participant(
      "setup_build_trial",
      """
      #!/bin/sh
      cat > /dev/null
      echo '{"participant": "setup_build_trial"}' >> "$ROBOGRATOR_CALL_LOG"
      sleep 300 &
      # The participant leads its own process group: its pid is the group id.
      echo $$ > '\(pidFile).tmp' && mv '\(pidFile).tmp' '\(pidFile)'
      wait
      """)
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.request(number: 5))
    #expect(waitUntil { FileManager.default.fileExists(atPath: pidFile) })
    let pgid = try #require(
      Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(kill(-pgid, 0) == 0)
    try serve.emit(RunningServe.changed(number: 5, state: "revoked"))
    #expect(waitUntil { kill(-pgid, 0) != 0 })
    #expect(
      waitUntil {
        ((try? serve.processes()) ?? []).first { $0["name"] == "BOSS_handle_SR" }?["status"] == "terminated"
      })
    // The lock is free: the next request to the project gets to its trial build.
    try FileManager.default.removeItem(atPath: pidFile)
    try serve.emit(RunningServe.request(number: 6))
    #expect(waitUntil { FileManager.default.fileExists(atPath: pidFile) })
  }

  @Test func launchWaitCancelAndReplayFromTheCommandLine() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    let state = serve.root + "/state"
    let done = serve.root + "/done.pdef"
    try Data("Ruote.process_definition 'quick' do\n set 'answer' => 42\nend\n".utf8).write(
      to: URL(fileURLWithPath: done))
    let quick = try CLI.run(["launch", done, "--state", state, "--wait", "--json", "--fields", #"{"project": "P"}"#])
    #expect(quick.status == 0, "\(quick.stderr)")
    #expect(quick.json?["status"] == "completed")
    #expect(quick.json?["fields"]?["answer"] == 42)

    let failing = serve.root + "/failing.pdef"
    try Data("Ruote.process_definition 'failing' do\n flaky\nend\n".utf8).write(to: URL(fileURLWithPath: failing))
    let stuck = try CLI.run(["launch", failing, "--state", state, "--wait", "--json"])
    #expect(stuck.status == 1)
    #expect(stuck.json?["status"] == "error")
    #expect(stuck.json?["fields"] == .null)
    #expect(stuck.json?["errors"]?[0]?.stringValue?.contains("unknown participant 'flaky'") == true)
    let wfid = try #require(stuck.json?["wfid"]?.stringValue)
    // The log says so, for an operator reading the journal.
    #expect(
      waitUntil { serve.logText.contains("process \(wfid) (failing) stopped in error, waiting for replay or cancel: ") }
    )
    try serve.participant("flaky", "#!/bin/sh\ncat > /dev/null\n")
    let replay = try CLI.run(["replay", wfid, "--state", state])
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(
      waitUntil { ((try? serve.processes()) ?? []).first { $0["wfid"] == .string(wfid) }?["status"] == "completed" })

    // A definition calling its own name stops at the depth limit; show prints its 200 alike lines once.
    let recursive = serve.root + "/again.pdef"
    try Data("Ruote.process_definition 'again' do\n again\nend\n".utf8).write(to: URL(fileURLWithPath: recursive))
    let runaway = try CLI.run(["launch", recursive, "--state", state, "--wait", "--json"])
    #expect(runaway.json?["status"] == "error")
    let runawayID = try #require(runaway.json?["wfid"]?.stringValue)
    let shown = try CLI.run(["show", runawayID, "--state", state])
    #expect(shown.stdout.contains("  0  define  active  ("), "\(shown.stdout)")
    #expect(shown.stdout.contains(" alike)"))
    #expect(shown.stdout.split(separator: "\n").count < 40, "\(shown.stdout)")

    let waiting = serve.root + "/waiting.pdef"
    try Data("Ruote.process_definition 'waiting' do\n wait '1h'\nend\n".utf8).write(to: URL(fileURLWithPath: waiting))
    let slow = try CLI.run(["launch", waiting, "--state", state, "--wait", "--timeout", "0.5", "--json"])
    #expect(slow.json?["status"] == "running")
    #expect(slow.json?["fields"] == .null)
    let slowID = try #require(slow.json?["wfid"]?.stringValue)
    #expect(try CLI.run(["cancel", slowID, "--state", state]).status == 0)
    #expect(
      waitUntil { ((try? serve.processes()) ?? []).first { $0["wfid"] == .string(slowID) }?["status"] == "cancelled" })
    #expect(try CLI.run(["cancel", slowID, "--state", state]).status == 1)
  }

  @Test func runningProcessShowsItsProjectAndASecondServeOnTheSameStateIsRefused() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.request(number: 9))
    #expect(waitUntil { serve.requestIsListening() })
    let running = try CLI.run(["ps", "--state", serve.root + "/state", "--project", "Chalk:Trunk", "--json"])
    #expect(running.json?[0]?["status"] == "running")
    #expect(running.json?[0]?["project"] == "Chalk:Trunk")
    let second = try CLI.run(["serve", "--root", serve.root, "--state", serve.root + "/state", "--once"])
    #expect(second.status == 2)
    #expect(second.stderr.contains("another robogrator serve (pid"))
  }

  @Test func requestNobodyAnswersIsWithdrawnNotLeftForALaterServe() throws {
    let serve = try RunningServe()
    try serve.start()
    try serve.emit(RunningServe.request(number: 11))
    #expect(waitUntil { serve.requestIsListening() })
    let wfid = try #require(try serve.processes().first?["wfid"]?.stringValue)
    serve.stop()
    let cancel = try CLI.run(["cancel", wfid, "--state", serve.root + "/state"])
    #expect(cancel.status == 1)
    #expect(cancel.stderr.contains("no robogrator serve answered"))
    let once = try CLI.run(["serve", "--root", serve.root, "--state", serve.root + "/state", "--once"])
    #expect(once.status == 0, "\(once.stderr)")
    #expect(try serve.processes().first?["status"] == "running")
  }

  @Test func sameEventTwiceIsRoutedOnce() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:7"))
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:7"))
    #expect(waitUntil { serve.logText.contains("duplicate of inbox") })
    #expect(waitUntil { ((try? serve.processes()) ?? []).count == 1 })
  }

  @Test func serveAndTheCommandsReadTheConfigurationFileAndSIGHUPReloadsIt() throws {
    let serve = try RunningServe()
    let config = serve.root + "/robogrator.toml"
    let paths = "[paths]\nroot = \"\(serve.root)\"\nstate = \"\(serve.root)/state\"\n"
    try Data(paths.utf8).write(to: URL(fileURLWithPath: config))
    try serve.start(["--config", config])
    defer { serve.stop() }
    #expect(serve.logText.contains("serving \(serve.root):"))
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:8"))
    // ps finds the state through the same file.
    #expect(
      waitUntil { (try? CLI.run(["ps", "--config", config, "--json"]))?.json?.arrayValue?.count == 1 })

    let reloaded = paths + "[participants]\nmax_running = 2\n[participants.aliases]\n\"built_.*\" = \"built_notice\"\n"
    try Data(reloaded.utf8).write(to: URL(fileURLWithPath: config))
    kill(serve.process!.processIdentifier, SIGHUP)
    #expect(
      waitUntil {
        serve.logText.contains("configuration reloaded from \(config): applied aliases, participant limits")
      }, "\(serve.logText)")

    try Data("[participants]\nmax_runnin = 2\n".utf8).write(to: URL(fileURLWithPath: config))
    kill(serve.process!.processIdentifier, SIGHUP)
    #expect(
      waitUntil {
        serve.logText.contains(
          "configuration not reloaded, still serving with the previous one: \(config): unknown setting `participants.max_runnin`"
        )
      }, "\(serve.logText)")
    #expect(serve.process!.isRunning)
  }

  @Test func stoppingServeKillsAParticipantThatIgnoresTermAfterTheGracePeriod() throws {
    let serve = try RunningServe()
    let config = serve.root + "/robogrator.toml"
    try Data(
      "[paths]\nroot = \"\(serve.root)\"\nstate = \"\(serve.root)/state\"\n[participants]\ngrace_period = \"1s\"\n".utf8
    ).write(to: URL(fileURLWithPath: config))
    let pidFile = serve.root + "/stubborn.pid"
    // TERM is ignored by the script and, inherited, by its sleep: only KILL ends them.
    try serve.participant(
      "stubborn", "#!/bin/sh\ntrap '' TERM\necho $$ > \(pidFile).tmp\nmv \(pidFile).tmp \(pidFile)\nsleep 30\n")
    let definition = serve.root + "/stubborn.pdef"
    try Data("Ruote.process_definition 'hold_on' do\n stubborn\nend\n".utf8).write(to: URL(fileURLWithPath: definition))
    try serve.start(["--config", config])
    #expect(try CLI.run(["launch", definition, "--config", config]).status == 0)
    #expect(waitUntil { FileManager.default.fileExists(atPath: pidFile) })
    let pid = try #require(
      Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    let stopped = Date()
    serve.stop()
    #expect(Date().timeIntervalSince(stopped) < 10)
    #expect(
      waitUntil {
        kill(pid, 0) != 0
          || (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z") == true
      }, "participant \(pid) outlived serve")
  }
}
