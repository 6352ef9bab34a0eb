import OBSEvents
import OrderedJSON
import Testing

@Suite struct TargetProjectTests {
  func targets(_ text: String) throws -> RoutingTargets {
    try EventDecoder().decode(bytes: Array(text.utf8)).targetProjects()
  }

  func request(_ actions: String, extra: String = "") -> String {
    #"{"format": "2", "label": "SRCSRV_REQUEST_CREATE", "id": "1"\#(extra), "actions": \#(actions)}"#
  }

  @Test func projectWinsOverActions() throws {
    let result = try targets(request(#"[{"targetproject": "B"}]"#, extra: #", "project": "A""#))
    #expect(result.projects.map(\.name) == ["A"])
  }

  @Test func emptyProjectFallsThroughToTheActions() throws {
    let result = try targets(request(#"[{"targetproject": "B"}]"#, extra: #", "project": """#))
    #expect(result.projects.map(\.name) == ["B"])
  }

  @Test func duplicateTargetsRouteOnceInFirstSeenOrder() throws {
    let result = try targets(request(#"[{"targetproject": "B"}, {"targetproject": "A"}, {"targetproject": "B"}]"#))
    #expect(result.projects.map(\.name) == ["B", "A"])
  }

  @Test func missingNullAndEmptyTargetsAreSkippedWithANote() throws {
    let result = try targets(
      request(
        #"[{"type": "maintenance_incident"}, {"type": "set_bugowner", "targetproject": null}, {"targetproject": ""}, {"targetproject": "C"}]"#
      ))
    #expect(result.projects.map(\.name) == ["C"])
    #expect(result.notes.count == 3)
    #expect(result.notes[0].contains("maintenance_incident"))
  }

  @Test func flatOBS23RequestFieldsAreReadAsOneAction() throws {
    let result = try targets(
      #"{"format": "2", "label": "SRCSRV_REQUEST_CREATE", "id": "5", "sourceproject": "home:a", "targetproject": "Chalk:Trunk"}"#
    )
    #expect(result.projects.map(\.name) == ["Chalk:Trunk"])
  }

  @Test func emptyActionListSaysThereIsNothingToRoute() throws {
    let result = try targets(request("[]"))
    #expect(result.projects.isEmpty)
    #expect(result.notes == ["the SRCSRV_REQUEST_CREATE event has no actions: nothing to route"])
  }

  @Test func actionsAsTextAreNotRoutedAndSaySo() throws {
    let result = try targets(request(#""[{\"type\"=>\"submit\"}]""#))
    #expect(result.projects.isEmpty)
    #expect(result.notes.first?.contains("OBS 2.4") == true)
  }

  @Test func nonRequestEventWithoutProjectRoutesNowhere() throws {
    let result = try targets(#"{"format": "2", "label": "SRCSRV_START", "port": 5352}"#)
    #expect(result.projects.isEmpty)
    #expect(result.notes == ["no project or actions in this SRCSRV_START event: nothing to route"])
  }

  @Test func invalidTargetIsRejectedWhileValidOnesStillRoute() throws {
    let result = try targets(request(#"[{"targetproject": "a:..:b"}, {"targetproject": "Good"}]"#))
    #expect(result.projects.map(\.name) == ["Good"])
    #expect(result.rejected.map(\.source) == ["actions[0].targetproject"])
  }

  @Test func nonStringProjectIsRejected() throws {
    let result = try targets(#"{"format": "2", "label": "REPO_PUBLISHED", "project": 5}"#)
    #expect(result.projects.isEmpty)
    #expect(result.rejected.first?.rule == "it is not a string")
  }
}

/// Spec obs-events §4.3/§4.4: names are validated before any path exists.
@Suite struct ProjectNameTests {
  @Test(arguments: [
    ("a:..:b", "a segment starts with '.'"),
    (":tmp:x", "it starts with ':'"),
    ("a/b", "character '/' at position 2 is not allowed"),
    ("a\u{0}b", "character NUL (0x00) at position 2 is not allowed"),
    ("a*b", "character '*' at position 2 is not allowed"),
    ("a?b", "character '?' at position 2 is not allowed"),
    ("a[b]", "character '[' at position 2 is not allowed"),
    (String(repeating: "x", count: 201), "it is 201 characters long; OBS allows at most 200"),
    ("..", "it starts with '.'"),
    ("_any", "it starts with '_'"),
    ("a:_b", "a segment starts with '_'"),
    ("a::b", "it contains '::'"),
    ("a:", "it ends with ':'"),
    ("0", "\"0\" is reserved by OBS"),
    ("", "it is empty"),
    ("a b", "character space at position 2 is not allowed"),
    ("é", "character byte 0xC3 at position 1 is not allowed"),
  ])
  func unsafeProjectNamesAreRejectedNamingTheRule(name: String, rule: String) {
    #expect(throws: NameError.self) { _ = try ProjectName(name) }
    #expect(ProjectName.brokenRule(name)?.hasPrefix(rule) == true, "\(ProjectName.brokenRule(name) ?? "valid")")
  }

  @Test(arguments: [
    "Chalk:Trunk", "openSUSE.org:openSUSE:Factory", "home:alice:branches:Chalk:Trunk", "a-b+c_d.e",
    String(repeating: "x", count: 200),
  ])
  func validProjectNamesMapToDirectories(name: String) throws {
    let project = try ProjectName(name)
    #expect(project.relativePath == name.split(separator: ":").joined(separator: "/"))
  }

  @Test func errorMessageNamesTheValueAndWhereItCameFrom() {
    #expect(throws: NameError.self) { _ = try ProjectName("a:..:b", source: "actions[0].targetproject") }
    let message = NameError(kind: .project, value: "a\u{0}b", source: "ev.project", rule: "x").description
    #expect(message == #"ev.project "a\0b" is not a valid project name: x"#)
  }

  @Test(arguments: ["REPO_PUBLISHED", "A", "A1_B"])
  func labelsOfCapitalsDigitsAndUnderscoresAreValid(label: String) {
    #expect(EventLabel.isValid(label))
  }

  @Test(arguments: ["", "repo", "1A", "_A", "A-B", "A.B", "A/B", "A*", "../X", "A B"])
  func otherLabelsAreInvalid(label: String) {
    #expect(!EventLabel.isValid(label))
    #expect(throws: NameError.self) { _ = try EventLabel(label) }
  }
}
