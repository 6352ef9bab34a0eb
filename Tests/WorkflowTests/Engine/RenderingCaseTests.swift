import OrderedJSON
import Testing

@testable import Workflow

/// T15 and T16 run through the engine: what participants receive.
@Suite struct EngineRenderingCaseTests {
  @Test func t15DollarRenderingAndRawValuesReachParticipants() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition(
        """
        echo 'list=${stages} num=${n} bool=${b} missing=[${nope}] idx=${stages.1} last=${stages.-1}'
        echo 'hash=${h}'
        set 'v:k' => 'n'
        echo '${f:${v:k}} ${vf:n}'
        set 'copy' => '$f:stages'
        set 'str' => '${stages}'
        p1 :mail_to => '$f:emails', :text => '${emails}', :q => '${"n}'
        """), fields: ["stages": ["a", "b"], "h": ["k": 1], "n": 3, "b": true, "emails": ["x@y"]])
    #expect(process.history.contains("echo: list=[\"a\", \"b\"] num=3 bool=true missing=[] idx=b last=b"))
    #expect(process.history.contains("echo: hash={\"k\"=>1}"))
    #expect(process.history.contains("echo: 3 3"))
    let call = try #require(harness.calls.first)
    // T15 lists the params it is about; an implicit call also carries `ref` (spec §3.3, §6.3).
    #expect(
      JSONValue.object(call.params).serialized() == #"{"mail_to":["x@y"],"text":"[\"x@y\"]","q":"\"3\"","ref":"p1"}"#)
    #expect(call.fields["copy"] == ["a", "b"])
    #expect(call.fields["str"] == #"["a", "b"]"#)
  }

  @Test func t16ConditionQuirksDecideWhichParticipantsRun() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        """
        p_qa_vote :if => 'qa-vote in ${stages}'
        p_auto_review :if => 'auto_review in ${stages}'
        p_missing_unquoted :if => '${missing} != SUCCESS'
        p_missing_quoted :if => '"${missing}" != "SUCCESS"'
        p_words_unquoted :if => '${words} == two words'
        p_words_quoted :if => '"${words}" == "two words"'
        p_number :if => '${n} > 3'
        p_unless_missing :unless => '${missing}'
        p_empty_hash :if => '${sp} == {}'
        """), fields: ["stages": ["auto_review", "qa-vote"], "words": "two words", "n": "5", "sp": [:]])
    #expect(
      harness.callNames == [
        "p_auto_review", "p_missing_quoted", "p_words_quoted", "p_number", "p_unless_missing", "p_empty_hash",
      ])
    #expect(harness.calls.first { $0.participant == "p_number" }?.params["if"] == "5 > 3")
  }
}
