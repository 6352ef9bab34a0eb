import ArgumentParser
import Dispatch
import Foundation
import OBSEvents
import ProcessStore
import Robogrator

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Watch the spool and the process store, and route every event that arrives.",
    discussion: """
      Keeps an inotify-fed index of the process store and watches the spool folder \
      (<root>/spool). Each event file that arrives there (*.json, any accepted shape; a \
      bare message-bus body is named KEY@NAME.json, e.g. opensuse.obs.repo.published@1.json) \
      is routed and what would launch is printed; the file then moves to spool/routed/. \
      A file that is not an event moves to spool/rejected/ with a .why file beside it. \
      Write event files under a name not ending in .json (or outside the spool) and \
      rename them into place; a file that does not parse yet is given 2 seconds to be \
      finished. This release routes and explains; running the processes comes with the engine.
      """
  )

  @OptionGroup var storeOptions: StoreOptions

  @Option(name: .long, help: ArgumentHelp("The spool folder. Defaults to <root>/spool.", valueName: "dir"))
  var spool: String?

  @Flag(name: .long, help: "Handle the files already in the spool, then exit.")
  var once = false

  @OptionGroup var eventOptions: EventOptions

  func run() throws {
    try runReportingFailures {
      let spoolDirectory = spool ?? storeOptions.rootDirectory + "/spool"
      let store = try storeOptions.openStore(watch: !once)
      var isDirectory: ObjCBool = false
      if !FileManager.default.fileExists(atPath: spoolDirectory, isDirectory: &isDirectory) {
        // Only the spool folder itself: a mistyped --root must not grow a tree.
        do { try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: false) } catch
        {
          throw UsageFailure("cannot create the spool folder \(spoolDirectory): \(error.localizedDescription)")
        }
      } else if !isDirectory.boolValue {
        throw UsageFailure("the spool \(spoolDirectory) is not a directory")
      }
      let intake = Spool(directory: spoolDirectory, decoder: eventOptions.decoder)
      let index = store.snapshot
      say(
        "robogrator: process store \(store.root): \(index.directories.count) directories, \(index.definitionCount) definitions"
      )
      say("robogrator: spool \(spoolDirectory)")
      let work = DispatchQueue(label: "robogrator.spool")
      let drain = ServeCommand.drainer(intake: intake, store: store, queue: work)
      work.sync(execute: drain)
      if once { return 0 }
      let watcher: FolderWatcher
      do {
        watcher = try FolderWatcher(path: spoolDirectory) { name in
          guard name.hasSuffix(".json") else { return }
          work.async(execute: drain)
        }
      } catch {
        throw UsageFailure("\(error)")
      }
      say("robogrator: watching for events (Ctrl-C to stop)")
      withExtendedLifetime(watcher) { dispatchMain() }
    }
  }

  /// Handles every waiting file; files still being written are looked at again a second later.
  static func drainer(intake: Spool, store: ProcessStore, queue: DispatchQueue) -> @Sendable () -> Void {
    @Sendable func drain() {
      var waiting = false
      for name in intake.pendingFiles() where !handle(name, intake: intake, store: store) { waiting = true }
      if waiting { queue.asyncAfter(deadline: .now() + 1, execute: drain) }
    }
    return drain
  }

  /// Routes one spool file; false when it is not ready yet.
  static func handle(_ name: String, intake: Spool, store: ProcessStore) -> Bool {
    switch intake.read(name) {
    case .notReady:
      return false
    case .event(let event):
      let plan = store.plan(event)
      say("\n== \(name)\n" + plan.humanDescription(showFields: false))
      do { try intake.archive(name, into: "routed") } catch { printError("cannot move \(name) to routed/: \(error)") }
    case .ignored(let reason):
      say("\n== \(name): \(reason)")
      do { try intake.archive(name, into: "ignored") } catch { printError("cannot move \(name) to ignored/: \(error)") }
    case .rejected(let reason):
      printError("\(name) rejected: \(reason)")
      do { try intake.reject(name, reason: reason) } catch { printError("cannot move \(name) to rejected/: \(error)") }
    }
    return true
  }
}

/// Writes a line to standard output at once (no stdio buffering), so `serve`
/// under a supervisor or redirected to a log loses nothing when stopped.
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
