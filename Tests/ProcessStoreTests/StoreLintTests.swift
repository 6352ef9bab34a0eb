import Foundation
import ProcessStore
import Testing

@Suite struct StoreLintTests {
  func findings(_ files: TemporaryStore) throws -> [String] {
    try StoreLint.run(root: files.root).findings.map { "\($0.file): \($0.message)" }
  }

  @Test func cleanStoreHasNoFindings() throws {
    let files = try TemporaryStore()
    try files.write("a.pdef")
    try files.link("P/Q/REPO_PUBLISHED.a.pdef", to: "../../a.pdef")
    try files.write("P/Q/REPO_PUBLISHED.a.conf", "# x\n{}")
    #expect(try findings(files) == [])
  }

  @Test func brokenLinksLoopsAndLinksOutsideAreFound() throws {
    let files = try TemporaryStore()
    try files.link("P/REPO_PUBLISHED.gone.pdef", to: "../gone.pdef")
    try files.link("P/REPO_PUBLISHED.loop.pdef", to: "REPO_PUBLISHED.loop.pdef")
    try files.link("P/REPO_PUBLISHED.out.pdef", to: "/etc/hostname")
    let found = try findings(files)
    #expect(found.contains("P/REPO_PUBLISHED.gone.pdef: broken symlink: ../gone.pdef does not exist"))
    #expect(found.contains { $0.hasPrefix("P/REPO_PUBLISHED.loop.pdef: symlink loop") })
    #expect(found.contains { $0.hasPrefix("P/REPO_PUBLISHED.out.pdef: links outside the store") })
  }

  @Test func invalidConfsAndBadDirectoryNamesAndUnknownLabelsAreFound() throws {
    let files = try TemporaryStore()
    try files.write("P/REPO_PUBLISHED.a.pdef")
    try files.write("P/REPO_PUBLISHED.a.conf", "{,}")
    try files.write("has space/REPO_PUBLISHED.a.pdef")
    try files.write("P/REPO_PUBLISH.b.pdef")
    let found = try findings(files)
    #expect(found.contains { $0.hasPrefix("P/REPO_PUBLISHED.a.conf: invalid conf") })
    #expect(found.contains { $0.hasPrefix("has space: directory \"has space\" cannot be part of an OBS project name") })
    #expect(found.contains { $0.hasPrefix("P/REPO_PUBLISH.b.pdef: OBS never emits the label REPO_PUBLISH") })
  }

  @Test func definitionsNoProjectLinksAreFound() throws {
    let files = try TemporaryStore()
    try files.write("used.pdef")
    try files.write("orphan.pdef")
    try files.link("P/REPO_PUBLISHED.used.pdef", to: "../used.pdef")
    #expect(
      try findings(files) == [
        "orphan.pdef: no project links this definition (enable it with: robogrator enable PROJECT LABEL orphan)"
      ])
  }

  @Test func confWithoutItsDefinitionAndStrayNamesAreFound() throws {
    let files = try TemporaryStore()
    try files.write("P/REPO_PUBLISHED.x.conf", "{}")
    try files.write("P/REPO_PUBLISHED.y.pdef~")
    let found = try findings(files)
    #expect(found.contains("P/REPO_PUBLISHED.x.conf: no REPO_PUBLISHED.x.pdef beside it: this conf is never used"))
    #expect(
      found.contains(
        "P/REPO_PUBLISHED.y.pdef~: looks like a definition but does not end in .pdef, so it never launches"))
  }

  @Test func storeThatIsAFileIsReportedAsNotADirectory() {
    #expect(throws: StoreError.rootNotADirectory("/etc/hostname")) { _ = try StoreLint.run(root: "/etc/hostname") }
  }

  @Test func directoriesInsideAnAnyFolderAreFound() throws {
    let files = try TemporaryStore()
    try files.write("P/_any/sub/REPO_PUBLISHED.x.pdef")
    #expect(
      try findings(files).contains { $0.hasPrefix("P/_any/sub: directories inside an _any folder are never used") })
  }
}
