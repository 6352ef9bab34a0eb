import OrderedJSON
import PDef
import Testing

/// Every syntax form of the DSL subset (spec §2.1) and the tree it gives.
@Suite struct SyntaxTests {
  @Test func rootPositionalNameIsAKeyWithNullValueAndTheRootIsNamedDefine() throws {
    let root = try Support.parse("Ruote.process_definition 'BOSS_handle_SR', :revision => '0.2' do\nend\n")
    #expect(root.toJSON().serialized() == #"["define",{"BOSS_handle_SR":null,"revision":"0.2"},[]]"#)
  }

  @Test func rootNameCanBeGivenAsAttribute() throws {
    let root = try Support.parse("Ruote.process_definition :name => 'x', :revision => '1' do\n  alpha\nend")
    #expect(root.toJSON().serialized() == #"["define",{"name":"x","revision":"1"},[["alpha",{},[]]]]"#)
    #expect(root.definedName == "x")
  }

  @Test func rootAliasesAllBecomeDefine() throws {
    for opening in ["Ruote.define 'p'", "Ruote.workflow_definition 'p'", "Ruote::process_definition 'p'"] {
      let root = try Support.parse("\(opening) do\n  alpha\nend")
      #expect(root.toJSON().serialized() == #"["define",{"p":null},[["alpha",{},[]]]]"#)
    }
  }

  @Test func rootWithParenthesesAndBraceBlocks() throws {
    let root = try Support.parse("Ruote.process_definition('p') { sequence { alpha; bravo } }")
    #expect(
      root.toJSON().serialized()
        == #"["define",{"p":null},[["sequence",{},[["alpha",{},[]],["bravo",{},[]]]]]]"#)
  }

  @Test func rootWithoutBlockHasNoChildren() throws {
    #expect(try Support.parse("Ruote.process_definition 'p'").toJSON().serialized() == #"["define",{"p":null},[]]"#)
  }

  @Test func callsWithAndWithoutParenthesesGiveTheSameNode() throws {
    let bare = try Support.bodyJSON("  alpha 'x', :a => 1, 'b' => 'two'")
    let parenthesised = try Support.bodyJSON("  alpha('x', :a => 1, 'b' => 'two')")
    #expect(bare == #"[["alpha",{"x":null,"a":1,"b":"two"},[]]]"#)
    #expect(parenthesised == bare)
  }

  @Test func attributesKeepSourceOrder() throws {
    #expect(
      try Support.bodyJSON("  alpha :zeta => 1, :alpha => 2, :mid => 3")
        == #"[["alpha",{"zeta":1,"alpha":2,"mid":3},[]]]"#)
  }

  @Test func repeatedKeyKeepsFirstPositionAndLastValueLikeARubyHash() throws {
    #expect(try Support.bodyJSON("  alpha :a => 1, :b => 2, :a => 3") == #"[["alpha",{"a":3,"b":2},[]]]"#)
  }

  @Test func ruby19LabelsAreKeys() throws {
    #expect(
      try Support.bodyJSON("  alpha ref: 'x', 'quoted key': 1, \"dq\": true")
        == #"[["alpha",{"ref":"x","quoted key":1,"dq":true},[]]]"#)
  }

  @Test func argumentsContinueOnTheNextLineAfterATrailingComma() throws {
    let body = """
        notify :template => 'review',
          :subject => 'SR#${ev.id}',

          :mail_to => '$f:mail_to'
      """
    #expect(
      try Support.bodyJSON(body)
        == #"[["notify",{"template":"review","subject":"SR#${ev.id}","mail_to":"$f:mail_to"},[]]]"#)
  }

  @Test func stringsJoinedWithPlusAcrossLinesAreOneString() throws {
    let body = """
        change_request_state :comment => "Please review" +
          ' the SR' +
          " now", :action => 'add review'
      """
    #expect(
      try Support.bodyJSON(body)
        == #"[["change_request_state",{"comment":"Please review the SR now","action":"add review"},[]]]"#)
  }

  @Test func adjacentStringLiteralsAreOneString() throws {
    #expect(try Support.bodyJSON("  echo 'a' \"b\" 'c'") == #"[["echo",{"abc":null},[]]]"#)
  }

  @Test func plusAddsNumbersAndJoinsArrays() throws {
    #expect(
      try Support.bodyJSON("  x :n => 1 + 2 - 4, :a => ['a'] + ['b'], :f => 1 + 0.5")
        == #"[["x",{"n":-1,"a":["a","b"],"f":1.5},[]]]"#)
  }

  @Test func arraysAndHashesKeepTheirTypes() throws {
    #expect(
      try Support.bodyJSON("  x :list => ['a', 1, 2.5, nil, true, false, []], :h => {'k' => 'v', :s => :t, n: {}}")
        == #"[["x",{"list":["a",1,2.5,null,true,false,[]],"h":{"k":"v","s":"t","n":{}}},[]]]"#)
  }

  @Test func arraysAndHashesMaySpanLinesWithTrailingCommas() throws {
    let body = """
        bugzilla :trigger_words => [
          "Fixes",
          "fixes",
        ], :map => {
          'a' => 1,
        }
      """
    #expect(try Support.bodyJSON(body) == #"[["bugzilla",{"trigger_words":["Fixes","fixes"],"map":{"a":1}},[]]]"#)
  }

  @Test func numbersInEveryRubyNotation() throws {
    #expect(
      try Support.bodyJSON("  x :a => 1_000, :b => 0x1F, :c => 010, :d => -3, :e => 1.5e3, :f => -0.25, :g => 0b101")
        == #"[["x",{"a":1000,"b":31,"c":8,"d":-3,"e":1500.0,"f":-0.25,"g":5},[]]]"#)
  }

  @Test func symbolsBecomeStringsEverywhere() throws {
    #expect(
      try Support.bodyJSON(#"  listen :to => :errors, :"quoted sym" => [:a, :'b c'], :flag? => 1"#)
        == #"[["listen",{"to":"errors","quoted sym":["a","b c"],"flag?":1},[]]]"#)
  }

  @Test func positionalSymbolsAndNumbersBecomeKeys() throws {
    #expect(
      try Support.bodyJSON("  echo :x\n  wait 5\n  wait 2.5")
        == #"[["echo",{"x":null},[]],["wait",{"5":null},[]],["wait",{"2.5":null},[]]]"#)
  }

  @Test func positionalHashLiteralMergesIntoTheAttributes() throws {
    #expect(try Support.bodyJSON("  x({'a' => 1}, :b => 2)") == #"[["x",{"a":1,"b":2},[]]]"#)
  }

  @Test func commentsAreIgnoredButHashInsideStringsIsKept() throws {
    let body = """
        # a comment line
        alpha :msg => 'SR#1 # not a comment' # trailing comment
        # _else
      """
    #expect(try Support.bodyJSON(body) == #"[["alpha",{"msg":"SR#1 # not a comment"},[]]]"#)
  }

  @Test func semicolonsSeparateStatements() throws {
    #expect(try Support.bodyJSON("  alpha; bravo ;; charly") == #"[["alpha",{},[]],["bravo",{},[]],["charly",{},[]]]"#)
  }

  @Test func oneLineDoEndBlock() throws {
    #expect(
      try Support.bodyJSON("  _if :test => '${__result__} != true' do set 'status' => 'FAIL' end")
        == #"[["if",{"test":"${__result__} != true"},[["set",{"status":"FAIL"},[]]]]]"#)
  }

  @Test func oneLineBlockWithSeveralStatements() throws {
    #expect(
      try Support.bodyJSON("  cursor do alpha; bravo; rewind :if => '${f:again}'; charly end; delta")
        == #"[["cursor",{},[["alpha",{},[]],["bravo",{},[]],["rewind",{"if":"${f:again}"},[]],["charly",{},[]]]],["delta",{},[]]]"#
    )
  }

  @Test func leadingUnderscoresAreDroppedFromNames() throws {
    #expect(
      try Support.bodyJSON("  _if 'x' do\n    _break\n  end\n  __sleep '1s'\n  _system")
        == #"[["if",{"x":null},[["break",{},[]]]],["sleep",{"1s":null},[]],["system",{},[]]]"#)
  }

  @Test func comparisonOfTwoLiteralsIsEvaluatedAtParseTimeLikeRuby() throws {
    // boss-launcher-webhook VCSCOMMIT_BUILD: the condition is outside the quotes.
    #expect(
      try Support.bodyJSON(#"  trigger_service :if => '${f:service_state}' != "running""#)
        == #"[["trigger_service",{"if":true},[]]]"#)
    #expect(
      try Support.bodyJSON(#"  x :a => 'a' == "a", :b => 1 == 1.0, :c => :a == 'a', :d => 'x' + 'y' != 'xy'"#)
        == #"[["x",{"a":true,"b":true,"c":false,"d":false},[]]]"#)
  }

  @Test func nestedDefineIsAnOrdinaryNodeAndIsNotHoisted() throws {
    let body = """
        do_log :msg => 'hi'
        define 'do_log' do
          echo '${v:msg}'
        end
      """
    #expect(
      try Support.bodyJSON(body)
        == #"[["do_log",{"msg":"hi"},[]],["define",{"do_log":null},[["echo",{"${v:msg}":null},[]]]]]"#)
  }

  @Test func blockCommentsAndTheEndMarkerAreSkipped() throws {
    let text =
      "Ruote.process_definition 'p' do\n=begin\nalpha 'never'\n=end\n  bravo\nend\n__END__\nanything ' at all\n"
    #expect(try Support.parse(text).toJSON().serialized() == #"["define",{"p":null},[["bravo",{},[]]]]"#)
  }

  @Test func backslashContinuesALine() throws {
    #expect(try Support.bodyJSON("  alpha \\\n    :a => 1") == #"[["alpha",{"a":1},[]]]"#)
  }

  @Test func regularExpressionLiteralIsKeptAsItsText() throws {
    #expect(
      try Support.bodyJSON("  on_error /time.*out/i => 'do_log_timeout'")
        == #"[["on_error",{"/time.*out/i":"do_log_timeout"},[]]]"#)
  }

  @Test func capitalisedNameWithArgumentsIsACall() throws {
    #expect(try Support.bodyJSON("  Notify :x => 1") == #"[["Notify",{"x":1},[]]]"#)
  }

  @Test func byteOrderMarkAndWindowsLineEndingsAreAccepted() throws {
    let text = "\u{FEFF}Ruote.process_definition 'p' do\r\n  alpha :a => 'b'\r\nend\r\n"
    #expect(try Support.parse(text).toJSON().serialized() == #"["define",{"p":null},[["alpha",{"a":"b"},[]]]]"#)
  }

  @Test func parenthesisedExpressionIsAValue() throws {
    #expect(try Support.bodyJSON("  x :a => ('p' +\n 'q'), :b => (1)") == #"[["x",{"a":"pq","b":1},[]]]"#)
  }

  @Test func nodesRememberWhereTheirNameIs() throws {
    let root = try Support.parse("Ruote.process_definition 'p' do\n  sequence do\n    alpha; bravo\n  end\nend")
    #expect(root.location == SourceLocation(line: 1, column: 1))
    #expect(root.children[0].location == SourceLocation(line: 2, column: 3))
    #expect(
      root.children[0].children.map(\.location) == [
        SourceLocation(line: 3, column: 5), SourceLocation(line: 3, column: 12),
      ])
  }

  @Test func columnsCountCharactersNotBytes() throws {
    let root = try Support.parse("Ruote.process_definition 'p' do\n  echo 'é'; alpha\nend")
    #expect(root.children[1].location == SourceLocation(line: 2, column: 13))
  }
}
