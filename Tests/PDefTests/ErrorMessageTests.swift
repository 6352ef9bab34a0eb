import PDef
import Testing

/// Every kind of error names the file, line and column, and says what to do.
/// Body snippets start on line 2 (line 1 is `Ruote.process_definition 'p' do`).
@Suite struct ErrorMessageTests {
  @Test func errorRendersAsFileLineColumnMessage() {
    let error = PDefError(file: "a.pdef", line: 3, column: 7, message: "boom")
    #expect(error.description == "a.pdef:3:7: boom")
  }

  @Test func unterminatedSingleQuotedStringNamesWhereItStarted() {
    let error = Support.error("Ruote.process_definition 'p' do\n  echo 'abc\nend\n")
    #expect(error?.description == "t.pdef:4:1: unterminated string started at 2:8: add the closing '")
  }

  @Test func unterminatedDoubleQuotedStringNamesWhereItStarted() {
    let error = Support.error("Ruote.process_definition 'p' do\n  notify :msg => \"SR#${ev.id}")
    #expect(error?.description == "t.pdef:2:30: unterminated string started at 2:18: add the closing \"")
  }

  @Test func endWithoutDo() {
    #expect(
      Support.error("Ruote.process_definition 'p' do\nend\nend\n")?.description
        == "t.pdef:3:1: `end` without a matching `do`")
  }

  @Test func doNeverClosedNamesTheOpeningDo() {
    let error = Support.error("Ruote.process_definition 'p' do\n  sequence do\n    alpha\nend\n")
    #expect(error?.description == "t.pdef:5:1: `do` opened at 1:30 is never closed: add the missing `end`")
  }

  @Test func innerDoNeverClosedIsReportedForTheInnermostBlock() {
    let error = Support.error(
      "Ruote.process_definition 'p' do\n  sequence do\n    _if 'x' do\n      alpha\n  end\nend\n")
    #expect(error?.message == "`do` opened at 1:30 is never closed: add the missing `end`")
  }

  @Test func braceBlockNeverClosed() {
    #expect(
      Support.error("Ruote.process_definition('p') { alpha")?.message
        == "`{` opened at 1:31 is never closed: add the missing `}`")
  }

  @Test func missingValueAfterHashRocket() {
    #expect(
      Support.bodyError("  alpha :a =>\nend")?.description == "t.pdef:3:1: expected a value after `=>`, found `end`")
    #expect(
      Support.bodyError("  alpha :a => , :b => 1")?.description == "t.pdef:2:15: expected a value after `=>`, found `,`"
    )
  }

  @Test func missingArgumentAfterComma() {
    #expect(Support.bodyError("  alpha :a => 1,\nend")?.message == "expected another argument after `,`, found `end`")
  }

  @Test func missingCommaBetweenArguments() {
    #expect(
      Support.bodyError("  alpha :a => 1 :b => 2")?.description
        == "t.pdef:2:17: unexpected the symbol `:b` after `alpha ...`: is a `,` missing between arguments?")
  }

  @Test func kernelSystemIsRefusedAsRuby() {
    let error = Support.bodyError("  system 'rm -rf /'")
    #expect(error?.line == 2 && error?.column == 3)
    #expect(error?.message.hasPrefix("`system` is Ruby, not a process expression") == true)
    #expect(error?.message.contains("`_system`") == true)
  }

  @Test func printingIsRefusedWithAnEchoHint() {
    #expect(Support.bodyError("  puts 'hello'")?.message.contains("use `echo '...'`") == true)
  }

  @Test func kernelNamesThatAreAlsoExpressionsSuggestTheUnderscore() {
    #expect(
      Support.bodyError("  sleep '1m'")?.message.contains("write `_sleep` for the process expression `sleep`") == true)
    #expect(
      Support.bodyError("  loop do\n  end")?.message.contains("write `_loop` for the process expression `loop`") == true
    )
  }

  @Test func rubyKeywordsSuggestTheUnderscoreForm() {
    #expect(
      Support.bodyError("  if '${x}' do\n  end")?.description
        == "t.pdef:2:3: `if` is a Ruby keyword, not a process expression: write `_if` for the process expression `if`")
    #expect(Support.bodyError("  break :if => 'x'")?.message.contains("write `_break`") == true)
  }

  @Test func statementModifierIsRefusedWithTheAttributeForm() {
    #expect(
      Support.bodyError("  alpha if true")?.description
        == "t.pdef:2:9: `if` after an expression is Ruby; write the condition as an attribute in quotes: `alpha :if => '...'`"
    )
  }

  @Test func methodChainIsRefused() {
    #expect(
      Support.bodyError("  alpha.beta")?.description
        == "t.pdef:2:8: `alpha....` calls a Ruby method; method chains are not process definition syntax")
    #expect(
      Support.bodyError("  alpha 'x'.upcase")?.message.contains("method chains are not process definition syntax")
        == true)
  }

  @Test func assignmentIsRefused() {
    #expect(Support.bodyError("  x = 1")?.message.contains("use `set 'v:x' => value`") == true)
  }

  @Test func bareWordValueIsRefusedWithAQuotingHint() {
    #expect(
      Support.bodyError("  alpha :a => foo")?.description
        == "t.pdef:2:15: bare word `foo` is a Ruby variable or method call, not a value: quote it ('foo')")
  }

  @Test func constantValueIsRefused() {
    #expect(
      Support.bodyError("  alpha :a => File")?.message.hasPrefix("`File` is a Ruby constant, not a value") == true)
  }

  @Test func substitutionOutsideQuotesIsRefused() {
    // A committed auto_ci.pdef version used `do_${v:task}` as a bare name.
    let error = Support.bodyError("  do_${v:task}")
    #expect(error?.column == 6)
    #expect(error?.message.hasPrefix("`$` outside quotes") == true)
  }

  @Test func unquotedDurationIsRefused() {
    #expect(Support.bodyError("  wait 2h")?.message == "`2h` is not a number: quote it ('2h'), durations are strings")
  }

  @Test func rubyOperatorsOutsideTheSubsetAreRefused() {
    #expect(
      Support.bodyError("  alpha :a => 1 < 2")?.message.hasPrefix("`<` is Ruby syntax robogrator does not read") == true
    )
    #expect(Support.bodyError("  alpha :a => 'x' && 'y'")?.message.hasPrefix("`&&` is Ruby syntax") == true)
    #expect(
      Support.bodyError("  alpha :a => 'x' == 'y' == 'z'")?.message.hasPrefix("chained comparisons are not Ruby")
        == true)
  }

  @Test func plusBetweenIncompatibleTypesIsRefused() {
    #expect(
      Support.bodyError("  alpha :a => 'x' + 1")?.message
        == "`+` cannot join a string and a number: `+` joins two strings, two arrays or two numbers")
  }

  @Test func percentLiteralsBackticksAndHeredocsAreRefused() {
    #expect(Support.bodyError("  alpha :a => %w[a b]")?.message.hasPrefix("`%` literals") == true)
    #expect(Support.bodyError("  alpha :a => `ls`")?.message.hasPrefix("backticks run a shell command") == true)
    #expect(Support.bodyError("  alpha :a => <<EOS\nx\nEOS")?.message.hasPrefix("`<<` (a heredoc") == true)
  }

  @Test func instanceVariablesAreRefused() {
    #expect(Support.bodyError("  alpha :a => @x")?.message.hasPrefix("`@` starts a Ruby instance variable") == true)
  }

  @Test func blockParametersAreRefused() {
    #expect(
      Support.bodyError("  sequence do |x|\n  end")?.message.hasPrefix("block parameters (`|x|`) are Ruby") == true)
  }

  @Test func positionalArgumentAfterPairsIsRefusedLikeRuby() {
    #expect(
      Support.bodyError("  alpha :a => 1, 'b'")?.message.hasPrefix("a positional argument after `key => value` pairs")
        == true)
  }

  @Test func braceBlockAfterBareArgumentsIsRefused() {
    #expect(
      Support.bodyError("  sequence :tag => 'x' { alpha }")?.message.hasPrefix("a `{ ... }` block after arguments")
        == true)
  }

  @Test func mismatchedClosersAreNamed() {
    #expect(
      Support.bodyError("  sequence do\n    alpha\n  }")?.message
        == "`}` where the `do` opened at 2:12 expects its `end`")
    #expect(
      Support.error("Ruote.process_definition('p') { alpha\nend }")?.message
        == "`end` inside the `{` block opened at 1:31: close that block with `}`")
  }

  @Test func unclosedArrayHashAndParenthesis() {
    #expect(
      Support.error("Ruote.process_definition 'p' do\n  alpha :a => [1, 2")?.message
        == "`[` opened at 2:15 is never closed: add the missing `]`")
    #expect(
      Support.error("Ruote.process_definition 'p' do\n  alpha :a => {'k' => 1")?.message
        == "`{` opened at 2:15 is never closed: add the missing `}`")
    #expect(
      Support.error("Ruote.process_definition('p'")?.message
        == "`(` opened at 1:25 is never closed: add the missing `)`")
  }

  @Test func unclosedBlockCommentAndRegex() {
    #expect(
      Support.error("Ruote.process_definition 'p' do\n=begin\nalpha\n")?.message
        == "`=begin` comment started at 2:1 is never closed by `=end`")
    #expect(
      Support.bodyError("  on_error /abc => 'h'")?.message.hasPrefix("unterminated regular expression started at 2:12")
        == true)
  }

  @Test func badEscapesAreNamed() {
    #expect(Support.bodyError(#"  echo "\x""#)?.message.hasPrefix("invalid escape `\\x` in a string") == true)
    #expect(Support.bodyError(#"  echo "\u12""#)?.message.hasPrefix("invalid Unicode escape in a string") == true)
    #expect(Support.bodyError(#"  echo "\u{D800}""#)?.message.hasPrefix("invalid Unicode escape in a string") == true)
  }

  @Test func fileWithoutDefinition() {
    #expect(
      Support.error("")?.description
        == "t.pdef:1:1: the file holds no process definition: start it with `Ruote.process_definition 'name' do`")
    #expect(Support.error("# only a comment\n")?.line == 2)
  }

  @Test func fileNotStartingWithRuoteNamesWhatItFound() {
    #expect(
      Support.error("sequence do\nend")?.message
        == "a definition starts with `Ruote.process_definition 'name' do`, found `sequence`")
    #expect(Support.error("require 'ruote'")?.message.hasPrefix("`require` is Ruby") == true)
    #expect(Support.error("Ruote.parse 'x'")?.message.hasPrefix("`Ruote` is followed by `parse`") == true)
  }

  @Test func secondDefinitionInAFileIsRefused() {
    let error = Support.error("Ruote.process_definition 'a' do\nend\nRuote.process_definition 'b' do\nend\n")
    #expect(error?.line == 3)
    #expect(error?.message.hasPrefix("only one process definition per file") == true)
  }

  @Test func nestedRuoteDefinitionSuggestsDefine() {
    #expect(
      Support.bodyError("  Ruote.process_definition 'x' do\n  end")?.message.hasPrefix(
        "a process definition inside another is written `define 'name' do") == true)
  }

  @Test func nulAndInvalidUTF8OutsideStringsAreNamed() {
    #expect(Support.bodyError("  alpha \u{0}")?.message.contains("a NUL byte (U+0000)") == true)
    let invalid = String(
      decoding: Array("Ruote.process_definition 'p' do\n  alpha ".utf8) + [0xFF, 0xFE], as: UTF8.self)
    #expect(Support.error(invalid)?.message.contains("an invalid UTF-8 byte sequence") == true)
    #expect(
      Support.bodyError("  alpha é")?.message.contains("`é` (outside quotes a definition holds only ASCII)") == true)
  }

  @Test func nulAndInvalidUTF8InsideStringsAreKept() throws {
    #expect(try Support.bodyJSON("  echo 'a\u{0}b\u{FFFD}'") == "[[\"echo\",{\"a\\u0000b\u{FFFD}\":null},[]]]")
  }

  @Test func nestingBeyondTheLimitIsRefused() {
    let deepBlocks = String(repeating: "sequence do\n", count: 300) + String(repeating: "end\n", count: 300)
    let blockError = Support.bodyError(deepBlocks)
    #expect(blockError?.message.hasPrefix("nesting too deep (more than 250 blocks") == true)
    let deepArrays = "  alpha :a => " + String(repeating: "[", count: 100_000)
    #expect(Support.bodyError(deepArrays)?.message.hasPrefix("nesting too deep") == true)
  }

  @Test func nilAndArraysCannotBePositionalOrKeys() {
    #expect(Support.bodyError("  alpha nil")?.message == "`nil` cannot be a positional argument")
    #expect(Support.bodyError("  alpha ['a']")?.message.hasPrefix("an array cannot be a positional argument") == true)
    #expect(Support.bodyError("  alpha [1] => 2")?.message.hasPrefix("an array cannot be an attribute name") == true)
    #expect(Support.bodyError("  alpha :h => {[1] => 2}")?.message.hasPrefix("an array cannot be a hash key") == true)
  }

  @Test func firstErrorInSourceOrderIsReported() {
    // The syntax error on line 2 comes before the unterminated string on line 3.
    #expect(Support.bodyError("  alpha :a => foo\n  echo 'never closed")?.line == 2)
  }
}
