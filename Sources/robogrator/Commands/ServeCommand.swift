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
      (robogrator emit does). SIGTERM or SIGINT stops cleanly.
      """
  )

  @OptionGroup var storeOptions: StoreOptions
  @OptionGroup var stateOptions: StateOptions

  @Option(name: .long, help: ArgumentHelp("The spool folder. Defaults to <root>/spool.", valueName: "dir"))
  var spool: String?

  @Option(
    name: .long, help: ArgumentHelp("The participants folder. Defaults to <root>/participants.", valueName: "dir"))
  var participants: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Serve names matching a pattern with one executable: PATTERN=EXECUTABLE (repeatable), e.g. 'built_.*=built_notice'.",
      valueName: "alias"))
  var alias: [String] = []

  @Option(name: .long, help: ArgumentHelp("SQLite synchronous mode: normal or full.", valueName: "mode"))
  var synchronous = "normal"

  @Option(name: .long, help: ArgumentHelp("Participant programs running at once.", valueName: "n"))
  var maxParticipants = 8

  @Flag(name: .long, help: "Handle what is waiting (spool, messages, participants), then exit.")
  var once = false

  @OptionGroup var eventOptions: EventOptions

  func validate() throws {
    guard ["normal", "full"].contains(synchronous) else {
      throw ValidationError("--synchronous must be normal or full, not \(synchronous)")
    }
    guard maxParticipants > 0 else {
      throw ValidationError("--max-participants must be positive, not \(maxParticipants)")
    }
    for item in alias where !item.contains("=") {
      throw ValidationError("--alias \(item): write PATTERN=EXECUTABLE, e.g. 'built_.*=built_notice'")
    }
  }

  func run() throws {
    try runReportingFailures {
      var settings = Daemon.Settings(root: storeOptions.rootDirectory, state: stateOptions.stateDirectory)
      if let store = storeOptions.store { settings.store = store }
      if let spool { settings.spool = spool }
      if let participants { settings.participants = participants }
      settings.synchronous = synchronous == "full" ? .full : .normal
      settings.maximumParticipants = maxParticipants
      settings.decoder = eventOptions.decoder
      settings.aliases = alias.map { item in
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        return ParticipantAlias(pattern: parts[0], executable: parts.count > 1 ? parts[1] : "")
      }
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
      for number in [SIGTERM, SIGINT] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { daemon.stop() }
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
