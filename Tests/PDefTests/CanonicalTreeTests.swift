import OrderedJSON
import PDef
import Testing

/// The exact ruote tree for the forms the BOSS definitions use (spec §1.3, §2.1, §7).
@Suite struct CanonicalTreeTests {
  @Test func waitDurationIsAPositionalKey() throws {
    #expect(try Support.bodyJSON("  wait '1m'") == #"[["wait",{"1m":null},[]]]"#)
  }

  @Test func participantRefKeepsTheSubstitutionText() throws {
    #expect(try Support.bodyJSON("  participant :ref => '${v:check}'") == #"[["participant",{"ref":"${v:check}"},[]]]"#)
  }

  @Test func setShorthandWithEmptyArray() throws {
    #expect(try Support.bodyJSON("  set 'v:sourceprojects' => []") == #"[["set",{"v:sourceprojects":[]},[]]]"#)
  }

  @Test func flankIsABoolean() throws {
    #expect(try Support.bodyJSON("  do_log_error :flank => true") == #"[["do_log_error",{"flank":true},[]]]"#)
  }

  @Test func positionalTextComesFirstThenPairs() throws {
    #expect(
      try Support.bodyJSON("  error 'Project meta update failed', :unless => '${__result__}'")
        == #"[["error",{"Project meta update failed":null,"unless":"${__result__}"},[]]]"#)
    #expect(
      try Support.bodyJSON("  inc 'v:sourceprojects', :val => '${v:action.sourceproject}'")
        == #"[["inc",{"v:sourceprojects":null,"val":"${v:action.sourceproject}"},[]]]"#)
    #expect(
      try Support.bodyJSON("  ref 'built_${project}', :debug_dump => 'TRUE'")
        == #"[["ref",{"built_${project}":null,"debug_dump":"TRUE"},[]]]"#)
  }

  @Test func ifWithPositionalTestAndBlock() throws {
    #expect(
      try Support.bodyJSON("  _if '${f:status} != SUCCESS' do\n    notify\n  end")
        == #"[["if",{"${f:status} != SUCCESS":null},[["notify",{},[]]]]]"#)
  }

  @Test func listenToErrorsSymbolIsAString() throws {
    #expect(try Support.bodyJSON("  listen :to => :errors") == #"[["listen",{"to":"errors"},[]]]"#)
  }

  @Test func forgottenTaggedSequence() throws {
    #expect(
      try Support.bodyJSON(
        "  sequence :forget => true, :tag => 'remove_build_trial_thread' do\n    remove_build_trial\n  end")
        == #"[["sequence",{"forget":true,"tag":"remove_build_trial_thread"},[["remove_build_trial",{},[]]]]]"#)
  }

  @Test func setWithFieldAndValueAttributes() throws {
    #expect(
      try Support.bodyJSON("  set :f => 'debug_dump', :value => 'true'")
        == #"[["set",{"f":"debug_dump","value":"true"},[]]]"#)
  }

  @Test func pollingRepeatFromSpecT3() throws {
    let body = """
        repeat :timeout => '5s', :on_timeout => 'error' do
          is_repo_published :project => '${ev.project}'
          _break :if => '${f:__result__}'
          wait '0.2s'
        end
        after
      """
    #expect(
      try Support.bodyJSON(body)
        == #"[["repeat",{"timeout":"5s","on_timeout":"error"},[["is_repo_published",{"project":"${ev.project}"},[]],"#
        + #"["break",{"if":"${f:__result__}"},[]],["wait",{"0.2s":null},[]]]],["after",{},[]]]"#)
  }

  @Test func iteratorWithSentinelFromSpecT4() throws {
    let text = """
      Ruote.process_definition 'T4' do
        iterator :on_field => 'prechecks', :to => 'v:check' do
          sequence do
            _break :if => '"${v:check}" == ""'
            participant :ref => '${v:check}'
            _if :test => '${__result__} != true' do set 'status' => 'FAIL' end
          end
        end
        report :check => '${v:check}', :ii => '${v:ii}', :status => '${status}'
      end
      """
    let expected =
      #"["define",{"T4":null},[["iterator",{"on_field":"prechecks","to":"v:check"},[["sequence",{},["#
      + #"["break",{"if":"\"${v:check}\" == \"\""},[]],["participant",{"ref":"${v:check}"},[]],"#
      + #"["if",{"test":"${__result__} != true"},[["set",{"status":"FAIL"},[]]]]]]]],"#
      + #"["report",{"check":"${v:check}","ii":"${v:ii}","status":"${status}"},[]]]]"#
    #expect(try Support.parse(text).toJSON().serialized() == expected)
  }

  @Test func obsPluginOneLiner() throws {
    let root = try Support.parse("Ruote.process_definition :name => 'OBS Raw Event' do obs_event end")
    #expect(root.toJSON().serialized() == #"["define",{"name":"OBS Raw Event"},[["obs_event",{},[]]]]"#)
  }

  @Test func definesAfterTheBodyStayAfterIt() throws {
    let root = try Support.parse(
      "Ruote.process_definition 'p' do\n  sequence do\n    do_x\n  end\n  define 'do_x' do\n    alpha\n  end\nend")
    #expect(root.children.map(\.name) == ["sequence", "define"])
  }
}
