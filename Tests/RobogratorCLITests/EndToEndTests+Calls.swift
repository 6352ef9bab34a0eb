import Foundation
import OrderedJSON
import Testing

/// `robogrator show` lists every participant call of a process, with its log,
/// from what serve recorded. Part of the serialized end-to-end suite: these
/// tests wait on child processes, and each suite that does so at the same
/// time holds one more of the few threads the asynchronous tests run on.
extension EndToEndTests {
  /// Makes REPO_PUBLISHED for Chalk:Trunk launch `definition` in a copy of srv-layout/, and
  /// puts that event in its spool.
  static func prepare(_ root: String, definition: String, participants: [String: String]) throws {
    try Data(definition.utf8).write(
      to: URL(fileURLWithPath: root + "/processes/Chalk/Trunk/REPO_PUBLISHED.calls.pdef"))
    for (name, script) in participants {
      let path = root + "/participants/" + name
      try Data(("#!/bin/sh\ncat > /dev/null\n" + script + "\n").utf8).write(to: URL(fileURLWithPath: path))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    try Data(RunningServe.published("Chalk:Trunk").utf8).write(to: URL(fileURLWithPath: root + "/spool/e.json"))
  }

  static func calls(_ root: String, _ wfid: String) throws -> [JSONValue]? {
    try CLI.run(["show", wfid, "--state", root + "/state", "--json"]).json?["calls"]?.arrayValue
  }

  static func onlyProcess(_ root: String) throws -> String {
    let listed = try CLI.run(["ps", "--state", root + "/state", "--json"])
    return try #require(listed.json?[0]?["wfid"]?.stringValue, "\(listed.stdout) \(listed.stderr)")
  }

  @Test func showListsEachCallWithItsExitDurationAndStderr() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.prepare(
      root, definition: "Ruote.process_definition 'calls' do\n talker\n chatty\n complainer\nend\n",
      participants: [
        "talker": "echo 'checking bash in Chalk:Trunk' >&2\necho 'all good' >&2",
        "chatty": "for i in $(seq 1 25); do echo \"line $i\" >&2; done",
        "complainer": "echo 'cannot reach OBS' >&2\nexit 3",
      ])
    let once = try CLI.run(["serve", "--root", root, "--state", root + "/state", "--once"])
    #expect(once.status == 0, "\(once.stderr)")
    let wfid = try Self.onlyProcess(root)

    let shown = try CLI.run(["show", wfid, "--state", root + "/state"])
    #expect(shown.status == 0, "\(shown.stderr)")
    let lines = shown.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let section = try #require(lines.firstIndex(of: "calls:"))
    let calls = Array(lines[(section + 1)...])
    #expect(calls.count == 29, "\(shown.stdout)")
    guard calls.count == 29 else { return }
    // `  <started at>  talker  0_0  attempt 1  ok  exit 0  12 ms`, on a loaded machine
    // perhaps `1.2 s` and `  queued 3 ms`.
    let took = #"  (\d+ ms|\d+\.\d s)(  queued .+)?$"#
    #expect(
      calls[0].range(
        of: #"^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  talker  0_0  attempt 1  ok  exit 0"# + took,
        options: .regularExpression) != nil, "\(calls[0])")
    #expect(calls[1] == "    checking bash in Chalk:Trunk")
    #expect(calls[2] == "    all good")
    // The last 20 lines, after a note of what is left out.
    #expect(calls[3].contains("  chatty  0_1  attempt 1  ok  exit 0  "))
    #expect(calls[4] == "    ... (5 earlier lines: robogrator show --json)")
    #expect(Array(calls[5...24]) == (6...25).map { "    line \($0)" })
    #expect(
      calls[25].range(
        of: #"^  \S+ \S+  complainer  0_2  attempt 1  error  exit 3"# + took, options: .regularExpression) != nil,
      "\(calls[25])")
    #expect(calls[26] == "    error: participant \(root)/participants/complainer exited with status 3")
    #expect(calls[27] == "    cannot reach OBS")
    #expect(calls[28] == "")

    let json = try #require(try CLI.run(["show", wfid, "--state", root + "/state", "--json"]).json)
    let records = try #require(json["calls"]?.arrayValue)
    #expect(records.count == 3)
    let talker = try #require(records.first)
    #expect(
      talker.objectValue?.keys.map { $0 } == [
        "expid", "subid", "participant", "attempt", "resolution", "executable", "started_at", "ended_at",
        "duration_ms", "queue_wait_ms", "exit", "outcome", "error", "stderr", "stderr_total_bytes",
      ])
    #expect(talker["participant"] == "talker" && talker["expid"] == "0_0" && talker["attempt"] == 1)
    #expect(talker["resolution"] == "executable")
    #expect(talker["executable"] == .string(root + "/participants/talker"))
    #expect(talker["outcome"] == "ok" && talker["exit"] == "exit 0" && talker["error"] == .null)
    #expect(talker["stderr"] == "checking bash in Chalk:Trunk\nall good\n")
    #expect(talker["stderr_total_bytes"] == 38)
    #expect(talker["ended_at"]?.stringValue != nil)
    let complainer = try #require(records.last)
    #expect(complainer["outcome"] == "error" && complainer["exit"] == "exit 3")
    #expect(complainer["stderr"] == "cannot reach OBS\n")
  }

  @Test func callRunningWhenServeWasKilledIsShownInterruptedAndItsSecondAttempt() throws {
    let started = "started"
    let serve = try RunningServe()
    let root = serve.root
    try Self.prepare(
      root, definition: "Ruote.process_definition 'calls' do\n slow_once\nend\n",
      participants: [
        // The first call blocks until killed; the call made again finishes.
        "slow_once": """
        echo "attempt $ROBOGRATOR_ATTEMPT" >&2
        if [ ! -f "$(dirname "$0")/../\(started)" ]; then
          echo $$ > "$(dirname "$0")/../\(started).tmp" && mv "$(dirname "$0")/../\(started).tmp" "$(dirname "$0")/../\(started)"
          sleep 300
        fi
        """
      ])
    let pidFile = root + "/" + started
    // The participant leads its process group, which outlives a killed serve: stop it by its id.
    defer {
      if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
        let pgid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        kill(-pgid, SIGKILL)
      }
    }
    try serve.start()
    #expect(waitUntil { FileManager.default.fileExists(atPath: pidFile) })
    #expect(waitUntil { (try? serve.processes().count) == 1 })
    let wfid = try Self.onlyProcess(root)
    // Its start is written with its dispatch.
    #expect(waitUntil { (try? Self.calls(root, wfid))??.map { $0["outcome"] } == ["running"] })
    serve.kill9()

    let once = try CLI.run(["serve", "--root", root, "--state", root + "/state", "--once"])
    #expect(once.status == 0, "\(once.stderr)")
    let json = try #require(try CLI.run(["show", wfid, "--state", root + "/state", "--json"]).json)
    #expect(json["status"] == "completed")
    let calls = try #require(json["calls"]?.arrayValue)
    #expect(calls.map { $0["outcome"] } == ["interrupted", "ok"])
    #expect(calls.map { $0["attempt"] } == [1, 2])
    #expect(calls.first?["ended_at"] == .null)
    #expect(calls.last?["stderr"] == "attempt 2\n")
    let shown = try CLI.run(["show", wfid, "--state", root + "/state"]).stdout
    #expect(
      shown.contains(
        "  slow_once  0_0  attempt 1  interrupted  -  -\n    error: robogrator stopped while the call was running\n"))
    #expect(shown.contains("  slow_once  0_0  attempt 2  ok  exit 0  "))
  }
}
