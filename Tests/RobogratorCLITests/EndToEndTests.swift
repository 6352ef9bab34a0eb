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

  func start() throws {
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    handle.seekToEndOfFile()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["serve", "--root", root, "--state", root + "/state"]
    var environment = ProcessInfo.processInfo.environment
    environment["ROBOGRATOR_CALL_LOG"] = callLog
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

  /// Whether the request process has reached its `listen` (OBS reports a trial build only after it started).
  func requestIsListening() -> Bool {
    guard let request = ((try? processes()) ?? []).first(where: { $0["name"] == "BOSS_handle_SR" }),
      let wfid = request["wfid"]?.stringValue,
      let shown = try? CLI.run(["show", wfid, "--state", root + "/state", "--json"]).json
    else { return false }
    return shown["expressions"]?.arrayValue?.contains { $0["name"] == "listen" } == true
  }

  func processes() throws -> [JSONValue] {
    try CLI.run(["ps", "--state", root + "/state", "--json"]).json?.arrayValue ?? []
  }

  static let request = try! String(
    contentsOfFile: CLI.example("01-srcsrv-request-create-submit.amqp.json"), encoding: .utf8)

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

  @Test func sameEventTwiceIsRoutedOnce() throws {
    let serve = try RunningServe()
    try serve.start()
    defer { serve.stop() }
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:7"))
    try serve.emit(RunningServe.published("boss:Chalk:Trunk:testing:7"))
    #expect(waitUntil { serve.logText.contains("duplicate of inbox") })
    #expect(waitUntil { ((try? serve.processes()) ?? []).count == 1 })
  }
}
