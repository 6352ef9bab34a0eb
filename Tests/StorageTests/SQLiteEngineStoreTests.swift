import Foundation
import GRDB
import OrderedJSON
import PDef
import Testing
import Workflow

@testable import Storage

@Suite struct SQLiteEngineStoreTests {
  @Test func reopenAfterFlushRestoresExpressionsQueueProcessesAndDispatches() throws {
    let path = temporaryDatabasePath()
    let expression = try sampleExpression()
    let messages: [EngineMessage] = [
      .cancel(id("w1", "0_0")), .receive(id(), .success(["n": 1])),
      .reply(to: id(), from: id("w1", "0_1"), fields: [:]),
    ]
    var record = ProcessRecord(wfid: "w1", name: "p", revision: "3", tree: try sampleTree(), status: .error)
    record.fields = ["done": false]
    record.errors = ["boom"]
    record.history = ["one", "two"]
    let dispatches = [
      Dispatch(expression: id("w1", "0_2"), participant: "bravo", workitem: ["fields": ["a": 1]]),
      Dispatch(expression: id("w1", "0_0"), participant: "alpha", workitem: ["fields": [:]]),
    ]
    do {
      let store = try SQLiteEngineStore(path: path)
      store.save(expression)
      for message in messages { store.enqueue(message) }
      store.save(record)
      for dispatch in dispatches { store.addDispatch(dispatch) }
      #expect(store.hasUnflushedChanges)
      try store.flush()
      #expect(!store.hasUnflushedChanges)
    }
    let reopened = try SQLiteEngineStore(path: path)
    #expect(!reopened.hasUnflushedChanges)
    #expect(same(reopened.expression(expression.id), expression))
    #expect(reopened.expressions(of: "w1").count == 1)
    #expect(same(reopened.process("w1"), record))
    #expect(reopened.dispatches == dispatches)
    for message in messages {
      let next = try #require(reopened.dequeue())
      #expect(same(next, message))
    }
    #expect(reopened.dequeue() == nil)
    #expect(reopened.hasUnflushedChanges)  // the consumed messages are still on disk
  }

  @Test func changesNotFlushedAreAbsentAfterReopen() throws {
    let path = temporaryDatabasePath()
    do {
      let store = try SQLiteEngineStore(path: path)
      store.save(try sampleExpression())
      store.enqueue(.cancel(id("w1", "0_0")))
      store.enqueue(.cancel(id("w1", "0_1")))
      try store.flush()
      // A batch that never reaches flush: the crash loses it whole.
      _ = store.dequeue()
      store.remove(try sampleExpression().id)
      store.enqueue(.cancel(id("w1", "0_9")))
      store.save(ProcessRecord(wfid: "w9", name: "lost", tree: try sampleTree(), status: .running))
      store.addDispatch(Dispatch(expression: id("w9"), participant: "x", workitem: [:]))
    }
    let reopened = try SQLiteEngineStore(path: path)
    #expect(reopened.expression(try sampleExpression().id) != nil)
    #expect(reopened.process("w9") == nil)
    #expect(reopened.dispatches.isEmpty)
    #expect(same(try #require(reopened.dequeue()), .cancel(id("w1", "0_0"))))
    #expect(same(try #require(reopened.dequeue()), .cancel(id("w1", "0_1"))))
    #expect(reopened.dequeue() == nil)
  }

  @Test func consumedMessagesAndRemovedRowsLeaveTheDisk() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    store.save(try sampleExpression())
    store.enqueue(.cancel(id("w1", "0_0")))
    store.enqueue(.cancel(id("w1", "0_1")))
    store.addDispatch(Dispatch(expression: id("w1", "0_3"), participant: "x", workitem: [:]))
    try store.flush()
    _ = store.dequeue()
    store.enqueue(.cancel(id("w1", "0_2")))
    store.remove(try sampleExpression().id)
    _ = store.removeDispatch(id("w1", "0_3"))
    try store.flush()
    let counts = try store.database.read { db in
      try ["expressions", "messages", "dispatches"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") }
    }
    #expect(counts == [0, 2, 0])
    let reopened = try SQLiteEngineStore(path: path)
    #expect(same(try #require(reopened.dequeue()), .cancel(id("w1", "0_1"))))
    #expect(same(try #require(reopened.dequeue()), .cancel(id("w1", "0_2"))))
  }

  @Test func rowsCreatedAndRemovedWithinOneBatchAreNeverWritten() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath())
    store.save(try sampleExpression())
    store.remove(try sampleExpression().id)
    store.enqueue(.cancel(id()))
    _ = store.dequeue()
    store.addDispatch(Dispatch(expression: id(), participant: "x", workitem: [:]))
    _ = store.removeDispatch(id())
    try store.flush()
    #expect(store.lastFlushRowCount == 0)
  }

  @Test func historyIsAppendedAndFinishedProcessesAreReadBackAfterEviction() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    var record = ProcessRecord(wfid: "w1", name: "p", tree: try sampleTree(), status: .running)
    record.history = ["a"]
    record.origin = ["event": 7, "definition": "/srv/BOSS/processes/P/REPO_PUBLISHED.p.pdef", "conf_fields": ["k": 1]]
    store.save(record)
    try store.flush()
    record.history.append("b")
    record.status = .completed
    record.fields = ["r": 1]
    store.save(record)
    try store.flush()
    let lines = try store.database.read { db in
      try String.fetchAll(db, sql: "SELECT line FROM history WHERE wfid = 'w1' ORDER BY line_no")
    }
    #expect(lines == ["a", "b"])
    #expect(same(store.process("w1"), record))
    #expect(same(try SQLiteEngineStore(path: path).process("w1"), record))
  }

  @Test func connectionUsesWALBusyTimeoutAndTheRequestedSynchronous() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath(), synchronous: .full, busyTimeout: 7)
    let (mode, synchronous, timeout) = try store.database.read { db in
      (
        try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
        try Int.fetchOne(db, sql: "PRAGMA busy_timeout")
      )
    }
    #expect(mode == "wal")
    #expect(synchronous == 2)  // FULL
    #expect(timeout == 7000)
    let normal = try SQLiteEngineStore(path: temporaryDatabasePath())
    #expect(try normal.database.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 1)
  }

  @Test func connectionHasTheLargerPageCacheAndCheckpointInterval() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath())
    let (cache, checkpoint) = try store.database.read { db in
      (try Int.fetchOne(db, sql: "PRAGMA cache_size"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
    }
    #expect(cache == -65536)
    #expect(checkpoint == 8000)
  }

  @Test func openingAnUnwritablePathNamesIt() throws {
    let path = "/nonexistent-directory-\(UUID().uuidString)/engine.sqlite"
    do {
      _ = try SQLiteEngineStore(path: path)
      Issue.record("opened \(path)")
    } catch {
      #expect(error.description.contains(path))
    }
  }

  @Test func aCorruptRowIsReportedWithTableKeyAndPath() throws {
    let path = temporaryDatabasePath()
    do {
      let store = try SQLiteEngineStore(path: path)
      store.enqueue(.cancel(id()))
      try store.flush()
      try store.database.write { try $0.execute(sql: "UPDATE messages SET body = '{\"type\":\"warp\"}'") }
    }
    do {
      _ = try SQLiteEngineStore(path: path)
      Issue.record("opened a corrupt database")
    } catch {
      #expect(error.description.contains(path))
      #expect(error.description.contains("`messages`"))
      #expect(error.description.contains("warp"))
    }
  }

  @Test func aDatabaseWrittenBeforeProcessOriginsOpensAndItsProcessesHaveNone() throws {
    let path = temporaryDatabasePath()
    let old = try DatabaseQueue(path: path)
    try StorageSchema.migrator.migrate(old, upTo: "v1")
    try old.write { db in
      try db.execute(
        sql: """
          INSERT INTO processes (wfid, name, status, tree, errors, created_at, updated_at)
          VALUES ('w1', 'p', 'completed', '["define", {}, []]', '[]', '2026-01-01', '2026-01-01')
          """)
    }
    try old.close()
    let store = try SQLiteEngineStore(path: path)
    let record = try #require(store.process("w1"))
    #expect(record.origin == nil)
    #expect(record.status == .completed)
    let columns = try store.database.read { db in try db.columns(in: "processes").map(\.name) }
    #expect(columns.contains("origin"))
  }
}
