import OrderedJSON
import Testing

@testable import Workflow

/// on_error as attribute and as expression (spec §2.8, §3.18, T10, T11).
@Suite struct EngineErrorHandlingTests {
  @Test func t10OnErrorOnAParticipantRunsTheHandlerInItsPlaceAndTheFlowContinues() throws {
    let harness = EngineHarness()
    harness.participants["trigger_service"] = { _, _, _ in throw HarnessError("no access") }
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        sequence do
          trigger_service :on_error => 'do_service_error'
          after :err => '${__error__.message}'
        end
        define 'do_service_error' do
          notify_irc :msg => 'service error: ${__error__.message}'
        end
      end
      """)
    #expect(harness.callNames == ["trigger_service", "notify_irc", "after"])
    #expect(harness.calls[1].params["msg"] == "service error: no access")
    #expect(harness.calls[2].params["err"] == "no access")
    #expect(process.status == .completed)
    #expect(process.fields?["__error__"]?["message"] == "no access")
    #expect(!process.history.contains { $0.hasPrefix("cancel sent") })
  }

  @Test func t11OnErrorExpressionCancelsTheRestAndTheHandlerTerminates() throws {
    let harness = EngineHarness()
    harness.participants["relay_webhook"] = { _, _, _ in throw HarnessError("relay failed") }
    let process = try harness.run(
      """
      Ruote.process_definition 'p' do
        sequence do
          on_error 'do_log_error'
          handle_webhook
          relay_webhook
          never
        end
        define 'do_log_error' do
          notify_irc :msg => 'ERROR ${__error__.message}'
          terminate
          never2
        end
      end
      """)
    #expect(harness.callNames == ["handle_webhook", "relay_webhook", "notify_irc"])
    #expect(harness.calls[2].params["msg"] == "ERROR relay failed")
    #expect(process.history.contains { $0.hasPrefix("cancel sent to participant relay_webhook") })
    #expect(process.status == .terminated)
    #expect(process.errors.isEmpty)
  }

  @Test func handlerParticipantSeesWhyItWasTriggered() throws {
    let harness = EngineHarness()
    try harness.run(definition("sequence :on_error => 'alert' do\n error 'broken'\nend\nafter"))
    #expect(harness.callNames == ["alert", "after"])
    #expect(JSONValue.object(harness.calls[0].params).serialized() == #"{"_triggered":"on_error","ref":"alert"}"#)
    #expect(harness.calls[0].fields["__error__"]?["class"] == "Ruote::ForcedError")
  }

  @Test func emptyHandlerStopsTheSearchAndTheErrorStalls() throws {
    let harness = EngineHarness()
    let process = try harness.run(
      definition("sequence :on_error => 'outer' do\n sequence :on_error => '' do\n error 'stuck'\n end\nend"))
    #expect(harness.callNames.isEmpty)
    #expect(process.status == .error)
    #expect(process.errors == ["stuck"])
  }

  @Test func passContinuesAfterTheOwner() throws {
    let harness = EngineHarness()
    let process = try harness.run(definition("sequence :on_error => 'pass' do\n error 'ignored'\n never\nend\nafter"))
    #expect(harness.callNames == ["after"])
    #expect(process.status == .completed)
  }
}
