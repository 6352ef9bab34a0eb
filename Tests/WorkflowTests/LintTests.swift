import OrderedJSON
import Testing

@testable import Workflow

/// ConditionLint (§5.5/§5.6 traps) and SubstitutionLint (fixed quirks, refused forms).
@Suite struct LintTests {
  func codes(_ condition: String) -> [String] {
    ConditionLint.findings(for: condition).map(\.code)
  }

  @Test func unquotedSubstitutionComparedWithQuotedString() {
    let findings = ConditionLint.findings(for: "${dir} == \"home/user\"")
    #expect(findings.map(\.code) == ["unquoted-vs-quoted"])
    #expect(findings.first?.message.contains("\"${dir}\" == \"home/user\"") == true)
    #expect(findings.first?.offset == 0)
  }

  @Test func unquotedSubstitutionThatMayBeMissing() {
    let findings = ConditionLint.findings(for: "${f:status} != SUCCESS")
    #expect(findings.map(\.code) == ["unquoted-substitution"])
    #expect(findings.first?.message.contains("missing") == true)
    #expect(findings.first?.message.contains("\"${f:status}\" != \"SUCCESS\"") == true)
  }

  @Test func eachUnquotedSideOfAnOrIsReported() {
    #expect(
      codes("${status} != SUCCESS or ${__result__} != true") == ["unquoted-substitution", "unquoted-substitution"])
  }

  @Test func numericComparisonIsOnlyAHint() {
    let findings = ConditionLint.findings(for: "${n} > 3")
    #expect(findings.map(\.code) == ["numeric-substitution"])
    #expect(findings.first?.severity == .info)
  }

  @Test func hashComparedWithListLiteralIsOnlyAHint() {
    #expect(codes("${f:qa.selected_test_packages} != {}") == ["unquoted-list-substitution"])
  }

  @Test func hyphenatedWordInAnInTestIsAlwaysFalse() {
    let findings = ConditionLint.findings(for: "qa-vote in ${stages}")
    #expect(findings.map(\.code) == ["in-bare-punctuation"])
    #expect(findings.first?.message.contains("always false") == true)
    #expect(findings.first?.message.contains("\"qa-vote\" in ${stages}") == true)
  }

  @Test func unquotedSubstitutionInAnInTest() {
    #expect(codes("${x} in ${y}") == ["in-unquoted"])
  }

  @Test func textAfterTheInListMakesItFalse() {
    #expect(codes("x in [1] and y") == ["in-trailing"])
  }

  @Test func endingWithBareSetIsAlwaysTrue() {
    #expect(codes("${a} == set").contains("set-ending"))
    #expect(codes("${irc_channel} is set").isEmpty)
  }

  @Test func nullFormsAreReported() {
    #expect(codes("${x} is null") == ["null-form"])
    #expect(codes("${a} != null").contains("null-form"))
  }

  @Test func bareEmptyFormsAreReported() {
    #expect(codes("${v:check} empty") == ["empty-form"])
    #expect(codes("${x} is not empty") == ["empty-form"])
    #expect(codes("\"${x}\" is empty").isEmpty)
  }

  @Test func hashOutsideQuotesIsAComment() {
    let findings = ConditionLint.findings(for: "SR#${id} == x")
    #expect(findings.map(\.code).contains("comment"))
    #expect(findings.first { $0.code == "comment" }?.offset == 2)
  }

  @Test func multiWordLeftSide() {
    #expect(codes("two words == \"two words\"") == ["multi-word"])
  }

  @Test func bareWordWithPunctuationInAComparison() {
    #expect(codes("\"${pkg}\" == qa-tools") == ["bare-punctuation"])
  }

  @Test func rubyBooleanConditionValue() {
    let findings = ConditionLint.findings(forValue: true)
    #expect(findings.map(\.code) == ["ruby-boolean"])
  }

  @Test(arguments: [
    "\"${irc.req_channel}\" != \"\"", "auto_review in ${stages}", "\"${ev.state}\" in [\"new\", \"declined\"]",
    "${f:__result__}", "\"${reviewer}\" == \"\"", "\"${v:action.sourceproject}\" in ${v:sourceprojects}",
  ])
  func robustConditionsAreClean(_ condition: String) {
    #expect(ConditionLint.findings(for: condition).isEmpty)
  }

  @Test func offsetsCountCharacters() {
    let findings = ConditionLint.findings(for: "\"é\" == \"é\" and ${x} != y")
    #expect(findings.first?.offset == 15)
  }

  // MARK: SubstitutionLint

  @Test func literalBraceBeforeASubstitution() {
    let findings = SubstitutionLint.findings(for: "a } ${n}")
    #expect(findings.map(\.code) == ["literal-brace"])
    #expect(findings.first?.offset == 2)
    #expect(SubstitutionLint.findings(for: "{} == ${n}").map(\.code) == ["literal-brace"])
  }

  @Test func braceAfterTheLastSubstitutionIsFine() {
    #expect(SubstitutionLint.findings(for: "${f:x} != {}").isEmpty)
    #expect(SubstitutionLint.findings(for: "no dollar } here").isEmpty)
  }

  @Test func emptyKeys() {
    #expect(SubstitutionLint.findings(for: "a ${} b").map(\.code) == ["empty-key"])
    #expect(SubstitutionLint.findings(for: "${f:}").map(\.code) == ["empty-key"])
  }

  @Test func rubyEvaluationIsAnError() {
    let findings = SubstitutionLint.findings(for: "x ${r:1+1} ${ruby:y}")
    #expect(findings.map(\.code) == ["ruby-evaluation", "ruby-evaluation"])
    #expect(findings.allSatisfy { $0.severity == .error })
  }

  @Test func backslashStopIsExplained() {
    #expect(SubstitutionLint.findings(for: "\\${x} ${y}").map(\.code) == ["backslash-stop"])
  }

  @Test func ordinaryTextsAreClean() {
    #expect(SubstitutionLint.findings(for: "process ${wfid}: SR#${ev.id} ${v:msg}").isEmpty)
    #expect(SubstitutionLint.findings(for: "${f:${v:k}}").isEmpty)
  }
}
