import OBSEvents
import OrderedJSON
import Testing

/// Every sample of spec obs-events §3: decoded shape, label, and the target
/// projects the §3 table lists (after robogrator's decisions).
@Suite struct SampleEventTests {
  struct Expectation: Sendable, CustomTestStringConvertible {
    let sample: String
    let label: String
    let format: Int
    let namespace: String?
    let targets: [String]
    var testDescription: String { sample }
  }

  static let table: [Expectation] = [
    .init(sample: "01", label: "SRCSRV_REQUEST_CREATE", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(
      sample: "02", label: "SRCSRV_REQUEST_CREATE", format: 2, namespace: "OBS",
      targets: ["Chalk:Trunk", "Chalk:Tools"]),
    .init(sample: "03", label: "SRCSRV_REQUEST_CREATE", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "04", label: "SRCSRV_REQUEST_STATECHANGE", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(
      sample: "05", label: "SRCSRV_REQUEST_STATECHANGE", format: 2, namespace: "OBS",
      targets: ["Chalk:Trunk", "Chalk:Tools"]),
    .init(sample: "06", label: "SRCSRV_REQUEST_STATECHANGE", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "07", label: "REPO_PUBLISHED", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "08", label: "BUILD_SUCCESS", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "09", label: "BUILD_FAIL", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "10", label: "BUILD_UNCHANGED", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(sample: "11", label: "SRCSRV_COMMIT", format: 2, namespace: "OBS", targets: ["Chalk:Trunk"]),
    .init(
      sample: "12", label: "SRCSRV_CREATE_PROJECT", format: 2, namespace: "OBS",
      targets: ["home:alice:branches:Chalk:Trunk"]),
    .init(sample: "13", label: "REPO_PUBLISHED", format: 1, namespace: "OBS", targets: ["Chalk:Testing"]),
    .init(sample: "14", label: "SRCSRV_REQUEST_CREATE", format: 2, namespace: "OBS", targets: ["shells"]),
    .init(sample: "15", label: "REPO_PUBLISHED", format: 2, namespace: "OBS", targets: ["shells"]),
  ]

  @Test(arguments: table)
  func sampleDecodesAndRoutesAsTheSpecLists(expected: Expectation) throws {
    let event = try Samples.event(expected.sample)
    #expect(event.label.name == expected.label)
    #expect(event.format == expected.format)
    #expect(event.namespace == expected.namespace)
    let targets = event.targetProjects()
    #expect(targets.projects.map(\.name) == expected.targets)
    #expect(targets.rejected.isEmpty)
  }

  @Test func launchItemKeepsEveryRawKeyOfTheEvent() throws {
    let event = try Samples.event("09")
    #expect(event.shape == .launchItem)
    let raw = try JSONValue.parse(bytes: Samples.bytes("09"))
    #expect(JSONValue.object(event.fields).serialized() == raw["fields"]?["obsEvent"]?.serialized())
  }

  @Test func multiTargetRequestGivesEveryLaunchTheWholeEvent() throws {
    let event = try Samples.event("02")
    #expect(event.actions.count == 3)
    #expect(event.requestID == "1043")
  }

  @Test func legacyDeleteActionRoutesThroughDeleteproject() throws {
    let targets = try Samples.event("03").targetProjects()
    #expect(targets.projects.map(\.name) == ["Chalk:Trunk"])
  }

  @Test func integerRequestIdOfOBS25IsReadAsText() throws {
    #expect(try Samples.event("06").requestID == "2210")
  }

  @Test func formatOneTakesLabelAndNamespaceFromTheTypeAndAddsThemToTheEvent() throws {
    let event = try Samples.event("13")
    #expect(event.fields["label"] == "REPO_PUBLISHED")
    #expect(event.fields["namespace"] == "OBS")
    #expect(event.fields["format"] == nil)
    #expect(event.fields["type"] == "OBS_REPO_PUBLISHED")
  }

  @Test func busRequestUsesTheNumberAsIdAndKeepsTheDatabaseIdAndProjectNamespace() throws {
    let event = try Samples.event("14")
    #expect(event.shape == .messageBus(routingKey: "opensuse.obs.request.create"))
    #expect(event.fields["id"] == 1_236_587)
    #expect(event.fields["db_id"] == 1_391_102)
    #expect(event.fields["project_namespace"] == "shells")
    #expect(event.fields["namespace"] == "OBS")
    #expect(event.fields["format"] == "2")
    #expect(event.fields["label"] == "SRCSRV_REQUEST_CREATE")
    #expect(event.fields["type"] == "OBS_SRCSRV_REQUEST_CREATE")
    #expect(event.fields["time"] == 1_700_000_000)
    #expect(event.requestID == "1236587")
  }

  @Test func busRepoPublishedKeepsBuildidAndGetsTheAdapterKeys() throws {
    let event = try Samples.event("15")
    #expect(event.fields["project"] == "shells")
    #expect(event.fields["buildid"] != nil)
    #expect(event.fields["label"] == "REPO_PUBLISHED")
  }
}
