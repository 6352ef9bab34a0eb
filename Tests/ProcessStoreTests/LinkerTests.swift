import Foundation
import OBSEvents
import ProcessStore
import Testing

/// `enable` → `route` → `disable` → `route`, at the library level.
@Suite struct LinkerTests {
  func route(_ root: String, _ label: String, _ project: String) throws -> TargetPlan {
    let event = try EventDecoder().decode(
      bytes: Array(#"{"format": "2", "label": "\#(label)", "project": "\#(project)"}"#.utf8))
    return try #require(try ProcessStore(root: root).plan(event).targets.first)
  }

  @Test func enableRouteDisableRouteRoundTrip() throws {
    let files = try TemporaryStore()
    try files.write("BOSS_handle_SR.pdef", "sr")
    let linker = Linker(root: files.root)
    let outcome = try linker.enable(
      project: try ProjectName("Chalk:Trunk"), label: try EventLabel("SRCSRV_COMMIT"), process: "BOSS_handle_SR",
      confText: "# c\n{\"x\": 1}\n")
    #expect(
      outcome.actions.contains("linked Chalk/Trunk/SRCSRV_COMMIT.BOSS_handle_SR.pdef -> ../../BOSS_handle_SR.pdef"))
    let enabled = try route(files.root, "SRCSRV_COMMIT", "Chalk:Trunk")
    #expect(enabled.launches.map(\.definitionText) == ["sr"])
    #expect(enabled.launches.first?.fields["x"] == 1)

    let disabled = try linker.disable(
      project: try ProjectName("Chalk:Trunk"), label: try EventLabel("SRCSRV_COMMIT"), purge: true)
    #expect(disabled.actions.contains("removed Chalk/Trunk/SRCSRV_COMMIT.BOSS_handle_SR.pdef"))
    #expect(disabled.actions.contains("removed the empty Chalk/"))
    #expect(try route(files.root, "SRCSRV_COMMIT", "Chalk:Trunk").launches.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: files.path("Chalk")))
  }

  @Test func enableForSubprojectsLinksIntoTheAnyFolder() throws {
    let files = try TemporaryStore()
    try files.write("trial_build_monitor.pdef")
    _ = try Linker(root: files.root).enable(
      project: try ProjectName("boss:Chalk:Trunk:testing"), label: try EventLabel("REPO_PUBLISHED"),
      process: "trial_build_monitor", subprojects: true)
    let link = try FileManager.default.destinationOfSymbolicLink(
      atPath: files.path("boss/Chalk/Trunk/testing/_any/REPO_PUBLISHED.trial_build_monitor.pdef"))
    #expect(link == "../../../../../trial_build_monitor.pdef")
    #expect(try route(files.root, "REPO_PUBLISHED", "boss:Chalk:Trunk:testing:77").launches.count == 1)
  }

  @Test func enableRefusesToReplaceADifferentLinkWithoutForce() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    try files.link("P/REPO_PUBLISHED.a.pdef", to: "../elsewhere.pdef")
    let linker = Linker(root: files.root)
    #expect(throws: LinkError.exists(path: files.path("P/REPO_PUBLISHED.a.pdef"), what: "a link to ../elsewhere.pdef"))
    {
      _ = try linker.enable(project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a")
    }
    let forced = try linker.enable(
      project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a", force: true)
    #expect(forced.actions.last == "linked P/REPO_PUBLISHED.a.pdef -> ../a.pdef")
  }

  @Test func enableThatRefusesBecauseOfADifferentConfChangesNothing() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    try files.write("P/REPO_PUBLISHED.a.conf", #"{"old": true}"#)
    #expect(throws: LinkError.exists(path: files.path("P/REPO_PUBLISHED.a.conf"), what: "a different conf")) {
      _ = try Linker(root: files.root).enable(
        project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a", confText: "{}")
    }
    #expect(!FileManager.default.fileExists(atPath: files.path("P/REPO_PUBLISHED.a.pdef")))
  }

  @Test func enableAcceptsTheDefinitionFileName() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    let outcome = try Linker(root: files.root).enable(
      project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a.pdef")
    #expect(outcome.actions.last == "linked P/REPO_PUBLISHED.a.pdef -> ../a.pdef")
  }

  @Test func disablePurgeRemovesALeftoverConfAndTheEmptyDirectory() throws {
    let files = try TemporaryStore()
    try files.write("P/REPO_PUBLISHED.a.conf", "{}")
    let outcome = try Linker(root: files.root).disable(
      project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), purge: true)
    #expect(outcome.actions == ["removed P/REPO_PUBLISHED.a.conf", "removed the empty P/"])
    #expect(!FileManager.default.fileExists(atPath: files.path("P")))
  }

  @Test func disableWithoutPurgeOfOnlyAConfSaysNothingIsEnabledAndKeepsIt() throws {
    let files = try TemporaryStore()
    try files.write("P/REPO_PUBLISHED.a.conf", "{}")
    #expect(throws: LinkError.onlyConfsLeft(directory: files.path("P"), label: "REPO_PUBLISHED")) {
      _ = try Linker(root: files.root).disable(project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"))
    }
    #expect(FileManager.default.fileExists(atPath: files.path("P/REPO_PUBLISHED.a.conf")))
  }

  @Test func enablingTwiceIsHarmless() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    let linker = Linker(root: files.root)
    _ = try linker.enable(project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a")
    let again = try linker.enable(project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a")
    #expect(again.actions == ["already linked: P/REPO_PUBLISHED.a.pdef -> ../a.pdef"])
  }

  @Test func enableNamesTheAvailableDefinitionsWhenTheProcessIsUnknown() throws {
    let files = try TemporaryStore()
    try files.write("BOSS_handle_SR.pdef")
    try files.write("trial_build_monitor.pdef")
    #expect {
      _ = try Linker(root: files.root).enable(
        project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "nope")
    } throws: { error in
      (error as? LinkError)?.description.hasSuffix("the store has: BOSS_handle_SR, trial_build_monitor") == true
    }
  }

  @Test(arguments: ["../x", "a/b", "", "a b"])
  func enableRefusesProcessNamesThatAreNotFileNames(process: String) throws {
    let files = try TemporaryStore()
    #expect(throws: LinkError.invalidProcessName(process)) {
      _ = try Linker(root: files.root).enable(
        project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: process)
    }
  }

  @Test func enableRefusesAnInvalidConfTemplate() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    #expect(throws: LinkError.self) {
      _ = try Linker(root: files.root).enable(
        project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "a", confText: "{oops}")
    }
    #expect(!FileManager.default.fileExists(atPath: files.path("P")))
  }

  @Test func disableKeepsRegularFilesAndConfsUnlessPurged() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    try files.write("P/REPO_PUBLISHED")
    try files.link("P/REPO_PUBLISHED.a.pdef", to: "../a.pdef")
    try files.write("P/REPO_PUBLISHED.a.conf", "{}")
    let outcome = try Linker(root: files.root).disable(
      project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"))
    #expect(outcome.actions.contains("kept P/REPO_PUBLISHED: it is a file, not a link; remove it by hand"))
    #expect(outcome.actions.contains("kept P/REPO_PUBLISHED.a.conf (use --purge to remove confs)"))
    #expect(FileManager.default.fileExists(atPath: files.path("P/REPO_PUBLISHED.a.conf")))
  }

  @Test func disableOfSomethingNotEnabledSaysSo() throws {
    let files = try TemporaryStore()
    try files.mkdir("P")
    #expect(throws: LinkError.notEnabled(directory: files.path("P"), label: "REPO_PUBLISHED.x")) {
      _ = try Linker(root: files.root).disable(
        project: try ProjectName("P"), label: try EventLabel("REPO_PUBLISHED"), process: "x")
    }
  }
}
