import OrderedJSON
import Testing

@testable import Workflow

/// §5.5: every condition pattern found in the BOSS definitions, with the values that decide it.
@Suite struct BossConditionTests {
  func evaluate(_ c: ConditionCase) throws -> Bool {
    try Condition.evaluate(c.condition, in: context(c.fields, variables: c.variables))
  }

  @Test(arguments: [
    ConditionCase("auto_review in ${stages}", ["stages": ["auto_review", "prechecks"]], true),
    ConditionCase("auto_review in ${stages}", ["stages": ["prechecks"]], false),
    ConditionCase("prechecks in ${stages}", ["stages": ["auto_review", "prechecks"]], true),
    ConditionCase("prechecks in ${stages}", ["stages": []], false),
  ])
  func wordInStagesIsMembership(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("qa-vote in ${stages}", ["stages": ["qa-vote"]], false),
    ConditionCase("qa-reports in ${stages}", ["stages": ["qa-reports", "qa-vote"]], false),
  ])
  func hyphenatedWordInStagesIsAlwaysFalse(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase(
      "\"${v:action.sourceproject}\" not in ${v:sourceprojects}",
      variables: ["action": ["sourceproject": "home:a"], "sourceprojects": ["home:b"]], true),
    ConditionCase(
      "\"${v:action.sourceproject}\" not in ${v:sourceprojects}",
      variables: ["action": ["sourceproject": "home:a"], "sourceprojects": ["home:a", "home:b"]], false),
    ConditionCase(
      "\"${v:action.sourceproject}\" not in ${v:sourceprojects}",
      variables: ["action": ["sourceproject": "home:a"], "sourceprojects": []], true),
  ])
  func quotedSubjectNotInListIsCorrect(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: ["new", "declined", "revoked", "accepted", "superseded", "review", "two words"])
  func quotedStateInLiteralList(_ state: String) throws {
    let c = ConditionCase(
      "\"${ev.state}\" in [\"new\", \"declined\", \"revoked\", \"accepted\", \"superseded\"]",
      ["ev": ["state": .string(state)]],
      ["new", "declined", "revoked", "accepted", "superseded"].contains(state))
    #expect(try evaluate(c) == c.expected)
  }

  @Test(arguments: [
    ConditionCase("${f:status} != SUCCESS", ["status": "FAILED"], true),
    ConditionCase("${f:status} != SUCCESS", ["status": "SUCCESS"], false),
    ConditionCase("${f:status} != SUCCESS", [:], false),
    ConditionCase("${f:status} != SUCCESS", ["status": "build failed"], false),
    ConditionCase("${f:status} == SUCCESS", [:], false),
    ConditionCase("${ev.state} == declined or ${ev.state} == revoked", ["ev": ["state": "revoked"]], true),
    ConditionCase("${ev.state} == declined or ${ev.state} == revoked", ["ev": ["state": "declined"]], true),
    ConditionCase("${ev.state} == declined or ${ev.state} == revoked", ["ev": ["state": "new"]], false),
    ConditionCase("${ev.state} == declined or ${ev.state} == revoked", ["ev": [:]], false),
  ])
  func unquotedWordComparisons(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${__result__} != true", ["__result__": false], true),
    ConditionCase("${__result__} != true", ["__result__": "nope"], true),
    ConditionCase("${__result__} != true", ["__result__": true], false),
    ConditionCase("${__result__} != true", ["__result__": "true"], false),
    ConditionCase("${__result__} != true", [:], false),
  ])
  func resultNotTrue(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${f:__result__}", ["__result__": true], true),
    ConditionCase("${f:__result__}", ["__result__": "true"], true),
    ConditionCase("${__result__}", ["__result__": "word"], true),
    ConditionCase("${__result__}", ["__result__": 5], true),
    ConditionCase("${__result__}", ["__result__": ["a"]], true),
    ConditionCase("${__result__}", ["__result__": ["k": "v"]], true),
    ConditionCase("${__result__}", ["__result__": []], true),
    ConditionCase("${__result__}", ["__result__": .object(JSONObject())], true),
    ConditionCase("${__result__}", ["__result__": 0], true),
    ConditionCase("${f:__result__}", ["__result__": false], false),
    ConditionCase("${f:__result__}", [:], false),
    ConditionCase("${f:__result__}", ["__result__": ""], false),
    ConditionCase("${f:__result__}", ["__result__": "nil"], false),
    ConditionCase("${f:__result__}", ["__result__": .null], false),
  ])
  func resultAlone(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("\"${irc.req_channel}\" != \"\"", ["irc": ["req_channel": "#boss"]], true),
    ConditionCase("\"${irc.req_channel}\" != \"\"", [:], false),
    ConditionCase("\"${f:build_trial.create}\" != \"\"", ["build_trial": ["create": "a b: c/d"]], true),
    ConditionCase("\"${f:build_trial.create}\" != \"\"", ["build_trial": [:]], false),
  ])
  func quotedEmptinessTest(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("\"${reviewer}\" == \"\"", [:], true),
    ConditionCase("\"${reviewer}\" == \"\"", ["reviewer": "bob"], false),
    ConditionCase("\"${build_trial.remove_on_fail}\" == \"false\"", ["build_trial": ["remove_on_fail": "false"]], true),
    ConditionCase("\"${build_trial.remove_on_fail}\" == \"false\"", ["build_trial": ["remove_on_fail": false]], true),
    ConditionCase("\"${build_trial.remove_on_fail}\" == \"false\"", [:], false),
  ])
  func quotedStringComparisons(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${f:qa.selected_test_packages} != {}", ["qa": ["selected_test_packages": ["p": 1]]], true),
    ConditionCase(
      "${f:qa.selected_test_packages} != {}", ["qa": ["selected_test_packages": .object(JSONObject())]], false),
    ConditionCase("${f:qa.selected_test_packages} != {}", [:], false),
  ])
  func hashComparedWithEmptyHash(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${v:check} == check_valid_changes", variables: ["check": "check_valid_changes"], true),
    ConditionCase("${v:check} == check_valid_changes", variables: ["check": "check_other"], false),
    ConditionCase("${ev.package} == _pattern", ["ev": ["package": "_pattern"]], true),
    ConditionCase("${ev.label} == REPO_PUBLISHED", ["ev": ["label": "REPO_PUBLISHED"]], true),
    ConditionCase("${ev.label} == REPO_PUBLISHED", ["ev": ["label": "BUILD_SUCCESS"]], false),
  ])
  func wordComparisons(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${f:testing} == yes", ["testing": "yes"], true),
    ConditionCase("${f:testing} == yes", ["testing": "no"], false),
    ConditionCase("${f:hasLock} == true", ["hasLock": "true"], true),
    ConditionCase("${f:hasLock} == true", ["hasLock": true], true),
    ConditionCase("${f:hasLock} == true", ["hasLock": "True"], false),
  ])
  func wordAndBooleanComparisons(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test(arguments: [
    ConditionCase("${status} != SUCCESS or ${__result__} != true", ["status": "FAILED", "__result__": true], true),
    ConditionCase("${status} != SUCCESS or ${__result__} != true", ["status": "SUCCESS", "__result__": false], true),
    ConditionCase("${status} != SUCCESS or ${__result__} != true", ["status": "SUCCESS", "__result__": true], false),
    ConditionCase("${status} != SUCCESS or ${__result__} != true", ["status": "FAILED"], false),
  ])
  func orOfTwoComparisons(_ c: ConditionCase) throws { #expect(try evaluate(c) == c.expected) }

  @Test func rubyBooleanAttributeIsAlwaysTrue() throws {
    // The webhook bug: `:if => '${f:service_state}' != "running"` is the boolean true.
    #expect(try Condition.shouldApply(ifValue: true, unlessValue: nil, in: context()) == true)
  }
}
