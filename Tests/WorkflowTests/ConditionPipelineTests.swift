import OrderedJSON
import Testing

@testable import Workflow

/// §5.2: the evaluation pipeline and its fallbacks; §5.4: the special forms.
@Suite struct ConditionPipelineTests {
  @Test func substitutionComesFirstAndPastesText() throws {
    #expect(try Condition.evaluate("${a} == ${b}", in: context(["a": "x", "b": "x"])) == true)
    #expect(try Condition.evaluate("${list} == [\"a\"]", in: context(["list": ["a"]])) == true)
  }

  @Test func xmlEntitiesAreUnescaped() {
    #expect(cond("true &amp;&amp; true") == true)
    #expect(cond("3 &gt; 2") == true)
    #expect(cond("2 &lt; 3") == true)
    #expect(Condition.explain(substituted: "a &amp;gt; b").text == "a > b")
  }

  @Test func blankOrCommentOnlyIsFalse() {
    #expect(cond("") == false)
    #expect(cond("   ") == false)
    #expect(cond("# nothing") == false)
    #expect(route("") == .blank)
  }

  @Test func lexerErrorComparesTheRawTextAroundTheFirstEquals() {
    #expect(cond("1.2.3 == 1.2.3") == true)
    #expect(cond("1.2.3 == \"1.2.3\"") == false)
    #expect(cond("/srv/obs/x == /srv/obs/x") == true)
    #expect(cond("v1.2 == v1.3") == false)
  }

  @Test func lexerErrorComparesAroundNotEqualsWhenThereIsNoEquals() {
    #expect(cond("1.2.3 != 1.2.4") == true)
    #expect(cond("1.2.3 != 1.2.3") == false)
  }

  @Test func lexerErrorWithoutOperatorIsTheTruthyText() {
    #expect(cond("1.2.3 > 9.9.9") == true)
    #expect(cond("é") == true)
  }

  @Test func lexerErrorKeepsTrailingSpacesAndQuotesOfTheRightPiece() {
    #expect(cond("  1.2.3   ==   1.2.3") == true)
    #expect(cond("1.2.3 == 1.2.3 ") == false)
    #expect(cond("1.2.3 == '1.2.3'") == false)
  }

  @Test func grammarErrorIsFalseWhateverTheOperator() {
    #expect(cond(" != SUCCESS") == false)
    #expect(cond(" == SUCCESS") == false)
  }

  @Test func evaluationErrorUsesRuoteMessage() {
    #expect {
      try Condition.evaluateSubstituted("5 > abc")
    } throws: { error in
      guard let error = error as? ConditionError else { return false }
      return error.description
        == "couldn't interpret >5 > abc<, if it comes from a ${xx} construct, please use ${\"xx} or ${'yy}"
        && error.reason.contains("comparison")
    }
  }

  @Test func evaluationErrorFromASubstitutedValue() {
    #expect(throws: ConditionError.self) { try Condition.evaluate("${v} > 3", in: context(["v": "abc"])) }
  }

  // MARK: - §5.4 special forms

  @Test(arguments: [
    ConditionCase("${irc_channel} is set", ["irc_channel": "boss"], true),
    ConditionCase("${irc_channel} is set", [:], false),
    ConditionCase("${irc_channel} is not set", [:], true),
    ConditionCase("${f:build_trial.create} is set", ["build_trial": ["create": "yes"]], true),
    ConditionCase("${x} is set", ["x": false], true),
    ConditionCase("${x} is set", ["x": 0], true),
    ConditionCase("\"${x}\" is set", ["x": ""], false),
    ConditionCase("${a} == set", ["a": "anything"], true),
    ConditionCase("${a} == set", [:], true),
    ConditionCase("${x} not set", ["x": "v"], false),
  ])
  func setForm(_ c: ConditionCase) throws {
    #expect(try Condition.evaluate(c.condition, in: context(c.fields)) == c.expected)
  }

  @Test func setFormIsRecognisedByItsEnding() {
    #expect(route(" is set") == .specialForm("set"))
    #expect(route("a == set") == .specialForm("set"))
  }

  @Test(arguments: [
    ConditionCase("nil is null", true), ConditionCase("nil is not null", false),
    ConditionCase("${missing} is null", false), ConditionCase("${a} != null", ["a": "x"], false),
    ConditionCase("${missing} is not null", true), ConditionCase("${a} is null", ["a": "nil"], true),
  ])
  func nullForm(_ c: ConditionCase) throws {
    #expect(try Condition.evaluate(c.condition, in: context(c.fields)) == c.expected)
  }

  @Test(arguments: [
    ConditionCase("\"${name}\" is empty", [:], true), ConditionCase("\"${name}\" is empty", ["name": "n"], false),
    ConditionCase("${items} is empty", ["items": []], true), ConditionCase("${items} is empty", ["items": [1]], false),
    ConditionCase("${h} is empty", ["h": .object(JSONObject())], true),
    ConditionCase("\"${name}\" is not empty", ["name": "n"], true), ConditionCase("'' empty", true),
    ConditionCase("word is empty", true), ConditionCase("word empty", true), ConditionCase("${v:check} empty", true),
    ConditionCase("\" is empty\"", true), ConditionCase("${missing} is empty", true),
    ConditionCase("word is not empty", false), ConditionCase("nil is empty", false),
  ])
  func emptyForm(_ c: ConditionCase) throws {
    #expect(try Condition.evaluate(c.condition, in: context(c.fields)) == c.expected)
  }

  @Test func emptyFormNeedsALiteralBeforeIt() {
    #expect(route("\"\" is empty") == .specialForm("empty"))
    #expect(route("word is empty") == .ruby)
  }

  @Test(arguments: [
    ConditionCase("auto_review in ${stages}", ["stages": ["auto_review"]], true),
    ConditionCase("qa-vote in ${stages}", ["stages": ["qa-vote"]], false),
    ConditionCase("\"qa-vote\" in ${stages}", ["stages": ["qa-vote"]], true),
    ConditionCase("\"5\" in [5]", false), ConditionCase("5 in [5]", true), ConditionCase("5 in [5.0]", true),
    ConditionCase("k in ${h}", ["h": ["k": 1]], true), ConditionCase("v in ${h}", ["h": ["k": "v"]], false),
    ConditionCase("x is in [\"x\"]", true), ConditionCase("x not in [\"x\"]", false),
    ConditionCase("x is not in [\"y\"]", true), ConditionCase("${missing} in [\"a\"]", false),
    ConditionCase("${missing} not in [\"a\"]", false), ConditionCase("x in ${missing}", false),
    ConditionCase("x not in ${missing}", false), ConditionCase("x in [\"x\"] and y", false),
    ConditionCase("$x in [1]", false), ConditionCase("x in [1, 2", false),
  ])
  func inForm(_ c: ConditionCase) throws {
    #expect(try Condition.evaluate(c.condition, in: context(c.fields)) == c.expected)
  }

  @Test func inFormNeedsTheListToCloseTheText() {
    #expect(route("x in [\"x\"]") == .specialForm("in"))
    #expect(route("x in [\"x\"] and y").isGrammarError)
    #expect(route(" in [\"x\"]").isGrammarError)
  }

  @Test func specialFormsMatchOnAnyLine() {
    #expect(route("first line\nx in [\"x\"]") == .specialForm("in"))
  }
}
