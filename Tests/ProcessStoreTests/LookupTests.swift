import Foundation
import OBSEvents
import OrderedJSON
import ProcessStore
import Testing

/// Spec obs-events §4.12 (BSW test_robogrator.py) and the DESIGN.md lookup rules.
@Suite struct LookupTests {
  func event(_ label: String, project: String) throws -> OBSEvent {
    try EventDecoder().decode(
      bytes: Array(#"{"format": "2", "label": "\#(label)", "namespace": "OBS", "project": "\#(project)"}"#.utf8))
  }

  func plan(_ store: TemporaryStore, _ label: String, _ project: String) throws -> TargetPlan {
    let plan = try ProcessStore(root: store.root).plan(try event(label, project: project))
    return try #require(plan.targets.first)
  }

  @Test func missingProjectDirectoryGivesNoLaunches() throws {
    let store = try TemporaryStore()
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.isEmpty)
    #expect(!target.directoryExists)
  }

  @Test func legacyFileGivesOneLaunchWithoutConf() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.conf", #"{"ignored": 1}"#)
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.count == 1)
    #expect(target.launches.first?.name == nil)
    #expect(target.launches.first?.fields.keys == ["project", "ev"])
  }

  @Test func twoNamedDefinitionsLaunchInSortedOrder() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.foo.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.bar.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.map { $0.name ?? "(legacy)" } == ["(legacy)", "bar", "foo"])
  }

  @Test func confWithCommentLinesIsMergedOverTheLaunchFields() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    try store.write(
      "Chalk/Trunk/REPO_PUBLISHED.a.conf",
      "# a comment\n  # an indented comment\n{\n# inside\n  \"stage\": \"testing\",\n  \"project\": \"Override\"\n}\n")
    let launch = try #require(try plan(store, "REPO_PUBLISHED", "Chalk:Trunk").launches.first)
    #expect(launch.fields["stage"] == "testing")
    #expect(launch.fields["project"] == "Override")
    #expect(launch.fields["ev"]?["label"] == "REPO_PUBLISHED")
    #expect(launch.conf == store.path("Chalk/Trunk/REPO_PUBLISHED.a.conf"))
    // What the conf held, for the process's record of how it was launched.
    #expect(launch.confFields == ["stage": "testing", "project": "Override"])
  }

  @Test func confDoesNotLeakIntoTheNextDefinition() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.conf", #"{"stage": "a"}"#)
    try store.write("Chalk/Trunk/REPO_PUBLISHED.b.pdef")
    let launches = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk").launches
    #expect(launches.map { $0.fields["stage"] } == ["a", nil])
  }

  @Test func unreadableDefinitionIsSkippedWithTheReason() throws {
    let store = try TemporaryStore()
    try store.link("Chalk/Trunk/REPO_PUBLISHED.gone.pdef", to: "../../gone.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.ok.pdef")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.map(\.name) == ["ok"])
    #expect(target.skipped.first?.reason == "cannot read the definition: broken link to ../../gone.pdef")
  }

  @Test func brokenOwnDefinitionSaysWhyNothingLaunches() throws {
    let store = try TemporaryStore()
    try store.write("A/_any/REPO_PUBLISHED.general.pdef")
    try store.link("A/B/REPO_PUBLISHED.gone.pdef", to: "../../gone.pdef")
    let plan = try ProcessStore(root: store.root).plan(try event("REPO_PUBLISHED", project: "A:B"))
    let text = plan.humanDescription()
    #expect(text.contains("nothing launches: the REPO_PUBLISHED definitions that apply were skipped (see below)"))
    #expect(text.contains("broken link to ../../gone.pdef"))
    #expect(text.contains("A/_any/REPO_PUBLISHED.general.pdef: the project has its own REPO_PUBLISHED definitions"))
  }

  @Test func definitionThatIsAFifoIsSkippedInsteadOfHanging() throws {
    let store = try TemporaryStore()
    try store.mkdir("Chalk/Trunk")
    #expect(mkfifo(store.path("Chalk/Trunk/REPO_PUBLISHED.fifo.pdef"), 0o644) == 0)
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.isEmpty)
    #expect(target.skipped.first?.reason == "cannot read the definition: not a regular file")
  }

  @Test func invalidConfFailsOnlyItsOwnLaunch() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.conf", "{\"stage\": \"a\",}\n")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.b.pdef")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.map(\.name) == ["b"])
    #expect(target.errors.count == 1)
    #expect(target.errors.first?.message.contains("line 1, column 15") == true)
  }

  @Test(arguments: [("[1, 2]", "must hold a JSON object"), ("# only a comment\n", "has no JSON in it")])
  func confThatIsNotAnObjectFailsItsLaunch(conf: String, message: String) throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.conf", conf)
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.isEmpty)
    #expect(target.errors.first?.message.contains(message) == true)
  }

  @Test func unreadableConfFailsItsLaunch() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    try store.mkdir("Chalk/Trunk/REPO_PUBLISHED.a.conf")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk:Trunk")
    #expect(target.launches.isEmpty)
    #expect(target.errors.first?.message == "the conf cannot be read: Is a directory")
  }

  @Test func matchingIsExactSoAParentDefinitionNeverFiresForASubproject() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    #expect(try plan(store, "REPO_PUBLISHED", "Chalk:Trunk:Testing").launches.isEmpty)
    #expect(try plan(store, "REPO_PUBLISHED", "Chalk").launches.isEmpty)
  }

  @Test func anyFolderServesEverySubprojectButNotItsOwnProject() throws {
    let store = try TemporaryStore()
    try store.write("boss/Chalk/Trunk/testing/_any/REPO_PUBLISHED.monitor.pdef")
    let trial = try plan(store, "REPO_PUBLISHED", "boss:Chalk:Trunk:testing:1042")
    #expect(trial.launches.map(\.name) == ["monitor"])
    #expect(trial.launches.first?.isForSubprojects == true)
    #expect(try plan(store, "REPO_PUBLISHED", "boss:Chalk:Trunk:testing:1042:deeper").launches.count == 1)
    #expect(try plan(store, "REPO_PUBLISHED", "boss:Chalk:Trunk:testing").launches.isEmpty)
    #expect(try plan(store, "BUILD_FAIL", "boss:Chalk:Trunk:testing:1042").launches.isEmpty)
  }

  @Test func projectsOwnDefinitionsReplaceTheAnyFolderAndSaySo() throws {
    let store = try TemporaryStore()
    try store.write("A/_any/REPO_PUBLISHED.general.pdef")
    try store.write("A/B/REPO_PUBLISHED.special.pdef")
    let target = try plan(store, "REPO_PUBLISHED", "A:B")
    #expect(target.launches.map(\.name) == ["special"])
    #expect(target.skipped.first?.file == store.path("A/_any/REPO_PUBLISHED.general.pdef"))
  }

  @Test func nearestAncestorAnyFolderWins() throws {
    let store = try TemporaryStore()
    try store.write("A/_any/REPO_PUBLISHED.far.pdef")
    try store.write("A/B/_any/REPO_PUBLISHED.near.pdef")
    #expect(try plan(store, "REPO_PUBLISHED", "A:B:C").launches.map(\.name) == ["near"])
    #expect(try plan(store, "REPO_PUBLISHED", "A:X").launches.map(\.name) == ["far"])
  }

  @Test func nearestAnyFolderIsFoundAlsoWhenALabelHasManyAnyFolders() throws {
    // More _any folders than the prefix scan handles: the ancestor walk answers.
    let store = try TemporaryStore()
    for index in 0..<40 { try store.write("T\(index)/_any/REPO_PUBLISHED.t\(index).pdef") }
    try store.write("T7/Sub/_any/REPO_PUBLISHED.near.pdef")
    try store.write("_any/REPO_PUBLISHED.everyone.pdef")
    #expect(try plan(store, "REPO_PUBLISHED", "T7:Sub:X").launches.map(\.name) == ["near"])
    #expect(try plan(store, "REPO_PUBLISHED", "T7:Other").launches.map(\.name) == ["t7"])
    #expect(try plan(store, "REPO_PUBLISHED", "T70:X").launches.map(\.name) == ["everyone"])
    #expect(try plan(store, "REPO_PUBLISHED", "T7").launches.map(\.name) == ["everyone"])
  }

  @Test func similarlyNamedSiblingIsNotAnAncestor() throws {
    let store = try TemporaryStore()
    try store.write("A/B/_any/REPO_PUBLISHED.x.pdef")
    #expect(try plan(store, "REPO_PUBLISHED", "A:BC:D").launches.isEmpty)
    #expect(try plan(store, "REPO_PUBLISHED", "A:B:D").launches.map(\.name) == ["x"])
  }

  @Test func anyFolderAtTheStoreRootServesEveryProject() throws {
    let store = try TemporaryStore()
    try store.write("_any/SRCSRV_COMMIT.audit.pdef")
    #expect(try plan(store, "SRCSRV_COMMIT", "home:alice").launches.map(\.name) == ["audit"])
  }

  @Test func subprojectNamedLikeTheLabelIsNotALegacyDefinition() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/REPO_PUBLISHED/x/y.txt")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk")
    #expect(target.launches.isEmpty)
    #expect(target.skipped.first?.reason.contains("is a directory") == true)
  }

  @Test func strayFileForTheLabelIsExplained() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/REPO_PUBLISHED.a.pdef.orig")
    let target = try plan(store, "REPO_PUBLISHED", "Chalk")
    #expect(target.launches.isEmpty)
    #expect(target.skipped.first?.reason == "does not end in .pdef, so it never launches")
  }

  @Test func eachLaunchGetsProjectAndTheWholeEvent() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/SRCSRV_REQUEST_CREATE.a.pdef")
    try store.write("Chalk/Tools/SRCSRV_REQUEST_CREATE.a.pdef")
    let text =
      #"{"format": "2", "label": "SRCSRV_REQUEST_CREATE", "id": "9", "actions": [{"targetproject": "Chalk:Trunk"}, {"targetproject": "Chalk:Tools"}]}"#
    let plan = try ProcessStore(root: store.root).plan(try EventDecoder().decode(bytes: Array(text.utf8)))
    #expect(plan.targets.map(\.project.name) == ["Chalk:Trunk", "Chalk:Tools"])
    for target in plan.targets {
      let launch = try #require(target.launches.first)
      #expect(launch.fields["project"] == .string(target.project.name))
      #expect(launch.fields["ev"]?["actions"]?.arrayValue?.count == 2)
    }
  }

  @Test func definitionTextIsReadThroughTheLink() throws {
    let store = try TemporaryStore()
    try store.write("BOSS_handle_SR.pdef", "the text")
    try store.link("Chalk/Trunk/SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef", to: "../../BOSS_handle_SR.pdef")
    let launch = try #require(try plan(store, "SRCSRV_REQUEST_CREATE", "Chalk:Trunk").launches.first)
    #expect(launch.definitionText == "the text")
    #expect(launch.linkTarget == "../../BOSS_handle_SR.pdef")
  }

  @Test func routePlanJSONHasTheDocumentedShape() throws {
    let store = try TemporaryStore()
    try store.write("Chalk/Trunk/REPO_PUBLISHED.a.pdef")
    let json = try ProcessStore(root: store.root).plan(try event("REPO_PUBLISHED", project: "Chalk:Trunk")).toJSON()
    #expect(json.objectValue?.keys == ["event", "targets", "notes", "errors"])
    #expect(json["event"]?.objectValue?.keys.starts(with: ["label", "namespace", "format"]) == true)
    let target = try #require(json["targets"]?.arrayValue?.first)
    #expect(target["project"] == "Chalk:Trunk")
    #expect(target["directory"] == .string(store.path("Chalk/Trunk")))
    let launch = try #require(target["launches"]?.arrayValue?.first)
    #expect(launch["definition"] == .string(store.path("Chalk/Trunk/REPO_PUBLISHED.a.pdef")))
    #expect(launch["conf"] == .null)
    #expect(launch["fields"]?["project"] == "Chalk:Trunk")
  }
}
