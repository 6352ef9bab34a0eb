import Foundation
import OrderedJSON
import PDef
import Workflow

@testable import Storage

/// A fresh database path in its own temporary directory.
func temporaryDatabasePath() -> String {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "storage-tests-\(UUID().uuidString)", isDirectory: true)
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.appendingPathComponent("engine.sqlite").path
}

func tree(_ dsl: String) throws -> PDefNode {
  try PDefParser.parse(dsl, file: "test.pdef")
}

func id(_ wfid: String = "w1", _ expid: String = "0", _ subid: String = "s0") -> FlowExpressionID {
  FlowExpressionID(wfid: wfid, expid: expid, subid: subid)
}

/// A process tree that exercises attributes, positional keys and nesting.
func sampleTree() throws -> PDefNode {
  try tree("Ruote.process_definition 'p' do\n alpha :x => 1\n wait '1m'\n sequence do\n bravo\n end\n end")
}

/// An expression with every field set away from its default.
func sampleExpression() throws -> FlowExpression {
  var expression = FlowExpression(
    id: id(), parent: id("w1", "0_1", "s9"), tree: try sampleTree(), kind: "sequence",
    applied: ["b": 2, "a": ["nested": [1, 2.5, nil, true]]], variables: ["v": "x"])
  expression.status = .failed
  expression.children = [id("w1", "0_0", "s1"), id("w1", "0_2", "s2")]
  expression.state = ["next": 2]
  expression.error = "boom"
  expression.subprocessDepth = 3
  return expression
}

func encodeDecode(_ message: EngineMessage) throws -> EngineMessage {
  try StorageCoding.decodeMessage(StorageCoding.parse(StorageCoding.encode(message).serialized(), "test"))
}

/// Equality by serialized form (the engine types are not Equatable).
func same(_ a: EngineMessage, _ b: EngineMessage) -> Bool {
  StorageCoding.encode(a).serialized() == StorageCoding.encode(b).serialized()
}

func same(_ a: FlowExpression?, _ b: FlowExpression?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  return a.id == b.id && StorageCoding.encodeBody(a).serialized() == StorageCoding.encodeBody(b).serialized()
}

func same(_ a: ProcessRecord?, _ b: ProcessRecord?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  return a.wfid == b.wfid && a.name == b.name && a.revision == b.revision && a.tree == b.tree && a.status == b.status
    && a.fields == b.fields && a.errors == b.errors && a.history == b.history && a.origin == b.origin
}
