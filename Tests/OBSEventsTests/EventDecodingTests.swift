import OBSEvents
import OrderedJSON
import Testing

@Suite struct EventDecodingTests {
  let decoder = EventDecoder(bus: MessageBusAdapter(clock: { 42 }))

  func decode(_ text: String, routingKey: String? = nil) throws -> OBSEvent {
    try decoder.decode(bytes: Array(text.utf8), routingKey: routingKey)
  }

  func decodeError(_ text: String, routingKey: String? = nil) -> EventError? {
    do {
      _ = try decode(text, routingKey: routingKey)
      return nil
    } catch {
      return error as? EventError
    }
  }

  @Test(arguments: [#""2""#, "2", "2.0", #"" 2 ""#])
  func formatTwoIsReadAsAStringOrANumber(format: String) throws {
    let event = try decode(#"{"format": \#(format), "label": "REPO_PUBLISHED", "project": "A"}"#)
    #expect(event.format == 2)
  }

  @Test func formatThreeIsRefusedWithAnExplanation() {
    let error = decodeError(#"{"format": "3", "_amqp": {"label": "REPO_PUBLISHED"}}"#)
    #expect(error == .unsupportedFormat("3"))
    #expect(error?.description.contains("format 3") == true)
  }

  @Test func formatTwoWithoutLabelNamesTheMissingKey() {
    #expect(decodeError(#"{"format": "2", "project": "A"}"#) == .missingKey("label", shape: "the format 2 obsEvent"))
  }

  @Test func formatOneWithoutUnderscoreInTypeIsRefused() {
    #expect(decodeError(#"{"type": "REPOPUBLISHED", "project": "A"}"#)?.description.contains("REPOPUBLISHED") == true)
  }

  @Test func workitemCarryingObsEventIsAccepted() throws {
    let event = try decode(
      #"{"fei": {"wfid": "x"}, "participant_name": "obs_event", "fields": {"obsEvent": {"format": "2", "label": "SRCSRV_COMMIT", "project": "A"}, "params": {}}}"#
    )
    #expect(event.shape == .workitem)
    #expect(event.label.name == "SRCSRV_COMMIT")
  }

  @Test func launchItemWithoutObsEventSaysThereIsNoEvent() {
    #expect(decodeError(#"{"definition": "x", "fields": {}}"#) == .noEvent(shape: "the launch item"))
    #expect(decodeError(#"{"definition": "x", "fields": {"obsEvent": {}}}"#) == .noEvent(shape: "the launch item"))
  }

  @Test func nonObjectsAndNonJSONAreRejectedWithTheReason() {
    #expect(decodeError("[1]") == .notAnObject(foundType: "array"))
    #expect(decodeError("{\"a\":") != nil)
    #expect(decodeError("{\"a\":")?.description.contains("not valid JSON") == true)
  }

  @Test func eventsOverTheSizeLimitAreRefusedWithBothSizes() {
    let small = EventDecoder(maximumSize: 10)
    #expect(throws: EventError.tooLarge(size: 30, limit: 10)) {
      _ = try small.decode(bytes: Array(#"{"project": "A", "x": "xxxxx"}"#.utf8))
    }
    #expect(EventError.tooLarge(size: 12_300_000, limit: 10_000_000).description.contains("12.3 MB"))
  }

  @Test func invalidLabelIsRejectedNamingTheRule() {
    let error = decodeError(#"{"format": "2", "label": "../../etc", "project": "A"}"#)
    #expect(error?.description.contains("\"../../etc\"") == true)
    #expect(error?.description.contains("^[A-Z][A-Z0-9_]*$") == true)
  }

  @Test func busBodyWithRoutingKeyBesideIt() throws {
    let event = try decode(#"{"project": "P", "repo": "r"}"#, routingKey: "opensuse.obs.repo.published")
    #expect(event.label.name == "REPO_PUBLISHED")
    #expect(event.fields["time"] == 42)
  }

  @Test func busMetricsAreNotEvents() {
    #expect(
      decodeError("weight=1 x", routingKey: "opensuse.obs.metrics")
        == .notAnEvent("message-bus metrics line (opensuse.obs.metrics)"))
  }

  @Test func reviewsDoneBecomesAStateChangeToNew() throws {
    let event = try decode(
      #"{"number": 7, "id": 99, "state": "review", "actions": []}"#, routingKey: "opensuse.obs.request.reviews_done")
    #expect(event.label.name == "SRCSRV_REQUEST_STATECHANGE")
    #expect(event.fields["state"] == "new")
    #expect(event.fields["oldstate"] == "review")
    #expect(event.fields["id"] == 7)
  }

  @Test func unknownBusEventsPassThroughUnderADerivedLabel() throws {
    #expect(
      try decode(#"{"number": 1}"#, routingKey: "opensuse.obs.request.review_wanted").label.name
        == "SRCSRV_REQUEST_REVIEW_WANTED")
    #expect(
      try decode(#"{"project": "A"}"#, routingKey: "opensuse.obs.repo.build_started").label.name == "REPO_BUILD_STARTED"
    )
    let strict = EventDecoder(bus: MessageBusAdapter(passThroughUnknown: false))
    #expect(throws: EventError.self) { _ = try strict.decode(bytes: Array("{}".utf8), routingKey: "x.request.comment") }
  }

  @Test func busRequestWithOnlyANumberGetsItAsId() throws {
    let event = try decode(
      #"{"number": 1236587, "actions": [{"targetproject": "shells"}]}"#, routingKey: "opensuse.obs.request.create")
    #expect(event.fields["id"] == 1_236_587)
    #expect(event.fields["db_id"] == nil)
    #expect(event.requestID == "1236587")
  }

  @Test func storedBusMessageWhoseBodyIsNotAnObjectIsAnError() {
    let error = decodeError(#"{"routing_key": "opensuse.obs.repo.published", "body": [1]}"#)
    #expect(error == .invalidKey("body of opensuse.obs.repo.published", value: "an array", expected: "a JSON object"))
  }

  @Test func routingKeyBesideADocumentThatNamesItsShapeIsIgnored() throws {
    let launchItem =
      #"{"definition": "x", "fields": {"obsEvent": {"format": "2", "label": "SRCSRV_COMMIT", "project": "A"}}}"#
    #expect(try decode(launchItem, routingKey: "opensuse.obs.repo.published").label.name == "SRCSRV_COMMIT")
  }

  @Test func routingKeyWithoutObjectAndVerbIsRejected() {
    #expect(decodeError("{}", routingKey: "nonsense") == .unknownRoutingKey("nonsense"))
  }

  @Test func storedBusMessageWithoutBodyNamesIt() {
    #expect(
      decodeError(#"{"routing_key": "opensuse.obs.repo.published"}"#)
        == .missingKey("body", shape: "message-bus message"))
  }
}
