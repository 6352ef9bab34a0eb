import Foundation
import OBSEvents
import Robogrator
import Testing

@Suite struct SpoolTests {
  func makeSpool() throws -> (Spool, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "robogrator-spool-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return (Spool(directory: directory), directory)
  }

  @Test(arguments: [
    ("opensuse.obs.repo.published@1.json", "opensuse.obs.repo.published"),
    ("my-obs.obs.request.create@x@y.json", "my-obs.obs.request.create"),
  ])
  func routingKeyIsTakenFromANameThatStartsWithOne(name: String, key: String) {
    #expect(Spool.routingKey(fromFileName: name) == key)
  }

  @Test(arguments: ["alice@example.json", "@x.json", "Opensuse.obs.repo.published@1.json", "a..b@x.json", "plain.json"])
  func namesThatMerelyContainAnAtSignCarryNoRoutingKey(name: String) {
    #expect(Spool.routingKey(fromFileName: name) == nil)
  }

  @Test func storedBusMessageInAFileNamedWithAKeyUsesItsOwnKey() throws {
    let (spool, directory) = try makeSpool()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let message = #"{"routing_key": "opensuse.obs.repo.published", "body": {"project": "shells", "repo": "x"}}"#
    try Data(message.utf8).write(to: URL(fileURLWithPath: directory + "/opensuse.obs.package.commit@1.json"))
    guard case .event(let event, let raw, let routingKey) = spool.read("opensuse.obs.package.commit@1.json") else {
      Issue.record("not read as an event")
      return
    }
    #expect(event.label.name == "REPO_PUBLISHED")
    #expect(raw == Array(message.utf8))
    #expect(routingKey == "opensuse.obs.package.commit")
    #expect(event.project == "shells")
  }

  @Test func fileThatDoesNotParseYetAndWasJustWrittenIsNotRejected() throws {
    let (spool, directory) = try makeSpool()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Data(#"{"format": "2", "lab"#.utf8).write(to: URL(fileURLWithPath: directory + "/half.json"))
    guard case .notReady = spool.read("half.json") else {
      Issue.record("a half-written file must be left for its writer")
      return
    }
    let old = Date().addingTimeInterval(-10)
    try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory + "/half.json")
    guard case .rejected(let reason) = spool.read("half.json") else {
      Issue.record("a file that stays broken must be rejected")
      return
    }
    #expect(reason.hasPrefix("the event is not valid JSON"))
  }

  @Test func rejectMovesTheFileAndWritesTheReasonBesideIt() throws {
    let (spool, directory) = try makeSpool()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Data("[]".utf8).write(to: URL(fileURLWithPath: directory + "/bad.json"))
    try spool.reject("bad.json", reason: "the event must be a JSON object, found an array")
    #expect(!FileManager.default.fileExists(atPath: directory + "/bad.json"))
    #expect(
      try String(contentsOfFile: directory + "/rejected/bad.json.why", encoding: .utf8)
        == "the event must be a JSON object, found an array\n")
    #expect(spool.pendingFiles().isEmpty)
  }
}
