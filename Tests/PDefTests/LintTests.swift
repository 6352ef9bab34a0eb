import Lint
import OrderedJSON
import PDef
import Testing

/// Tree lint: refused constructs, unknown names, own-name recursion, `if` shapes, shadowing.
@Suite struct LintTests {
  func findings(_ body: String, participants: Set<String> = ["notify", "alpha", "bravo"], name: String = "p")
    throws -> [LintFinding]
  {
    let root = try Support.parse("Ruote.process_definition '\(name)' do\n\(body)\nend\n")
    return PDefLint.check(
      root, knownExpressions: PDefNode.knownExpressionNames, participants: participants, file: "t.pdef")
  }

  @Test func rubySubstitutionIsAnError() throws {
    for text in ["${r:1 + 1}", "${ruby:`ls`}", "x ${\"r:'a'} y", "${res:x}"] {
      let found = try findings("  echo '\(text.replacingOccurrences(of: "'", with: "\\'"))'")
      #expect(found.count == 1, "\(text)")
      #expect(found.first?.severity == .error)
      #expect(found.first?.message.contains("asks for Ruby evaluation, which robogrator refuses") == true)
    }
  }

  @Test(arguments: [
    "  echo 'plain'\n  alpha", "  alpha\n  given do\n    that 'x' do\n      bravo\n    end\n  end",
    "  sequence do\n    alpha :x => '${r:1}'\n  end\n  of", "  set '${r:k}' => 1", "  unknown_name\n  echo '${v:x}'",
  ])
  func theRefusalLaunchChecksIsLintsFirstError(body: String) throws {
    let root = try Support.parse("Ruote.process_definition 'p' do\n\(body)\nend\n")
    let lintError = try findings(body).first { $0.severity == .error }
    #expect(PDefLint.firstRefusal(in: root, file: "t.pdef") == lintError)
  }

  @Test func substitutionsThatOnlyLookLikeRubyAreFine() throws {
    #expect(try findings("  echo '${rev} ${v:r} ${f:ruby} $r:x ${x}{r:y}'").isEmpty)
  }

  @Test func rubySubstitutionIsFoundInKeysAndNestedValues() throws {
    #expect(try findings("  set '${r:k}' => 1").count == 1)
    #expect(try findings("  notify :list => ['a', {'b' => '${ruby:x}'}]").count == 1)
  }

  @Test func givenThatOfAreErrors() throws {
    let found = try findings("  given '${v:check}' do\n    of 'check_valid_changes' do\n      notify\n    end\n  end")
    #expect(found.map(\.severity) == [.error, .error])
    #expect(found.first?.message.hasPrefix("`given` (ruote's given/that/of) is not supported") == true)
    #expect(found.map(\.line) == [2, 3])
  }

  @Test func unknownNameMayBeServedRemotely() throws {
    let found = try findings("  notfy :msg => 'x'")
    #expect(found.count == 1)
    #expect(found.first?.severity == .warning)
    #expect(
      found.first?.description
        == "t.pdef:2:3: warning: `notfy` is not an expression, a subprocess defined in this file or a known "
        + "participant: it may be served remotely; check the spelling")
  }

  @Test func expressionsSubprocessesParticipantsAndDynamicNamesAreKnown() throws {
    let body = """
        sequence do
          alpha
          do_log
          wait '1m'
        end
        define 'do_log' do
          echo 'x'
        end
      """
    #expect(try findings(body).isEmpty)
  }

  @Test func callingTheProcessOwnNameWarnsOfRecursion() throws {
    // Spec T18: imager's TEST_IMAGE named `test_image` calling the test_image participant.
    let found = try findings(
      "  sequence do\n    echo 'x'\n    test_image\n  end", participants: ["test_image"], name: "test_image")
    #expect(found.count == 1)
    #expect(found.first?.line == 4)
    #expect(found.first?.message.hasPrefix("`test_image` is this process's own name") == true)
  }

  @Test func ownNameIsFineWhenADefineOfThatNameExists() throws {
    #expect(try findings("  test_image\n  define 'test_image' do\n    alpha\n  end", name: "test_image").isEmpty)
  }

  @Test func ifWithMoreThanTwoChildrenIgnoresTheRest() throws {
    let found = try findings("  _if '${f:testing} == yes' do\n    alpha\n    bravo\n    notify\n  end")
    #expect(found.count == 1)
    #expect(found.first?.severity == .warning)
    #expect(found.first?.message.contains("the others (from `notify` on) are ignored") == true)
  }

  @Test func ifWithoutTestMayHaveThreeChildren() throws {
    #expect(try findings("  _if do\n    alpha\n    bravo\n    notify\n  end").isEmpty)
    #expect(try findings("  _if do\n    alpha\n    bravo\n    notify\n    alpha\n  end").first?.severity == .warning)
  }

  @Test func thenElseTrapIsPointedOut() throws {
    // Spec T5: the second child is the else branch.
    let found = try findings("  _if :test => '${f:testing} == yes' do\n    alpha\n    notify\n  end")
    #expect(found.count == 1)
    #expect(found.first?.severity == .info)
    #expect(found.first?.message.contains("the second, `notify`, is the else branch") == true)
  }

  @Test func thenBranchWrappedInSequenceIsNotATrap() throws {
    #expect(
      try findings("  _if :t => 'x' do\n    sequence do\n      alpha\n      bravo\n    end\n    notify\n  end").isEmpty)
  }

  @Test func defineShadowingAParticipantWarns() throws {
    let found = try findings("  notify\n  define 'notify' do\n    echo 'x'\n  end")
    #expect(found.count == 1)
    #expect(found.first?.line == 3)
    #expect(found.first?.message.hasPrefix("subprocess `notify` has the name of a participant") == true)
  }

  @Test func findingsOfAJSONTreeHaveNoLocation() throws {
    let root = try Support.parse(#"["define", {"p": null}, [["mystery", {}, []]]]"#)
    let found = PDefLint.check(root, knownExpressions: PDefNode.knownExpressionNames, participants: [], file: "j.pdef")
    #expect(found.count == 1)
    #expect(found.first?.line == nil)
    #expect(found.first?.column == nil)
    #expect(found.first?.description.hasPrefix("j.pdef: warning: `mystery`") == true)
  }

  @Test func knownExpressionNamesCoverSpecSection3() {
    let required: Set<String> = [
      "sequence", "let", "define", "process_definition", "participant", "ref", "subprocess", "apply", "set", "unset",
      "rset", "inc", "dec", "increment", "decrement", "push", "pop", "echo", "wait", "sleep", "if", "equals", "cursor",
      "repeat", "loop", "iterator", "concurrent_iterator", "citerator", "concurrence", "break", "stop", "over",
      "rewind",
      "continue", "reset", "skip", "back", "jump", "cancel_process", "terminate", "kill_process", "error", "on_error",
      "listen", "receive", "intercept", "forget", "lose", "undo", "cancel", "kill", "noop",
    ]
    #expect(required.subtracting(PDefNode.knownExpressionNames).isEmpty)
  }

  @Test func severitiesAreOrdered() {
    #expect(LintFinding.Severity.info < .warning && LintFinding.Severity.warning < .error)
  }
}
