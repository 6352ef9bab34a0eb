import Foundation
import OrderedJSON
import PDef
import Workflow

/// Runs a definition on the in-memory engine with participants written as
/// Swift closures, recording every call in order, as spec §7 notates them.
final class EngineHarness {
  struct Call: Equatable, CustomStringConvertible {
    let participant: String
    let params: JSONObject
    let fields: JSONObject
    var description: String { participant }
  }

  typealias Participant = (_ fields: inout JSONObject, _ params: JSONObject, _ callNumber: Int) throws -> Void

  let store = InMemoryEngineStore()
  let engine: WorkflowEngine
  private(set) var calls: [Call] = []
  var participants: [String: Participant] = [:]
  /// Participants that never answer (their calls stay pending).
  var silent: Set<String> = []

  /// The engine's clock: it only moves when nothing else can happen, to the next timer.
  final class Clock: @unchecked Sendable {
    var now = Date(timeIntervalSince1970: 1_795_000_000)
  }
  let clock = Clock()

  init() {
    var counter = 0
    let clock = self.clock
    engine = WorkflowEngine(
      store: store, now: { clock.now },
      newSubid: {
        counter += 1
        return String(format: "%032x", counter)
      })
  }

  private var recorded = Set<String>()
  private var answered = Set<String>()
  private var answers: [String: Int] = [:]

  /// Launches the definition and answers participants until nothing moves.
  @discardableResult
  func run(_ text: String, fields: JSONObject = JSONObject()) throws -> ProcessRecord {
    let wfid = try launch(text, fields: fields)
    settle()
    guard let process = store.process(wfid) else { throw HarnessError("no process \(wfid)") }
    return process
  }

  /// Launches a definition without running anything yet.
  func launch(_ text: String, fields: JSONObject = JSONObject()) throws -> String {
    try engine.launch(try PDefParser.parse(text, file: "test.pdef"), fields: fields)
  }

  /// Runs the engine, answering participants (and letting time pass to the
  /// next timer when nothing else can happen) until nothing moves.
  func settle() {
    while true {
      engine.run()
      // Every dispatch counts as a call when it is made, answered or not.
      for dispatch in store.dispatches where recorded.insert(dispatch.expression.description).inserted {
        let fields = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
        calls.append(
          Call(participant: dispatch.participant, params: fields["params"]?.objectValue ?? [:], fields: fields))
      }
      let waiting = store.dispatches.filter {
        !answered.contains($0.expression.description) && !silent.contains($0.participant)
      }
      guard let dispatch = waiting.first else {
        guard let due = store.nextTimerDue else { break }
        clock.now = max(clock.now, due)
        continue
      }
      answered.insert(dispatch.expression.description)
      var reply = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
      let params = reply["params"]?.objectValue ?? JSONObject()
      do {
        answers[dispatch.participant, default: 0] += 1
        try participants[dispatch.participant]?(&reply, params, answers[dispatch.participant] ?? 1)
        engine.receive(dispatch.expression, .success(reply))
      } catch {
        engine.receive(dispatch.expression, .failure(ParticipantError("\(error)")))
      }
    }
  }

  var callNames: [String] { calls.map(\.participant) }
}

struct HarnessError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Wraps a body in a definition: `Ruote.process_definition 'test' do <body> end`.
func definition(_ body: String) -> String {
  "Ruote.process_definition 'test' do\n\(body)\nend\n"
}
