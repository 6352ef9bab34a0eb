import OrderedJSON
import PDef
import Testing
import Workflow

@testable import Storage

@Suite struct StorageCodingTests {
  @Test func flowExpressionRoundTripsEveryField() throws {
    let expression = try sampleExpression()
    let text = StorageCoding.encodeBody(expression).serialized()
    let decoded = try StorageCoding.decodeExpression(id: expression.id, body: StorageCoding.parse(text, "test"))
    #expect(same(decoded, expression))
    #expect(decoded.tree == expression.tree)
    #expect(decoded.parent == expression.parent)
    #expect(decoded.children == expression.children)
    #expect(decoded.status == .failed)
    #expect(decoded.error == "boom")
    #expect(decoded.subprocessDepth == 3)
    #expect(decoded.applied.keys == ["b", "a"])
  }

  @Test func flowExpressionWithoutOptionalsRoundTrips() throws {
    let expression = FlowExpression(id: id(), parent: nil, tree: try sampleTree(), kind: "define", applied: [:])
    let decoded = try StorageCoding.decodeExpression(
      id: expression.id, body: StorageCoding.parse(StorageCoding.encodeBody(expression).serialized(), "test"))
    #expect(decoded.parent == nil)
    #expect(decoded.variables == nil)
    #expect(decoded.error == nil)
    #expect(same(decoded, expression))
  }

  @Test func applyMessageRoundTrips() throws {
    let apply = EngineMessage.apply(
      .init(
        id: id(), parent: id("w1", "0", "p"), tree: try sampleTree(), fields: ["f": "v"], variables: ["x": 1],
        subprocessDepth: 2))
    let decoded = try encodeDecode(apply)
    #expect(same(decoded, apply))
    guard case .apply(let value) = decoded else { Issue.record("not an apply"); return }
    #expect(value.tree == (try sampleTree()))
    #expect(value.subprocessDepth == 2)

    let root = EngineMessage.apply(.init(id: id(), parent: nil, tree: try sampleTree(), fields: [:]))
    #expect(same(try encodeDecode(root), root))
  }

  @Test func replyCancelAndReceiveMessagesRoundTrip() throws {
    let messages: [EngineMessage] = [
      .reply(to: id("w1", "0"), from: id("w1", "0_0"), fields: ["z": 1, "a": [2]]),
      .cancel(id("w2", "0_1", "abc")),
      .cancel(id("w2", "0_2"), .timeout),
      .timer(id("w3", "0_0"), .wait),
      .timer(id("w3", "0_1"), .timeout),
      .command(to: id("w4", "0"), fields: ["__command__": ["break", nil]]),
      .receive(id(), .success(["ok": true])),
      .receive(id(), .failure(ParticipantError("exit 3: no such project"))),
    ]
    for message in messages { #expect(same(try encodeDecode(message), message)) }
    guard let last = messages.last, case .receive(_, .failure(let error)) = try encodeDecode(last) else {
      Issue.record("not a failed receive")
      return
    }
    #expect(error == ParticipantError("exit 3: no such project"))
  }

  @Test func forgottenApplyKeepsItsFlag() throws {
    var apply = EngineMessage.Apply(id: id(), parent: id("w", "0"), tree: try sampleTree(), fields: [:])
    apply.forget = true
    guard case .apply(let decoded) = try encodeDecode(.apply(apply)) else {
      Issue.record("not an apply")
      return
    }
    #expect(decoded.forget)
  }

  @Test func unknownMessageTypeIsReportedByName() throws {
    #expect(throws: StorageDecodingError.self) {
      try StorageCoding.decodeMessage(StorageCoding.parse(#"{"type":"teleport"}"#, "test"))
    }
  }

  @Test func idsAreWrittenAsStorageIDsAndTheOlderObjectFormIsStillRead() throws {
    let written = StorageCoding.encode(.cancel(FlowExpressionID(wfid: "w1", expid: "0_1", subid: "ab"), .kill))
    #expect(written["id"] == .string("0_1!ab!w1"))
    let older = #"{"type":"cancel","id":{"wfid":"w1","expid":"0_1","subid":"ab"},"flavour":"kill"}"#
    guard case .cancel(let id, .kill) = try StorageCoding.decodeMessage(StorageCoding.parse(older, "test")) else {
      Issue.record("not a kill")
      return
    }
    #expect(id == FlowExpressionID(wfid: "w1", expid: "0_1", subid: "ab"))
  }

  @Test func aMalformedStorageIDIsReported() throws {
    for bad in [#""0_1!ab""#, #""!ab!w1""#, "42"] {
      #expect(throws: StorageDecodingError.self) {
        try StorageCoding.decodeMessage(StorageCoding.parse(#"{"type":"cancel","id":\#(bad)}"#, "test"))
      }
    }
  }

  @Test func aNodeOfTheProcessTreeIsNamedNotCopiedAndReadBack() throws {
    let process = try sampleTree()
    let sequence = process.children[2]
    var expression = FlowExpression(
      id: FlowExpressionID(wfid: "w1", expid: "0_2", subid: "s"), parent: nil, tree: sequence, kind: "sequence",
      applied: [:])
    let body = StorageCoding.encodeBody(expression, processTree: process)
    #expect(body["tree_at"] == "0_2")
    #expect(body["tree"] == nil)
    let decoded = try StorageCoding.decodeExpression(
      id: expression.id, body: StorageCoding.parse(body.serialized(), "test"),
      processTree: { $0 == "w1" ? process : nil })
    #expect(decoded.tree == sequence)

    // A tree that is not the process's node at that expid (an applied or rewritten one) is kept in full.
    expression.tree = process.children[0]
    let full = StorageCoding.encodeBody(expression, processTree: process)
    #expect(full["tree_at"] == nil)
    #expect(full["tree"] == expression.tree.toJSON())

    let apply = EngineMessage.apply(
      .init(id: FlowExpressionID(wfid: "w1", expid: "0", subid: "s"), parent: nil, tree: process, fields: [:]))
    let message = StorageCoding.encode(apply, processTree: process)
    #expect(message["tree_at"] == "0")
    guard case .apply(let read) = try StorageCoding.decodeMessage(message, processTree: { _ in process }) else {
      Issue.record("not an apply")
      return
    }
    #expect(read.tree == process)
  }

  @Test func aNamedNodeThatIsMissingIsReportedNotGuessed() throws {
    let body: JSONValue = [
      "parent": nil, "kind": "sequence", "status": "active", "tree_at": "0_9", "applied": [:], "variables": nil,
      "children": [], "state": [:], "error": nil, "subprocess_depth": 0,
    ]
    let id = FlowExpressionID(wfid: "w1", expid: "0_9", subid: "s")
    do {
      _ = try StorageCoding.decodeExpression(id: id, body: body, processTree: { _ in try? sampleTree() })
      Issue.record("decoded a missing node")
    } catch {
      #expect(error.message == "expression 0_9!s!w1 tree: the tree of process w1 has no node 0_9")
    }
    do {
      _ = try StorageCoding.decodeExpression(id: id, body: body)
      Issue.record("decoded without the process tree")
    } catch {
      #expect(error.message.contains("whose tree is not stored"))
    }
  }

  @Test(arguments: [("0", "define"), ("0_0", "alpha"), ("0_2_0", "bravo")])
  func expidsNameTreeNodes(expid: String, name: String) throws {
    #expect(try sampleTree().node(atExpid: expid)?.name == name)
  }

  @Test(arguments: ["1", "0_3", "0_-1", "0__1", "", "0_x"])
  func expidsOutsideTheTreeNameNothing(expid: String) throws {
    #expect(try sampleTree().node(atExpid: expid) == nil)
  }

  @Test func aParticipantErrorKeepsItsClassTraceDetailsAndFields() throws {
    let error = ParticipantError(
      "no access", errorClass: "Ruote::Amqp::RemoteError", trace: ["a.py:1"], details: "participant /p replied...",
      fields: ["tried": true])
    guard case .receive(_, .failure(let read)) = try encodeDecode(.receive(id(), .failure(error))) else {
      Issue.record("not a failed receive")
      return
    }
    #expect(read == error)
  }
}
