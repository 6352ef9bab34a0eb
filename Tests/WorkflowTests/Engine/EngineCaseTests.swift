import OrderedJSON
import Testing

@testable import Workflow

/// The observed cases of spec §7 that the engine's first expressions cover.
@Suite struct EngineObservedCaseTests {
  @Test func t5IfWithTwoChildrenRunsTheSecondAsElse() throws {
    let harness = EngineHarness()
    try harness.run(
      definition("_if :test => '${f:testing} == yes' do\n qareports\n notify_fail\n end"), fields: ["testing": "no"])
    #expect(harness.callNames == ["notify_fail"])

    let positional = EngineHarness()
    try positional.run(
      definition("_if '${f:testing} == yes' do\n p_then\n p_else\n p_ignored\n end"), fields: ["testing": "no"])
    #expect(positional.callNames == ["p_else"])
  }

  @Test func t6EmptyTestMakesTheFirstChildTheCondition() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("get_provides\n_if :test => '${f:__result__}' do\n update_meta\n end\ndone"))
    #expect(harness.callNames == ["get_provides", "update_meta", "done"])
    #expect(process.status == .completed)
  }

  @Test func t7ResultIsRemovedAtDispatchAndErrorStopsTheProcess() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        set 'f:t' => 'x'
        set 'status' => 'SUCCESS'
        alpha :seen => '${__result__}'
        update_meta
        error 'Project meta update failed', :unless => '${__result__}'
        never
        """))
    #expect(harness.callNames == ["alpha", "update_meta"])
    #expect(harness.calls[0].params["seen"] == "SUCCESS")
    #expect(harness.calls[0].fields["t"] == nil)
    #expect(harness.calls[0].fields["__result__"] == nil)
    #expect(process.status == .error)
    #expect(process.errors == ["Project meta update failed"])
  }

  @Test func t18CallingTheProcessOwnNameEndsInAProcessErrorInsteadOfRecursing() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      "Ruote.process_definition 'test_image' do\n sequence do\n echo 'x'\n test_image\n end\nend\n")
    #expect(harness.callNames.isEmpty)
    #expect(process.status == .error)
    #expect(process.errors.first?.contains("subprocess 'test_image' nested") == true)
    #expect(process.errors.first?.contains("participant :ref => 'test_image'") == true)
  }
}

/// Participant and subprocess calls (spec §3.3–§3.5, §6.3).
@Suite struct EngineCallTests {
  @Test func dispatchedWorkitemHasTheShapeParticipantsExpect() throws {
    let harness = EngineHarness()
    try harness.run(
      "Ruote.process_definition 'BOSS_handle_SR', :revision => '0.2' do\n"
        + "notify_irc :msg => 'hi ${ev.id}', :irc_channel => '${irc.log_channel}', :if => '\"${irc.log_channel}\" != \"\"'\nend\n",
      fields: ["ev": ["id": "12"], "irc": ["log_channel": "#x"], "__result__": true])
    let dispatch = try #require(harness.calls.first)
    #expect(dispatch.participant == "notify_irc")
    #expect(
      JSONValue.object(dispatch.params).serialized()
        == ##"{"msg":"hi 12","irc_channel":"#x","if":"\"#x\" != \"\"","ref":"notify_irc"}"##)
    #expect(dispatch.fields["__result__"] == nil)
    #expect(dispatch.fields["dispatched_at"] == "2026-11-18 11:06:40.000000 UTC")
  }

  @Test func stringVariableIsAnAliasForTheParticipantName() throws {
    let harness = EngineHarness()
    try harness.run(definition("set 'v:check' => 'check_a'\ncheck :x => 1"))
    #expect(harness.callNames == ["check_a"])
    #expect(
      JSONValue.object(harness.calls[0].params).serialized() == #"{"ref":"check_a","original_ref":"check","x":1}"#)
  }

  @Test func subprocessSeesItsAttributesAndItsCallersVariables() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        set 'v:outer' => 'O'
        do_work :msg => 'Running ${ev.id}', 'f:marker' => 'set by the call'
        after :seen => '${v:msg}'
        define 'do_work' do
          work :msg => '${v:msg}', :outer => '${v:outer}'
          set 'v:outer' => 'changed inside'
        end
      end
      """, fields: ["ev": ["id": "7"]])
    #expect(harness.callNames == ["work", "after"])
    #expect(harness.calls[0].params["msg"] == "Running 7")
    #expect(harness.calls[0].params["outer"] == "O")
    #expect(harness.calls[0].fields["marker"] == "set by the call")
    // The subprocess's variables are gone when it ends.
    #expect(harness.calls[1].params["seen"] == "")
    #expect(process.status == .completed)
  }

  @Test func participantErrorStopsTheBranchWithItsMessage() throws {
    let harness = EngineHarness()
    harness.participants["step_fails"] = { _, _, _ in throw HarnessError("boom") }
    let process = try harness.run(definition("alpha\nstep_fails\nnever"))
    #expect(harness.callNames == ["alpha", "step_fails"])
    #expect(process.status == .error)
    #expect(process.errors == ["boom"])
  }

  @Test func participantReplyReplacesTheFieldsAndTheProcessEndsWithThem() throws {
    let harness = EngineHarness()
    harness.participants["alpha"] = { fields, _, _ in
      fields["__result__"] = true; fields["done"] = "yes"
    }
    let process = try harness.run(definition("alpha"), fields: ["a": 1])
    #expect(process.status == .completed)
    #expect(process.fields.map { JSONValue.object($0).serialized() } == #"{"a":1,"__result__":true,"done":"yes"}"#)
  }
}

/// set / unset (spec §3.7).
@Suite struct EngineSetTests {
  func finalFields(_ body: String, _ fields: JSONObject = JSONObject()) throws -> JSONObject {
    let harness = EngineHarness()
    return try #require(try harness.run(definition(body), fields: fields).fields)
  }

  @Test func setWritesFieldsVariablesAndResult() throws {
    let fields = try finalFields("set 'v:x' => 'X'\nset 'copy' => '${v:x}'\nset :f => 'debug', :val => 'true'")
    #expect(fields["copy"] == "X")
    #expect(fields["debug"] == "true")
    #expect(fields["__result__"] == "true")
  }

  @Test func rawReferenceCopiesATypedValue() throws {
    let fields = try finalFields("set 'copy' => '$f:stages'\nset 'text' => '${stages}'", ["stages": ["a", "b"]])
    #expect(fields["copy"] == ["a", "b"])
    #expect(fields["text"] == #"["a", "b"]"#)
  }

  @Test func dottedTargetWritesIntoAnExistingContainerElseATopLevelKey() throws {
    let fields = try finalFields("set 'f:h.new' => 1\nset 'nope.x' => 2\nset 'h.missing.x' => 3", ["h": ["k": 0]])
    #expect(fields["h"] == ["k": 0, "new": 1])
    #expect(fields["nope.x"] == 2)
    #expect(fields["h.missing.x"] == 3)
  }

  @Test func unsetRemovesAndPutsTheOldValueInResult() throws {
    let fields = try finalFields("set 'v:x' => 'gone'\nunset 'v:x'\nset 'after' => '[${v:x}]'", [:])
    #expect(fields["after"] == "[]")
    let removed = try finalFields("unset 'status'", ["status": "FAIL"])
    #expect(removed["status"] == nil)
    #expect(removed["__result__"] == "FAIL")
  }
}
