import OrderedJSON
import Testing

@testable import Participants

/// Reply interpretation without any process: outcomes are built by hand.
struct WorkitemReplyTests {
  let path = "/srv/BOSS/participants/check_repo"

  func outcome(_ stdout: String, reason: ParticipantOutcome.Reason = .exited(0), stderr: String = "")
    -> ParticipantOutcome
  {
    ParticipantOutcome(
      executablePath: path, reason: reason, status: .exited(0), processID: 42, stdout: Array(stdout.utf8),
      stdoutTotalBytes: stdout.utf8.count, stderrTail: Array(stderr.utf8), stderrTotalBytes: stderr.utf8.count,
      workitemBytesDelivered: 0, duration: .milliseconds(20), queueWait: .zero)
  }

  let original = JSONObject([("fields", ["ev": ["id": "12"]]), ("fei", ["expid": "0_0_1"])] as [(String, JSONValue)])

  @Test func whitespaceOnlyStdoutMeansUnchanged() throws {
    let reply = try WorkitemReply.interpret(outcome: outcome(" \n\t\r\n"), original: original).get()
    #expect(reply == original)
    #expect(reply.keys == ["fields", "fei"])
  }

  @Test func objectReplyReplacesTheWorkitem() throws {
    let reply = try WorkitemReply.interpret(
      outcome: outcome(#"{"fields":{"__result__":true},"fei":{"expid":"0_0_1"}}"#), original: original
    ).get()
    #expect(reply["fields"]?["__result__"] == true)
  }

  @Test func replyKeepsTheOrderOfItsKeys() throws {
    let reply = try WorkitemReply.interpret(
      outcome: outcome(#"{"fields":{"z":1,"a":2,"m":{"y":true,"b":null}},"fei":{"expid":"0_0_1"},"a_last":0}"#),
      original: original
    ).get()
    #expect(reply.keys == ["fields", "fei", "a_last"])
    let fields = try #require(reply["fields"]?.objectValue)
    #expect(fields.keys == ["z", "a", "m"])
    #expect(fields["m"]?.objectValue?.keys == ["y", "b"])
    #expect(
      JSONValue.object(reply).serialized()
        == #"{"fields":{"z":1,"a":2,"m":{"y":true,"b":null}},"fei":{"expid":"0_0_1"},"a_last":0}"#)
  }

  @Test func errorObjectIsShownInTheOrderItWasWritten() throws {
    let failure = try #require(
      WorkitemReply.interpret(outcome: outcome(#"{"fields":{},"error":{"z":7,"a":"x"}}"#), original: original).failure)
    #expect(failure.message == "participant \(path) replied with error: {\"z\":7,\"a\":\"x\"}")
  }

  @Test func nullErrorIsNoError() throws {
    _ = try WorkitemReply.interpret(outcome: outcome(#"{"fields":{},"error":null}"#), original: original).get()
  }

  @Test func errorOfAnotherTypeIsShownAsJSON() throws {
    let failure = try #require(
      WorkitemReply.interpret(outcome: outcome(#"{"fields":{},"error":{"code":7}}"#), original: original).failure)
    #expect(failure.message == "participant \(path) replied with error: {\"code\":7}")
  }

  @Test func invalidJSONNamesTheErrorAndShowsTheStart() throws {
    let text = "Traceback (most recent call last):\n" + String(repeating: "  File x.py\n", count: 40)
    let failure = try #require(WorkitemReply.interpret(outcome: outcome(text), original: original).failure)
    #expect(failure.kind == .invalidReply)
    #expect(failure.message.hasPrefix("participant \(path) wrote a reply that is not valid JSON ("))
    #expect(failure.message.contains(#"it starts with: "Traceback (most recent call last):\n  File x.py\n"#))
    #expect(failure.message.hasSuffix("(\(text.utf8.count) bytes in all)"))
    #expect(!failure.message.contains(String(repeating: "  File x.py\\n", count: 20)))
  }

  @Test func replyThatIsNotAnObjectIsInvalid() throws {
    let failure = try #require(WorkitemReply.interpret(outcome: outcome("[1, 2]"), original: original).failure)
    #expect(failure.message.hasPrefix("participant \(path) replied with a JSON array; the reply must be"))
  }

  @Test func replyWithoutFieldsIsInvalid() throws {
    let failure = try #require(
      WorkitemReply.interpret(outcome: outcome(#"{"result": true}"#), original: original).failure)
    #expect(failure.kind == .invalidReply)
    #expect(failure.message.contains("without a \"fields\" object"))
  }

  @Test func nonZeroExitWinsOverTheReplyButKeepsItsErrorMessage() throws {
    let failure = try #require(
      WorkitemReply.interpret(
        outcome: outcome(#"{"fields":{},"error":"no such project"}"#, reason: .exited(1), stderr: "warn\nfatal\n"),
        original: original
      ).failure)
    #expect(failure.kind == .nonZeroExit)
    #expect(failure.message == "participant \(path) exited with status 1: no such project")
    #expect(failure.stderrLines == ["warn", "fatal"])
    #expect(failure.description == failure.message + "\nlast lines of stderr:\n  warn\n  fatal")
  }

  @Test func nonZeroExitWithAnEmptyReplyIsStillAFailure() throws {
    let failure = try #require(
      WorkitemReply.interpret(outcome: outcome("", reason: .exited(2)), original: original).failure)
    #expect(failure.message == "participant \(path) exited with status 2")
  }
}

@Suite struct WorkitemReplyNoErrorTests {
  @Test(arguments: [#"{"fields":{},"error":false}"#, #"{"fields":{},"error":""}"#])
  func falseOrEmptyErrorIsNoError(reply: String) throws {
    let outcome = ParticipantOutcome(
      executablePath: "/p", reason: .exited(0), status: .exited(0), processID: 1, stdout: Array(reply.utf8),
      stdoutTotalBytes: reply.utf8.count, stderrTail: [], stderrTotalBytes: 0, workitemBytesDelivered: 0,
      duration: .milliseconds(1), queueWait: .zero)
    #expect(throws: Never.self) { _ = try WorkitemReply.interpret(outcome: outcome, original: ["fields": [:]]).get() }
  }
}
