import Foundation
import OrderedJSON
import PDef
import Storage
import Testing
import Workflow

/// Timers, listeners and built-in state survive a restart, and a process
/// waiting on them goes on after reopening.
@Suite struct DurableTimersAndListenersTests {
  let clockStart = Date(timeIntervalSince1970: 1_795_000_000)

  @Test func timersListenersAndBuiltInStateSurviveReopening() throws {
    let path = temporaryDatabasePath()
    let id = FlowExpressionID(wfid: "w", expid: "0_1", subid: "s")
    do {
      let store = try SQLiteEngineStore(path: path)
      store.addTimer(EngineTimer(expression: id, kind: .timeout, due: clockStart))
      store.addTracker(id, key: "built_P")
      store.setBuiltInState("obsticket", ["Chalk:Trunk": ["holder": "w"]])
      try store.flush()
    }
    let reopened = try SQLiteEngineStore(path: path)
    #expect(reopened.nextTimerDue == clockStart)
    #expect(reopened.trackers.all == [id])
    #expect(reopened.trackers.listeners(forKey: "built_P") == [id])
    #expect(reopened.builtInState("obsticket") == ["Chalk:Trunk": ["holder": "w"]])
    reopened.removeTracker(id)
    _ = reopened.takeTimers(dueAt: clockStart)
    reopened.setBuiltInState("obsticket", nil)
    try reopened.flush()
    let again = try SQLiteEngineStore(path: path)
    #expect(again.nextTimerDue == nil)
    #expect(again.trackers.count == 0)
    #expect(again.builtInState("obsticket") == nil)
  }

  @Test func processWaitingOnAListenGoesOnAfterARestart() throws {
    let path = temporaryDatabasePath()
    let waiting = "Ruote.process_definition 'a' do\n listen :to => 'built_P', :upon => 'reply'\n after\nend\n"
    let signal = "Ruote.process_definition 'b' do\n participant :ref => 'built_P'\nend\n"
    var wfid = ""
    do {
      let store = try SQLiteEngineStore(path: path)
      let engine = WorkflowEngine(store: store)
      wfid = try engine.launch(try PDefParser.parse(waiting, file: "a"))
      engine.run()
      try store.flush()
    }
    let store = try SQLiteEngineStore(path: path)
    let engine = WorkflowEngine(store: store)
    #expect(engine.hasListener(for: "built_P"))
    _ = try engine.launch(try PDefParser.parse(signal, file: "b"))
    engine.run()
    let call = try #require(store.dispatches.first { $0.participant == "built_P" })
    engine.receive(call.expression, .success([:]))
    engine.run()
    #expect(store.dispatches.map(\.participant) == ["after"])
    #expect(store.process(wfid)?.status == .running)
  }

  @Test func waitDueDuringTheDowntimeFiresAfterReopening() throws {
    let path = temporaryDatabasePath()
    var now = clockStart
    var wfid = ""
    do {
      let store = try SQLiteEngineStore(path: path)
      let engine = WorkflowEngine(store: store, now: { now })
      wfid = try engine.launch(
        try PDefParser.parse("Ruote.process_definition 'w' do\n wait '10m'\n after\nend\n", file: "w"))
      engine.run()
      try store.flush()
    }
    now = clockStart.addingTimeInterval(3_600)
    let store = try SQLiteEngineStore(path: path)
    let engine = WorkflowEngine(store: store, now: { now })
    engine.run()
    #expect(store.dispatches.map(\.participant) == ["after"])
    #expect(store.process(wfid)?.status == .running)
  }
}
