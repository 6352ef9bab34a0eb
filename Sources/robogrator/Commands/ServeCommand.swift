import ArgumentParser
import Dispatch
import Foundation
import OBSEvents
import Participants
import ProcessStore
import Robogrator
import Storage

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run robogrator: take events from the spool, launch their processes, run them to their end.",
    discussion: """
      Watches the spool folder (<root>/spool) and the process store. Each event file \
      that arrives (*.json, any accepted shape; a bare message-bus body is named \
      KEY@NAME.json) is committed to the inbox in the state database, removed from the \
      spool, routed, and every definition it reaches is launched. Processes run in the \
      engine, every step committed in SQLite (<state>/robogrator.sqlite), and call \
      participants: built-in obsticket, executables in <root>/participants, aliases, \
      signals to a waiting listen. After a crash or kill, serve resumes where the \
      database stands. A file that is not an event moves to spool/rejected/ with a \
      .why file. Write event files under another name and rename them into the spool \
      (robogrator emit does). SIGTERM or SIGINT stops cleanly; SIGHUP reads the \
      configuration again (robogrator.conf(5)) and applies what can change while \
      serving: aliases, participant limits, event decoding, batch size, retention.
      """
  )

  @OptionGroup var options: CommonOptions

  @Option(name: .long, help: ArgumentHelp("The spool folder. Defaults to <root>/spool.", valueName: "dir"))
  var spool: String?

  @Option(
    name: .long, help: ArgumentHelp("The participants folder. Defaults to <root>/participants.", valueName: "dir"))
  var participants: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Serve names matching a pattern with one executable: PATTERN=EXECUTABLE (repeatable), e.g. 'built_.*=built_notice'.",
      discussion: "Replaces participants.aliases of the configuration.", valueName: "alias"))
  var alias: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "SQLite synchronous mode: normal or full (storage.synchronous; default normal).", valueName: "mode"))
  var synchronous: String?

  @Option(
    name: .long,
    help: ArgumentHelp("Participant programs running at once (participants.max_running; default 8).", valueName: "n"))
  var maxParticipants: Int?

  @Flag(name: .long, help: "Handle what is waiting (spool, messages, participants), then exit.")
  var once = false

  @OptionGroup var eventOptions: EventOptions

  /// The configuration (file, environment) with this command's flags over it.
  func settings() throws -> Daemon.Settings {
    var config = try options.settings()
    do {
      if let spool { try config.apply(flag: "--spool", spool) }
      if let participants { try config.apply(flag: "--participants", participants) }
      if let synchronous { try config.apply(flag: "--synchronous", synchronous) }
      if let maxParticipants { try config.apply(flag: "--max-participants", String(maxParticipants)) }
    } catch {
      throw UsageFailure(error.message)
    }
    try eventOptions.apply(to: &config)
    if !alias.isEmpty {
      config.aliases = try alias.map { item in
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
          throw UsageFailure("--alias \(item): write PATTERN=EXECUTABLE, e.g. 'built_.*=built_notice'")
        }
        let alias = ParticipantAlias(pattern: parts[0], executable: parts[1])
        if let problem = alias.patternProblem {
          throw UsageFailure("--alias \(item): \"\(parts[0])\" is not a regular expression: \(problem)")
        }
        return alias
      }
    }
    return Daemon.Settings(config)
  }

  func run() throws {
    try runReportingFailures {
      let settings = try settings()
      guard FileManager.default.fileExists(atPath: settings.store) else {
        throw UsageFailure("the process store \(settings.store) does not exist (set --root or --store)")
      }
      let daemon: Daemon
      do {
        daemon = try Daemon(settings: settings, log: { say("robogrator: " + $0) })
      } catch {
        throw UsageFailure("\(error)")
      }
      var sources: [DispatchSourceSignal] = []
      for number in [SIGTERM, SIGINT, SIGHUP] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        if number == SIGHUP {
          source.setEventHandler {
            // The file and the environment again, this command's flags over them.
            do {
              daemon.reload(with: try self.settings())
            } catch {
              say("robogrator: configuration not reloaded, still serving with the previous one: \(error)")
            }
          }
        } else {
          source.setEventHandler { daemon.stop() }
        }
        source.resume()
        sources.append(source)
      }
      do {
        try withExtendedLifetime(sources) { try daemon.run(untilIdle: once) }
      } catch {
        throw UsageFailure("\(error)")
      }
      return 0
    }
  }
}

/// Writes a line to standard output at once (no stdio buffering), so `serve`
/// under a supervisor or redirected to a log loses nothing when stopped.
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
