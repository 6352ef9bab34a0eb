import Foundation
import OrderedJSON
import Testing

@Suite struct CommandLineTests {
  @Test func routeOfTheSampleRequestShowsTheLaunchWithItsConf() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let result = try CLI.run([
      "route", CLI.example("01-srcsrv-request-create-submit.amqp.json"), "--root", root, "--json",
    ])
    #expect(result.status == 0)
    let target = try #require(result.json?["targets"]?.arrayValue?.first)
    #expect(target["project"] == "Chalk:Trunk")
    let launch = try #require(target["launches"]?.arrayValue?.first)
    #expect(launch["definition"] == .string(root + "/processes/Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef"))
    #expect(launch["fields"]?["prechecks"]?.arrayValue?.last == "")
    #expect(launch["fields"]?["ev"]?["id"] == "1042")
  }

  @Test func routeOfATrialProjectEventUsesTheAnyFolderMonitor() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let event =
      #"{"format": "2", "label": "REPO_PUBLISHED", "namespace": "OBS", "project": "boss:Chalk:Trunk:testing:1042", "repo": "standard"}"#
    let result = try CLI.run(["route", "-", "--root", root], stdin: event)
    #expect(result.status == 0)
    #expect(
      result.stdout.contains(
        "_any/REPO_PUBLISHED.trial_build_monitor.pdef -> ../../../../../trial_build_monitor.pdef (for every subproject)"
      ))
  }

  @Test func routeOfAnUndecodableEventExitsTwoWithTheReasonOnStderr() throws {
    let result = try CLI.run(["route", "-", "--store", "/tmp"], stdin: #"{"format": "2", "project": "A"}"#)
    #expect(result.status == 2)
    #expect(result.stderr == "robogrator: -: the format 2 obsEvent has no label\n")
    #expect(result.stdout.isEmpty)
  }

  @Test(arguments: ["a:..:b", ":tmp:x", "a/b", "a*", "a[1]"])
  func routeRejectsTraversalAndGlobProjectsNamingTheRule(project: String) throws {
    let event = JSONValue.object(
      JSONObject([("format", "2"), ("label", "REPO_PUBLISHED"), ("project", .string(project))])
    ).serialized()
    let result = try CLI.run(["route", "-", "--store", "/tmp", "--json"], stdin: event)
    #expect(result.status == 1)
    let error = try #require(result.json?["errors"]?.arrayValue?.first)
    #expect(error["value"] == .string(project))
    #expect(error["message"]?.stringValue?.contains("is not a valid project name") == true)
    #expect(result.json?["targets"]?.arrayValue?.isEmpty == true)
  }

  @Test func enableRouteDisableRouteRoundTripOnTheCommandLine() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let event =
      #"{"format": "2", "label": "SRCSRV_REQUEST_CREATE", "id": "7", "actions": [{"type": "submit", "targetproject": "Chalk:Tools"}]}"#
    #expect(
      try CLI.run(["route", "-", "--root", root, "--json"], stdin: event).json?["targets"]?[0]?["launches"]?.arrayValue?
        .isEmpty == true)

    let enable = try CLI.run(["enable", "Chalk:Tools", "SRCSRV_REQUEST_CREATE", "BOSS_handle_SR", "--root", root])
    #expect(enable.status == 0, "\(enable.stderr)")
    #expect(
      enable.stdout.contains(
        "linked Chalk/Tools/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef -> ../../BOSS_handle_SR.pdef"))
    let routed = try CLI.run(["route", "-", "--root", root, "--json"], stdin: event)
    #expect(routed.json?["targets"]?[0]?["launches"]?.arrayValue?.count == 1)

    let disable = try CLI.run(["disable", "Chalk:Tools", "SRCSRV_REQUEST_CREATE", "--root", root])
    #expect(disable.status == 0)
    #expect(
      try CLI.run(["route", "-", "--root", root, "--json"], stdin: event).json?["targets"]?[0]?["launches"]?.arrayValue?
        .isEmpty == true)
  }

  @Test func aRootOnTheCommandLineMovesTheFoldersTheConfigurationPlacedElsewhere() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let config = root + "/robogrator.toml"
    try Data("[paths]\nstore = \"/nonexistent/production/processes\"\n".utf8).write(to: URL(fileURLWithPath: config))
    let fromFile = try CLI.run(["links", "--config", config])
    #expect(fromFile.status != 0)
    #expect(fromFile.stderr.contains("/nonexistent/production/processes"))
    let moved = try CLI.run(["links", "--config", config, "--root", root])
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(moved.stdout.contains("Chalk:Trunk"))
  }

  @Test func badServeSettingsExitWithStatusTwoAndNameTheFlag() throws {
    for (arguments, message) in [
      (["--max-participants", "0"], "--max-participants: expected a whole number from 1 to 10000, found \"0\""),
      (["--synchronous", "fast"], "--synchronous: expected normal or full, found \"fast\""),
      (["--alias", "built_("], "--alias built_(: write PATTERN=EXECUTABLE"),
      (["--alias", "built_(=x"], "\"built_(\" is not a regular expression"),
    ] {
      let result = try CLI.run(
        ["serve", "--root", "/nonexistent", "--state", "/nonexistent/state", "--once"] + arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stderr.contains(message), "\(result.stderr)")
    }
  }

  @Test func enableValidatesTheProjectBeforeTouchingTheStore() throws {
    let result = try CLI.run(["enable", "a:..:b", "REPO_PUBLISHED", "x", "--store", "/tmp/does-not-matter"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("project \"a:..:b\" is not a valid OBS project name: a segment starts with '.'"))
  }

  @Test func lintOfTheEmbeddedLayoutIsClean() throws {
    let result = try CLI.run(["lint", "--root", CLI.repository.appendingPathComponent("srv-layout").path])
    #expect(result.status == 0, "\(result.stdout)")
  }

  @Test func lintExitsOneOnFindingsAndTwoOnAMissingStore() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createSymbolicLink(
      atPath: root + "/processes/Chalk/REPO_PUBLISHED.x.pdef", withDestinationPath: "nowhere")
    let result = try CLI.run(["lint", "--root", root, "--json"])
    #expect(result.status == 1)
    #expect(result.json?[0]?["file"] == "Chalk/REPO_PUBLISHED.x.pdef")
    #expect(try CLI.run(["lint", "--store", "/nonexistent/x"]).status == 2)
  }

  @Test func linksShowsTheTreeOfTheEmbeddedLayout() throws {
    let result = try CLI.run(["links", "--root", CLI.repository.appendingPathComponent("srv-layout").path])
    #expect(result.status == 0)
    #expect(result.stdout.contains("SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef -> ../../BOSS_handle_SR.pdef  [conf]"))
    #expect(result.stdout.contains("_any/    (every subproject of boss:Chalk:Trunk:testing)"))
  }

  @Test func serveWithAMistypedRootCreatesNothing() throws {
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
      "robogrator-missing-\(UUID().uuidString)"
    ).path
    let result = try CLI.run(["serve", "--root", missing, "--once"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("does not exist"))
    #expect(!FileManager.default.fileExists(atPath: missing))
  }

  @Test func serveTakesAFileMovedIntoTheWatchedSpoolAndItsOutputSurvivesSIGTERM() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let log = root + "/serve.log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = ["serve", "--root", root, "--state", root + "/state"]
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    let ready = waitUntil { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("serving ") }
    #expect(ready)
    // Moved in finished, as writers should: taken into the inbox and removed from the spool.
    try FileManager.default.copyItem(atPath: CLI.example("07-repo-published.amqp.json"), toPath: root + "/incoming.tmp")
    try FileManager.default.moveItem(atPath: root + "/incoming.tmp", toPath: root + "/spool/e.json")
    #expect(waitUntil { !FileManager.default.fileExists(atPath: root + "/spool/e.json") })
    #expect(
      waitUntil {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(
          "e.json: REPO_PUBLISHED: nothing to launch")
      })
    process.terminate()
    process.waitUntilExit()
    let output = try String(contentsOfFile: log, encoding: .utf8)
    #expect(output.contains("stopped; state saved in \(root)/state/robogrator.sqlite"))
  }

  @Test func serveOnceTakesSpoolFilesAndRejectsBadOnesWithAReason() throws {
    let root = try CLI.copyOfSrvLayout()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.copyItem(atPath: CLI.example("07-repo-published.amqp.json"), toPath: root + "/spool/a.json")
    try Data("not json".utf8).write(to: URL(fileURLWithPath: root + "/spool/b.json"))
    // Written long ago: a file that still does not parse after the grace period is rejected.
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: root + "/spool/b.json")
    let result = try CLI.run(["serve", "--root", root, "--state", root + "/state", "--once"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("a.json: REPO_PUBLISHED: nothing to launch"))
    #expect(!FileManager.default.fileExists(atPath: root + "/spool/a.json"))
    let why = try String(contentsOfFile: root + "/spool/rejected/b.json.why", encoding: .utf8)
    #expect(why.hasPrefix("the event is not valid JSON"))
  }

}

extension JSONValue {
  subscript(index: Int) -> JSONValue? {
    guard let array = arrayValue, index < array.count else { return nil }
    return array[index]
  }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}
