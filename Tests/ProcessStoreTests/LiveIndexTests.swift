import Foundation
import OBSEvents
import ProcessStore
import Testing

/// The inotify-fed index follows changes to the tree while it is live.
@Suite struct LiveIndexTests {
  func names(_ store: ProcessStore, _ label: String, _ project: String) throws -> [String?] {
    store.lookup(label: try EventLabel(label), project: try ProjectName(project)).map(\.entry.name)
  }

  @Test func addedRemovedAndNewlyCreatedLinksAreSeenWhileLive() throws {
    let files = try TemporaryStore()
    try files.write("monitor.pdef")
    try files.mkdir("Chalk/Trunk")
    let store = try ProcessStore(root: files.root, watch: true)
    defer { store.stopWatching() }
    #expect(try names(store, "REPO_PUBLISHED", "Chalk:Trunk").isEmpty)

    try files.link("Chalk/Trunk/REPO_PUBLISHED.monitor.pdef", to: "../../monitor.pdef")
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "Chalk:Trunk")) == ["monitor"] })

    try files.remove("Chalk/Trunk/REPO_PUBLISHED.monitor.pdef")
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "Chalk:Trunk"))?.isEmpty == true })

    // A new project directory with a link made right after mkdir: the
    // recursive watch does not cover it, so the watcher must add it and rescan.
    try files.mkdir("Chalk/Tools/Extra")
    try files.link("Chalk/Tools/Extra/REPO_PUBLISHED.monitor.pdef", to: "../../../monitor.pdef")
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "Chalk:Tools:Extra")) == ["monitor"] })

    // And a link added later inside that new directory is evented too.
    try files.write("Chalk/Tools/Extra/REPO_PUBLISHED.second.pdef")
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "Chalk:Tools:Extra")) == ["monitor", "second"] })

    // Removing a whole project directory drops its definitions.
    try files.remove("Chalk/Tools")
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "Chalk:Tools:Extra"))?.isEmpty == true })
  }

  @Test func renamedDirectoryMovesItsDefinitions() throws {
    let files = try TemporaryStore()
    try files.write("A/REPO_PUBLISHED.x.pdef")
    let store = try ProcessStore(root: files.root, watch: true)
    defer { store.stopWatching() }
    #expect(rename(files.path("A"), files.path("B")) == 0)
    #expect(eventually { (try? self.names(store, "REPO_PUBLISHED", "B")) == ["x"] })
    #expect(try names(store, "REPO_PUBLISHED", "A").isEmpty)
  }

  @Test func twoLiveStoresInOneProcessEachSeeOnlyTheirOwnChanges() throws {
    let first = try TemporaryStore()
    let second = try TemporaryStore()
    let a = try ProcessStore(root: first.root, watch: true)
    let b = try ProcessStore(root: second.root, watch: true)
    defer {
      a.stopWatching()
      b.stopWatching()
    }
    try first.write("P/REPO_PUBLISHED.x.pdef")
    #expect(eventually { (try? self.names(a, "REPO_PUBLISHED", "P")) == ["x"] })
    #expect(try names(b, "REPO_PUBLISHED", "P").isEmpty)
  }

  @Test func storeThatDoesNotExistIsReportedWithItsPath() {
    #expect(throws: StoreError.missingRoot("/nonexistent/robogrator/processes")) {
      _ = try ProcessStore(root: "/nonexistent/robogrator/processes")
    }
  }
}
