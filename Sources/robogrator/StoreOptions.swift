import ArgumentParser
import Foundation
import OBSEvents
import ProcessStore

/// `--root` and `--store`, shared by every command that reads the process store.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The BOSS root holding processes/, participants/ and spool/.",
      discussion: "Defaults to $ROBOGRATOR_ROOT, else /srv/BOSS.", valueName: "dir"))
  var root: String?

  @Option(
    name: .long,
    help: ArgumentHelp("The process store. Defaults to <root>/processes.", valueName: "dir"))
  var store: String?

  var rootDirectory: String {
    root ?? ProcessInfo.processInfo.environment["ROBOGRATOR_ROOT"] ?? "/srv/BOSS"
  }

  var storeDirectory: String {
    store ?? rootDirectory + "/processes"
  }

  /// The participants folder: `<root>/participants`, or beside an explicit `--store`.
  var participantsDirectory: String {
    if root == nil, let store {
      return URL(fileURLWithPath: store).standardized.deletingLastPathComponent().appendingPathComponent("participants")
        .path
    }
    return rootDirectory + "/participants"
  }

  func openStore(watch: Bool = false) throws -> ProcessStore {
    do {
      return try ProcessStore(root: storeDirectory, watch: watch)
    } catch {
      throw UsageFailure("\(error)")
    }
  }
}

/// How events are read: shared by `route` and `serve`.
struct EventOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The OBS alias written to ev.namespace for bus events.", valueName: "name"))
  var busNamespace = "OBS"

  @Option(name: .long, help: ArgumentHelp("Refuse events larger than this many bytes.", valueName: "bytes"))
  var maxEventSize = EventDecoder.defaultMaximumSize

  func validate() throws {
    guard maxEventSize > 0 else { throw ValidationError("--max-event-size must be positive, not \(maxEventSize)") }
  }

  var decoder: EventDecoder {
    EventDecoder(maximumSize: maxEventSize, bus: MessageBusAdapter(namespace: busNamespace))
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
