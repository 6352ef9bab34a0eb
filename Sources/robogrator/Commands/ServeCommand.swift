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
      (<root>/spool). Each event file dropped there (*.json, any accepted shape; a bare \
      message-bus body is named KEY@NAME.json, e.g. opensuse.obs.repo.published@1.json) \
      is routed and what would launch is printed; the file then moves to spool/routed/. \
      A file that is not an event moves to spool/rejected/ with a .why file beside it. \
      This release routes and explains; running the processes comes with the engine.
      """
  )

  @OptionGroup var storeOptions: StoreOptions

  @Option(name: .long, help: ArgumentHelp("The spool folder. Defaults to <root>/spool.", valueName: "dir"))
  var spool: String?

  @Flag(name: .long, help: "Handle the files already in the spool, then exit.")
  var once = false

  func run() throws {
    try runReportingFailures {
      let spoolDirectory = spool ?? storeOptions.rootDirectory + "/spool"
      try? FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
      let store = try storeOptions.openStore(watch: !once)
      let intake = Spool(directory: spoolDirectory)
      let index = store.snapshot
      print(
        "robogrator: process store \(store.root): \(index.directories.count) directories, \(index.definitionCount) definitions"
      )
      print("robogrator: spool \(spoolDirectory)")
      let work = DispatchQueue(label: "robogrator.spool")
      let drain: @Sendable () -> Void = {
        for name in intake.pendingFiles() { ServeCommand.handle(name, intake: intake, store: store) }
      }
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
      print("robogrator: watching for events (Ctrl-C to stop)")
      withExtendedLifetime(watcher) { dispatchMain() }
    }
  }

  static func handle(_ name: String, intake: Spool, store: ProcessStore) {
    switch intake.read(name) {
    case .event(let event):
      let plan = store.plan(event)
      print("\n== \(name)\n" + plan.humanDescription(showFields: false))
      do { try intake.archive(name, into: "routed") } catch { printError("cannot move \(name) to routed/: \(error)") }
    case .ignored(let reason):
      print("\n== \(name): \(reason)")
      do { try intake.archive(name, into: "ignored") } catch { printError("cannot move \(name) to ignored/: \(error)") }
    case .rejected(let reason):
      printError("\(name) rejected: \(reason)")
      do { try intake.reject(name, reason: reason) } catch { printError("cannot move \(name) to rejected/: \(error)") }
    }
  }
}
