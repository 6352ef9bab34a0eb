import OrderedJSON
import PDef
import Testing

/// The example definitions in examples/processes and srv-layout/processes:
/// they parse, survive the JSON round trip and lint clean against the BOSS
/// participant names.
@Suite struct ExampleDefinitionTests {
  @Test func thereAreAtLeastFiveExamplesAndTheLargeOne() throws {
    let names = try Support.examples().map(\.name)
    #expect(names.filter { !$0.hasPrefix("srv-layout/") }.count >= 6)
    #expect(names.contains("srv-layout/BOSS_handle_SR.pdef"))
    #expect(names.contains("large_700_lines.pdef"))
  }

  @Test func everyExampleParsesAndRoundTripsThroughJSON() throws {
    for (name, text) in try Support.examples() {
      let root = try PDefParser.parse(text, file: name)
      #expect(root.name == "define", "\(name)")
      #expect(try PDefNode(json: root.toJSON(), file: name) == root, "\(name)")
      #expect(try PDefParser.parse(root.toJSON().serialized(), file: name) == root, "\(name)")
    }
  }

  @Test func everyExampleLintsWithoutErrorsOrWarnings() throws {
    for (name, text) in try Support.examples() {
      let root = try PDefParser.parse(text, file: name)
      let findings = PDefLint.check(
        root, knownExpressions: PDefNode.knownExpressionNames, participants: Support.bossParticipants, file: name)
      let serious = findings.filter { $0.severity >= .warning }
      #expect(serious.isEmpty, "\(serious.map(\.description))")
    }
  }

  @Test func largeExampleHasSevenHundredLines() throws {
    let text = try #require(try Support.examples().first { $0.name == "large_700_lines.pdef" }?.text)
    #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count - 1 == 700)
  }

  @Test func tourUsesEveryMustHaveExpressionOfSpecSection8() throws {
    let text = try #require(try Support.examples().first { $0.name == "must_have_tour.pdef" }?.text)
    let root = try PDefParser.parse(text, file: "must_have_tour.pdef")
    var names: Set<String> = []
    var attributes: Set<String> = []
    var stack = [root]
    while let node = stack.popLast() {
      names.insert(node.name)
      attributes.formUnion(node.attributes.keys)
      stack.append(contentsOf: node.children)
    }
    let expressions: Set<String> = [
      "define", "sequence", "participant", "subprocess", "apply", "set", "unset", "inc", "echo", "wait", "if", "cursor",
      "rewind", "break", "repeat", "iterator", "concurrent_iterator", "listen", "terminate", "cancel_process", "error",
      "on_error",
    ]
    #expect(expressions.subtracting(names).isEmpty, "missing \(expressions.subtracting(names))")
    let attributeNames: Set<String> = [
      "if", "unless", "flank", "forget", "tag", "on_error", "timeout", "on_timeout", "break_if", "on_field", "to",
      "to_f", "to_field", "upon", "where", "ref", "test",
    ]
    #expect(attributeNames.subtracting(attributes).isEmpty, "missing \(attributeNames.subtracting(attributes))")
  }
}
