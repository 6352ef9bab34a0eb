import Foundation
import OrderedJSON
import PDef
import Testing
import Workflow

@testable import Storage

/// The engine gives the same result on SQLite, across reopens, as in memory.
@Suite struct EngineOnSQLiteTests {
  static let definition = "Ruote.process_definition 'p' do\n alpha\n echo 'between'\n bravo\n end"

  /// A deterministic engine: fixed clock, counting subids.
  func engine(_ store: EngineStore) -> WorkflowEngine {
    var counter = 0
    return WorkflowEngine(
      store: store, now: { Date(timeIntervalSince1970: 1_700_000_000) },
      newSubid: {
        counter += 1
        return "sub\(counter)"
      })
  }

  /// Answers every waiting dispatch with its participant name appended to `calls`.
  func answer(_ engine: WorkflowEngine) -> [String] {
    let waiting = engine.store.dispatches
    for dispatch in waiting {
      var fields = dispatch.workitem["fields"]?.objectValue ?? [:]
      var calls = fields["calls"]?.arrayValue ?? []
      calls.append(.string(dispatch.participant))
      fields["calls"] = .array(calls)
      engine.receive(dispatch.expression, .success(fields))
    }
    return waiting.map(\.participant)
  }

  @Test func anEngineReopenedBetweenStepsEndsLikeOneInMemory() throws {
    let definition = try tree(Self.definition)

    let memoryEngine = engine(InMemoryEngineStore())
    try memoryEngine.launch(definition, fields: ["start": 1], wfid: "w1")
    var memoryCalls: [String] = []
    while true {
      memoryEngine.run()
      let answered = answer(memoryEngine)
      if answered.isEmpty { break }
      memoryCalls += answered
    }
    let expected = try #require(memoryEngine.store.process("w1"))
    #expect(expected.status == .completed)
    #expect(memoryCalls == ["alpha", "bravo"])

    let path = temporaryDatabasePath()
    var sqliteCalls: [String] = []
    var launched = false
    var subidBase = 0
    for _ in 0..<10 {
      // A fresh store and engine each round, as after a restart.
      let store = try SQLiteEngineStore(path: path)
      var counter = subidBase
      let sqliteEngine = WorkflowEngine(
        store: store, now: { Date(timeIntervalSince1970: 1_700_000_000) },
        newSubid: {
          counter += 1
          return "sub\(counter)"
        })
      if !launched {
        try sqliteEngine.launch(definition, fields: ["start": 1], wfid: "w1")
        launched = true
      }
      sqliteEngine.run()
      let answered = answer(sqliteEngine)
      sqliteCalls += answered
      try store.flush()
      subidBase = counter
      if answered.isEmpty && store.dispatches.isEmpty && store.process("w1")?.status != .running { break }
    }
    let reopened = try SQLiteEngineStore(path: path)
    let actual = try #require(reopened.process("w1"))
    #expect(sqliteCalls == memoryCalls)
    #expect(same(actual, expected))
    #expect(actual.fields?["calls"] == ["alpha", "bravo"])
    #expect(reopened.expressions(of: "w1").isEmpty)
    #expect(reopened.dequeue() == nil)
  }
}
