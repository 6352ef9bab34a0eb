import OrderedJSON
import Testing

@testable import Workflow

/// cursor, repeat, commands and iterator (spec §3.14, §3.15, T1, T2, T4).
@Suite struct EngineLoopTests {
  @Test func t1CursorRewindRestartsFromTheFirstChild() throws {
    let harness = EngineHarness()
    harness.participants["bravo"] = { fields, _, call in fields["again"] = .bool(call < 3) }
    let process = try harness.run(
      definition("cursor do\n alpha\n bravo\n rewind :if => '${f:again}'\n charly\nend\ndelta"))
    #expect(harness.callNames == ["alpha", "bravo", "alpha", "bravo", "alpha", "bravo", "charly", "delta"])
    #expect(process.status == .completed)
    #expect(process.fields.map { JSONValue.object($0).serialized() } == #"{"again":false}"#)
  }

  @Test func t2BreakIfIsCheckedBeforeTheFirstChildAndAfterEachOne() throws {
    let harness = EngineHarness()
    harness.participants["alpha"] = { fields, _, _ in fields["status"] = "FAILED" }
    try harness.run(
      definition(
        """
        set 'status' => 'SUCCESS'
        cursor :break_if => '${f:status} != SUCCESS' do
          alpha
          bravo
        end
        cursor :break_if => '${f:status} != SUCCESS' do
          charly
        end
        delta
        """))
    #expect(harness.callNames == ["alpha", "delta"])
  }

  @Test func t4IteratorWithSentinelNestedBreakAndVariablesThatOutliveTheLoop() throws {
    let harness = EngineHarness()
    harness.participants["check_a"] = { fields, _, _ in fields["__result__"] = true }
    harness.participants["check_b"] = { fields, _, _ in fields["__result__"] = false }
    try harness.run(
      definition(
        """
        iterator :on_field => 'prechecks', :to => 'v:check' do
          sequence do
            _break :if => '"${v:check}" == ""'
            participant :ref => '${v:check}'
            _if :test => '${__result__} != true' do
              set 'status' => 'FAIL'
            end
          end
        end
        report :check => '${v:check}', :ii => '${v:ii}', :status => '${status}'
        """), fields: ["prechecks": ["check_a", "check_b", "", "check_c"], "status": "SUCCESS"])
    #expect(harness.callNames == ["check_a", "check_b", "report"])
    let report = try #require(harness.calls.last)
    #expect(report.params["check"] == "")
    #expect(report.params["ii"] == "2")
    #expect(report.params["status"] == "FAIL")
  }

  @Test func breakInsideASubprocessEndsTheLoopThatCalledIt() throws {
    let harness = EngineHarness()
    harness.participants["poll"] = { fields, _, call in fields["__result__"] = .bool(call == 2) }
    try harness.run(
      """
      Ruote.process_definition 'p' do
        repeat do
          check
        end
        after
        define 'check' do
          poll
          _break :if => '${f:__result__}'
        end
      end
      """)
    #expect(harness.callNames == ["poll", "poll", "after"])
  }

  @Test func commandWithoutAnEnclosingLoopDoesNothing() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("alpha\n_break\nbravo"))
    #expect(harness.callNames == ["alpha", "bravo"])
    #expect(process.fields?["__command__"] == nil)
  }

  @Test func cursorJumpsToANamedChild() throws {
    let harness = EngineHarness()
    try harness.run(definition("cursor do\n alpha\n jump 'to charly'\n bravo\n charly\nend"))
    #expect(harness.callNames == ["alpha", "charly"])
  }

  @Test func iteratorSplitsTextListsAndStopsAtANullElement() throws {
    let harness = EngineHarness()
    try harness.run(
      definition("iterator :on_field => 'list', :to_f => 'item' do\n work :item => '${item}', :i => '${v:ii}'\nend"),
      fields: ["list": "p, q"])
    #expect(harness.calls.map { $0.params["item"] } == ["p", "q"])
    #expect(harness.calls.map { $0.params["i"] } == ["0", "1"])

    let nulls = EngineHarness()
    try nulls.run(
      definition("iterator :on_field => 'list' do\n work :item => '${v:i}'\nend"), fields: ["list": ["a", nil, "b"]])
    #expect(nulls.calls.map { $0.params["item"] } == ["a"])
  }

  @Test func iteratorOverAHashGivesKeyValuePairs() throws {
    let harness = EngineHarness()
    try harness.run(
      definition(
        "iterator :on_field => 'h', :to_v => 'pair' do\n work :key => '${v:pair.0}', :value => '${v:pair.1}'\nend"),
      fields: ["h": ["a": 1, "b": 2]])
    #expect(harness.calls.map { $0.params["key"] } == ["a", "b"])
    #expect(harness.calls.map { $0.params["value"] } == ["1", "2"])
  }
}
