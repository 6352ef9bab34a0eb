import Foundation
import OBSEvents
import OrderedJSON
import ProcessStore
import Testing

/// Every sample of spec obs-events §3 routed through a store that has one
/// definition for its label in every target project: one launch per target,
/// with exactly `{"project": P, "ev": <the event>}`.
@Suite struct SampleLaunchFieldTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../examples/events").standardized.path

  static let samples: [String] =
    (try? FileManager.default.contentsOfDirectory(atPath: examples))?
    .filter { $0.hasSuffix(".json") }.sorted() ?? []

  @Test func everySampleIsHere() {
    #expect(Self.samples.count == 15)
  }

  @Test(arguments: samples)
  func sampleLaunchesOncePerTargetWithProjectAndEvent(sample: String) throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.examples + "/" + sample)))
    let event = try EventDecoder(bus: MessageBusAdapter(clock: { 1_700_000_000 })).decode(bytes: bytes)
    let store = try TemporaryStore()
    let targets = event.targetProjects().projects
    #expect(!targets.isEmpty)
    for project in targets { try store.write(project.relativePath + "/\(event.label).sample.pdef") }
    let plan = try ProcessStore(root: store.root).plan(event)
    #expect(plan.targets.map(\.project) == targets)
    for target in plan.targets {
      #expect(target.launches.count == 1)
      let fields = try #require(target.launches.first?.fields)
      #expect(fields.keys == ["project", "ev"])
      #expect(fields["project"] == .string(target.project.name))
      #expect(
        JSONValue.object(fields["ev"]?.objectValue ?? JSONObject()).serialized()
          == JSONValue.object(event.fields).serialized())
    }
    // What the event carried arrives unchanged under `ev` (plus label and namespace for format 1).
    let raw = try JSONValue.parse(bytes: bytes)
    if let obsEvent = raw["fields"]?["obsEvent"]?.objectValue {
      for (key, value) in obsEvent { #expect(event.fields[key] == value, "\(key)") }
    }
  }
}
