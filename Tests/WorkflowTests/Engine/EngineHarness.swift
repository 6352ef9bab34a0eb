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

  /// Launches the definition and answers participants until nothing moves.
  @discardableResult
  func run(_ text: String, fields: JSONObject = JSONObject()) throws -> ProcessRecord {
    let tree = try PDefParser.parse(text, file: "test.pdef")
    let wfid = try engine.launch(tree, fields: fields)
    var recorded = Set<String>()
    var answers: [String: Int] = [:]
    var answered = Set<String>()
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
        // Nothing to answer: time passes until the next timer, if any.
        guard let due = store.nextTimerDue else { break }
        clock.now = max(clock.now, due)
        continue
      }
      answered.insert(dispatch.expression.description)
      let fields = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
      let params = fields["params"]?.objectValue ?? JSONObject()
      var reply = fields
      do {
        answers[dispatch.participant, default: 0] += 1
        let number = answers[dispatch.participant] ?? 1
        try participants[dispatch.participant]?(&reply, params, number)
        engine.receive(dispatch.expression, .success(reply))
      } catch {
        engine.receive(dispatch.expression, .failure(ParticipantError("\(error)")))
      }
    }
    guard let process = store.process(wfid) else { throw HarnessError("no process \(wfid)") }
    return process
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
