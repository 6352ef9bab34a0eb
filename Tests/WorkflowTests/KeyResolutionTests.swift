import OrderedJSON
import Testing

@testable import Workflow

/// §4.3: reserved names, prefixes and dotted paths.
@Suite struct KeyResolutionTests {
  let fields: JSONValue = [
    "n": 3, "s": "abc", "stages": ["a", "b", "c"], "wfid": "field-wfid", "tag": "field-tag",
    "ev": ["id": "42", "actions": [["sourceproject": "home:alice"]]], "h": ["1": "one", "k": "v"],
  ]
  let reserved: [ReservedName: JSONValue] = [
    .wfid: "20261123-0346-hijajuju-kaboda", .expid: "0_1", .subid: "abc123", .engineID: "engine",
    .fei: "0_1!abc123!20261123-0346-hijajuju-kaboda", .mnemoID: "hijajuju", .tags: ["a", "b"], .tag: "b",
    .fullTag: "a/b",
  ]

  func resolve(_ text: String, variables: JSONValue = [:], reserved: [ReservedName: JSONValue]? = nil) throws
    -> String
  {
    try Dollar.substitute(text, in: context(fields, variables: variables, reserved: reserved ?? self.reserved))
  }

  @Test func reservedNamesShadowFields() throws {
    #expect(try resolve("${wfid}") == "20261123-0346-hijajuju-kaboda")
    #expect(try resolve("${f:wfid}") == "field-wfid")
    #expect(try resolve("${tag}") == "b")
    #expect(try resolve("${f:tag}") == "field-tag")
  }

  @Test func everyReservedNameResolves() throws {
    #expect(try resolve("${expid} ${subid} ${sub_wfid} ${engine_id}") == "0_1 abc123 abc123 engine")
    #expect(try resolve("${fei}") == "0_1!abc123!20261123-0346-hijajuju-kaboda")
    #expect(try resolve("${mnemo_id} ${tags} ${full_tag}") == "hijajuju [\"a\", \"b\"] a/b")
  }

  @Test func innermostTagIsEmptyWithoutTags() throws {
    #expect(try resolve("[${tag}]", reserved: [:]) == "[]")
  }

  @Test func noPrefixMeansField() throws {
    #expect(try resolve("${ev.id}") == "42")
    #expect(try resolve("${f:ev.id}") == "42")
  }

  @Test func fieldPrefixesStartWithF() throws {
    #expect(try resolve("${fld:n} ${field:n} ${foo:n}") == "3 3 3")
  }

  @Test func variablePrefixesStartWithV() throws {
    #expect(try resolve("${v:x} ${var:x} ${variable:x}", variables: ["x": "X"]) == "X X X")
  }

  @Test func vfReadsTheVariableThenTheField() throws {
    #expect(try resolve("${vf:n}", variables: ["n": "var"]) == "var")
    #expect(try resolve("${vf:n}") == "3")
  }

  @Test func fvReadsTheFieldThenTheVariable() throws {
    #expect(try resolve("${fv:n}", variables: ["n": "var"]) == "3")
    #expect(try resolve("${fv:only}", variables: ["only": "var"]) == "var")
  }

  @Test func otherPrefixesRenderEmpty() throws {
    #expect(try resolve("[${x:n}] [${:n}] [${ f:n}]") == "[] [] []")
  }

  @Test func variableNamesArePassedThroughToTheEngine() throws {
    let ctx = context(
      fields, variables: ["a": ["b": "deep"], "top": "root"], reserved: reserved)
    #expect(try Dollar.substitute("${v:a.b} ${v:/top}", in: ctx) == "deep root")
  }

  @Test func integerSegmentsIndexArrays() throws {
    #expect(try resolve("${stages.0} ${stages.2} ${stages.-1} ${stages.-3}") == "a c c a")
  }

  @Test func indexPastTheEndIsMissing() throws {
    #expect(try resolve("[${stages.3}] [${stages.-4}] [${stages.x}]") == "[] [] []")
  }

  @Test func integerSegmentOnAnObjectReadsTheStringKey() throws {
    #expect(try resolve("${h.1} ${ev.actions.0.sourceproject}") == "one home:alice")
  }

  @Test func rubyToIDecidesWhatIsAnInteger() throws {
    // " 1" and "1abc" are 1 for Ruby's to_i; "00" is not an integer but a key.
    #expect(try resolve("${stages. 1} ${stages.1abc} [${stages.00}]") == "b b []")
  }

  @Test func trailingDotsAreIgnored() throws {
    #expect(try resolve("${stages.}") == "[\"a\", \"b\", \"c\"]")
  }

  @Test func integerSegmentOnAStringGivesThatCharacter() throws {
    #expect(try resolve("${s.0} ${s.-1}") == "a c")
  }

  @Test func textSegmentOnAStringGivesItselfWhenContained() throws {
    #expect(try resolve("${s.b} [${s.x}] ${s.bc}") == "b [] bc")
  }

  @Test func integerSegmentOnAStringFallsBackToTheDigitText() throws {
    #expect(try Dollar.substitute("${s.5}", in: context(["s": "a5c"])) == "5")
  }

  @Test func integerSegmentOnAnIntegerGivesThatBit() throws {
    #expect(try resolve("${n.0} ${n.1} ${n.2}") == "1 1 0")
  }

  @Test func missingAtAnyStepIsEmpty() throws {
    #expect(try resolve("[${nope.x.y}] [${ev.nope.x}]") == "[] []")
  }

  @Test func lookupPathFollowsRubyRules() {
    let root: JSONValue = ["a": [["b": 1]]]
    #expect(Dollar.lookupPath("a.0.b", in: root) == .int(1))
    #expect(Dollar.lookupPath("a.-1.b", in: root) == .int(1))
    #expect(Dollar.lookupPath("", in: root) == nil)
    #expect(Dollar.lookupPath("...", in: root) == nil)
  }

  @Test func rubyToIMatchesRuby() {
    #expect(RubyInteger.toI(Array("1_000".utf8)[...]) == .value(1000))
    #expect(RubyInteger.toI(Array("1__0".utf8)[...]) == .value(1))
    #expect(RubyInteger.toI(Array("_1".utf8)[...]) == .zero)
    #expect(RubyInteger.toI(Array("\n5".utf8)[...]) == .value(5))
    #expect(RubyInteger.toI(Array("-2x".utf8)[...]) == .value(-2))
    #expect(RubyInteger.toI(Array("99999999999999999999".utf8)[...]) == .overflow("99999999999999999999"))
  }
}
