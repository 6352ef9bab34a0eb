import ArgumentParser
import Foundation
import OBSEvents
import ProcessStore
import Robogrator
import Storage

/// Where things are: `--config`, `--root`, `--store` and `--state`, taken by every command.
///
/// A flag wins over its environment variable, which wins over the
/// configuration file (robogrator.conf(5)), which wins over the default.
struct CommonOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The configuration file.",
      discussion: "Defaults to $ROBOGRATOR_CONFIG, else /etc/robogrator/robogrator.toml if it exists.",
      valueName: "file"))
  var config: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The BOSS root holding processes/, participants/ and spool/.",
      discussion: "Defaults to paths.root of the configuration, $ROBOGRATOR_ROOT, else /srv/BOSS.", valueName: "dir"))
  var root: String?

  @Option(
    name: .long,
    help: ArgumentHelp("The process store. Defaults to <root>/processes.", valueName: "dir"))
  var store: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The state folder (robogrator.sqlite).",
      discussion: "Defaults to paths.state of the configuration, $ROBOGRATOR_STATE, else /var/lib/robogrator.",
      valueName: "dir"))
  var state: String?

  /// The settings: defaults, the file, the environment, then these flags.
  func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Config {
    do {
      var settings = try Config.load(file: config, environment: environment)
      if let root {
        // A root on the command line moves everything under it: folders the file or the
        // environment placed elsewhere would otherwise stay behind (a test root checking
        // the production store). --store, --spool and --participants still apply after it.
        try settings.apply(flag: "--root", root)
        settings.store = nil
        settings.spool = nil
        settings.participants = nil
      }
      if let store {
        try settings.apply(flag: "--store", store)
        // An explicit store without a root: its participants are beside it.
        if root == nil && settings.participants == nil {
          settings.participants =
            URL(fileURLWithPath: store).standardized.deletingLastPathComponent().appendingPathComponent(
              "participants"
            ).path
        }
      }
      if let state { try settings.apply(flag: "--state", state) }
      return settings
    } catch {
      throw UsageFailure(error.message)
    }
  }

  func openStore(watch: Bool = false) throws -> ProcessStore {
    let directory = try settings().storeDirectory
    do {
      return try ProcessStore(root: directory, watch: watch)
    } catch {
      throw UsageFailure("\(error)")
    }
  }

  /// The state database, read-only (robogrator ps, show, events).
  func reader() throws -> StateReader {
    do {
      return try StateReader(path: try settings().databasePath)
    } catch let error as StorageError {
      throw UsageFailure("\(error)")
    }
  }
}

/// How events are read: shared by `route` and `serve`.
struct EventOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The OBS alias written to ev.namespace for bus events (events.bus_namespace; default OBS).", valueName: "name"))
  var busNamespace: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Refuse events larger than this many bytes (events.max_size; default 10000000).", valueName: "bytes"))
  var maxEventSize: Int?

  /// Applies the flags given over `settings`.
  func apply(to settings: inout Config) throws {
    do {
      if let busNamespace { try settings.apply(flag: "--bus-namespace", busNamespace) }
      if let maxEventSize { try settings.apply(flag: "--max-event-size", String(maxEventSize)) }
    } catch {
      throw UsageFailure(error.message)
    }
  }
}

/// A failure the user can fix: printed as `robogrator: <message>`, exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}

/// Prints to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data(("robogrator: " + message + "\n").utf8))
}

/// Runs a command body, turning failures into a message on stderr and an exit status.
func runReportingFailures(_ body: () throws -> Int32) throws {
  do {
    let status = try body()
    if status != 0 { throw ExitCode(status) }
  } catch let failure as UsageFailure {
    printError(failure.description)
    throw ExitCode(2)
  }
}

/// Reads a file, or standard input for "-".
func readInput(_ path: String) throws -> [UInt8] {
  if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
  guard let data = FileManager.default.contents(atPath: path) else {
    let reason =
      FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
    throw UsageFailure("\(path) \(reason)")
  }
  return Array(data)
}
