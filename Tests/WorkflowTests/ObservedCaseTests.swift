import OrderedJSON
import Testing

@testable import Workflow

/// §7 T15 and T16, observed with ruote 2.3.1, checked at the substitution and condition level.
@Suite struct ObservedCaseTests {
  // MARK: T15 dollar rendering

  let t15 = context(
    ["stages": ["a", "b"], "h": ["k": 1], "n": 3, "b": true, "emails": ["x@y"]], variables: ["k": "n"])

  @Test func t15ListNumberBooleanMissingAndIndexes() throws {
    let text = "list=${stages} num=${n} bool=${b} missing=[${nope}] idx=${stages.1} last=${stages.-1}"
    #expect(try Dollar.substitute(text, in: t15) == "list=[\"a\", \"b\"] num=3 bool=true missing=[] idx=b last=b")
  }

  @Test func t15Hash() throws {
    #expect(try Dollar.substitute("hash=${h}", in: t15) == "hash={\"k\"=>1}")
  }

  @Test func t15HashBraceCutsTheRest() throws {
    #expect(try Dollar.substitute("cut: ${h} then ${n}", in: t15) == "cut: {\"k\"=>1} then ${n}")
  }

  @Test func t15LiteralBracesNoLongerCut() throws {
    // ruote 2.3.1 left this unchanged; robogrator fixes the literal '}' (Decisions; lint warns).
    #expect(try Dollar.substitute("cut2: {} then ${n}", in: t15) == "cut2: {} then 3")
    #expect(SubstitutionLint.findings(for: "cut2: {} then ${n}").map(\.code) == ["literal-brace"])
  }

  @Test func t15NestedAndVariableThenField() throws {
    #expect(try Dollar.substitute("${f:${v:k}} ${vf:n}", in: t15) == "3 3")
  }

  @Test func t15SetCopiesTheTypedArray() throws {
    #expect(try Dollar.substituteAttribute("$f:stages", in: t15) == ["a", "b"])
  }

  @Test func t15SetOfDollarBraceStoresText() throws {
    #expect(try Dollar.substituteAttribute("${stages}", in: t15) == "[\"a\", \"b\"]")
  }

  @Test func t15ParticipantParams() throws {
    let params: JSONValue = .object(
      JSONObject([("mail_to", "$f:emails"), ("text", "${emails}"), ("q", "${\"n}")]))
    let substituted = try Dollar.substituteAttribute(params, in: t15, substitutingKeys: true)
    #expect(substituted.serialized() == #"{"mail_to":["x@y"],"text":"[\"x@y\"]","q":"\"3\""}"#)
  }

  // MARK: T16 condition quirks

  let t16 = context([
    "stages": ["auto_review", "qa-vote"], "words": "two words", "n": "5", "sp": .object(JSONObject()),
  ])

  @Test(arguments: [
    ("qa-vote in ${stages}", false), ("auto_review in ${stages}", true), ("${missing} != SUCCESS", false),
    ("\"${missing}\" != \"SUCCESS\"", true), ("${words} == two words", false),
    ("\"${words}\" == \"two words\"", true), ("${n} > 3", true), ("${sp} == {}", true),
  ])
  func t16ParticipantGuards(_ guardText: String, _ runs: Bool) throws {
    #expect(try Condition.shouldApply(ifValue: .string(guardText), unlessValue: nil, in: t16) == runs)
  }

  @Test func t16UnlessMissingRuns() throws {
    #expect(try Condition.shouldApply(ifValue: nil, unlessValue: "${missing}", in: t16) == true)
  }

  @Test func t16ParamsShowTheSubstitutedGuard() throws {
    #expect(try Dollar.substitute("${n} > 3", in: t16) == "5 > 3")
  }
}
