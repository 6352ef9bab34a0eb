import Foundation
import Participants
import Synchronization
import Testing
import Workflow

@testable import PDef
@testable import Robogrator

/// Reloading the configuration while serving, and pruning by the retention settings.
@Suite struct DaemonSettingsTests {
  final class Log: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
  }

  func makeRoot() throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("robogrator-daemon-\(UUID().uuidString)")
      .path
    for folder in ["processes", "participants", "spool"] {
      try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
    }
    return root
  }

  @Test func settingsFromTheConfigurationReachTheDaemon() throws {
    var config = Config()
    try config.apply(
      toml: """
        [paths]
        root = "/srv/x"
        state = "/tmp/state"
        [participants]
        max_running = 3
        [participants.aliases]
        "built_.*" = "built_notice"
        [retention]
        events = "forever"
        """, file: "robogrator.toml")
    let settings = Daemon.Settings(config)
    #expect(settings.store == "/srv/x/processes")
    #expect(settings.participants == "/srv/x/participants")
    #expect(settings.databasePath == "/tmp/state/robogrator.sqlite")
    #expect(settings.maximumParticipants == 3)
    #expect(settings.aliases == [ParticipantAlias(pattern: "built_.*", executable: "built_notice")])
    #expect(settings.keepEvents == nil)
    #expect(settings.keepProcesses == 30 * 86_400.0)
    #expect(settings.configFile == "robogrator.toml")
  }

  @Test func reloadAppliesAliasesAndLimitsAndKeepsThePathsAsStarted() throws {
    let root = try makeRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let log = Log()
    let daemon = try Daemon(settings: Daemon.Settings(root: root, state: root + "/state"), log: log.append)
    var new = daemon.settings
    new.aliases = [ParticipantAlias(pattern: "built_.*", executable: "built_notice")]
    new.maximumParticipants = 2
    new.state = root + "/elsewhere"
    new.configFile = "/etc/robogrator/robogrator.toml"
    daemon.reload(new)
    #expect(daemon.dispatcher.aliases == new.aliases)
    #expect(daemon.dispatcher.runner.configuration.maxConcurrentProcesses == 2)
    #expect(daemon.settings.state == root + "/state")
    #expect(
      log.text.contains(
        "configuration reloaded from /etc/robogrator/robogrator.toml: applied aliases, participant limits; restart serve to change state"
      ), "\(log.text)")
    // The same settings again: nothing to do, and it says so.
    daemon.reload(daemon.settings)
    #expect(log.text.hasSuffix("nothing changed"), "\(log.text)")
  }

  @Test func finishedProcessesAndHandledEventsPastTheirRetentionArePruned() throws {
    let root = try makeRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var settings = Daemon.Settings(root: root, state: root + "/state")
    settings.keepProcesses = 3600
    settings.keepEvents = nil
    let log = Log()
    let daemon = try Daemon(settings: settings, log: log.append)
    let tree = try PDefParser.parse("Ruote.process_definition 'p' do\n echo 'hi'\nend\n", file: "p")
    let finished = try daemon.engine.launch(tree)
    _ = daemon.engine.run(maximumMessages: 100)
    try daemon.database.flush()
    _ = try daemon.database.insertEvent(
      dedupKey: "k1", raw: Array("{}".utf8), label: "REPO_PUBLISHED", project: "P")
    #expect(daemon.database.process(finished)?.status == .completed)

    // Within the retention: nothing goes.
    daemon.pruneIfDue(now: Date())
    #expect(daemon.database.process(finished) != nil)
    // Two hours later (the hourly check is due): the process goes, the event (kept forever) stays.
    daemon.pruneIfDue(now: Date().addingTimeInterval(7200))
    #expect(daemon.database.process(finished) == nil)
    #expect(try daemon.database.event(1) != nil)
    #expect(log.text.contains("pruned 1 finished process and 0 handled events past their retention"), "\(log.text)")
  }
}
