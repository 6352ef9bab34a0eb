import Foundation
import GRDB
import Testing
import Workflow

@testable import Storage

/// A call as the dispatcher starts it, at a time with whole milliseconds (what a row keeps).
func startedCall(
  _ expression: FlowExpressionID, _ participant: String = "check", attempt: Int = 1,
  resolution: ParticipantCallReport.Resolution = .executable, at seconds: Double = 1_800_000_000.25
) -> ParticipantCallReport {
  ParticipantCallReport(
    expression: expression, participant: participant, attempt: attempt, resolution: resolution,
    executablePath: resolution == .executable ? "/srv/BOSS/participants/\(participant)" : nil,
    startedAt: Date(timeIntervalSince1970: seconds))
}

/// `call` ended with exit 3 and some stderr.
func failed(_ call: ParticipantCallReport) -> ParticipantCallReport {
  var call = call
  call.endedAt = call.startedAt.addingTimeInterval(1.5)
  call.duration = .milliseconds(1_375)
  call.queueWait = .milliseconds(120)
  call.exit = "exit 3"
  call.outcome = .error
  call.error = "participant /srv/BOSS/participants/check exited with status 3"
  call.stderr = "checking bash\ncannot reach OBS\n"
  call.stderrTotalBytes = 31
  return call
}

/// The calls `robogrator show` reads for `wfid`, through the read-only reader.
func shownCalls(_ path: String, _ wfid: String) throws -> [ParticipantCallReport] {
  try #require(try StateReader(path: path).process(wfid)).calls
}

/// Whether two records are the same once times are taken to whole milliseconds, as a row keeps them.
func sameCall(_ a: ParticipantCallReport, _ b: ParticipantCallReport) -> Bool {
  func rounded(_ call: ParticipantCallReport) -> ParticipantCallReport {
    var call = call
    let milliseconds = { (date: Date) in
      Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
    call.startedAt = milliseconds(call.startedAt)
    call.endedAt = call.endedAt.map(milliseconds)
    return call
  }
  return rounded(a) == rounded(b)
}

@Suite struct ParticipantCallTests {
  @Test func callsAreWrittenByTheFlushEndedInPlaceAndReadBackOldestFirst() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    store.save(ProcessRecord(wfid: "w1", name: "p", tree: try sampleTree(), status: .running))
    let first = startedCall(id("w1", "0_0", "a"), "check")
    let second = startedCall(id("w1", "0_1", "b"), "notify", at: 1_800_000_001.5)
    store.callStarted(first)
    store.callStarted(second)
    #expect(store.hasUnflushedChanges)
    try store.flush()
    #expect(try shownCalls(path, "w1").map(\.outcome) == [.running, .running])
    #expect(try shownCalls(path, "w1").map(\.endedAt) == [nil, nil])

    store.callEnded(failed(first))
    // Not on disk before the flush.
    #expect(try shownCalls(path, "w1").first?.outcome == .running)
    try store.flush()
    let shown = try shownCalls(path, "w1")
    #expect(shown.count == 2)
    #expect(sameCall(shown[0], failed(first)))
    #expect(sameCall(shown[1], second))

    // A new store on the file goes on numbering after the calls there.
    let reopened = try SQLiteEngineStore(path: path)
    reopened.callStarted(startedCall(id("w1", "0_2", "c"), "accept"))
    try reopened.flush()
    #expect(try shownCalls(path, "w1").map(\.participant) == ["check", "notify", "accept"])
  }

  @Test func anEndWithoutAnOpenCallWritesNothing() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    store.save(ProcessRecord(wfid: "w1", name: "p", tree: try sampleTree(), status: .running))
    let call = startedCall(id("w1", "0_0", "a"))
    store.callStarted(call)
    store.callEnded(failed(call))
    // A second end (a lock granted, then its expression cancelled) changes nothing.
    var cancelled = failed(call)
    cancelled.outcome = .cancelled
    store.callEnded(cancelled)
    store.callEnded(failed(startedCall(id("w1", "0_9", "z"))))
    try store.flush()
    let shown = try shownCalls(path, "w1")
    #expect(shown.count == 1)
    #expect(shown.first?.outcome == .error)
  }

  @Test func callsLeftRunningAreClosedAsInterruptedExceptTheWaitsKept() throws {
    let path = temporaryDatabasePath()
    let running = startedCall(id("w1", "0_0", "a"), "setup_build_trial", attempt: 2)
    let lockWait = startedCall(id("w1", "0_1", "b"), "obsticket", resolution: .builtin)
    let finished = failed(startedCall(id("w1", "0_2", "c")))
    do {
      let store = try SQLiteEngineStore(path: path)
      store.save(ProcessRecord(wfid: "w1", name: "p", tree: try sampleTree(), status: .running))
      for call in [running, lockWait, finished] { store.callStarted(call) }
      store.callEnded(finished)
      try store.flush()
    }
    let restarted = try SQLiteEngineStore(path: path)
    let interrupted = try restarted.closeCallsLeftRunning(keeping: [lockWait.expression])
    #expect(interrupted == [running.expression: 2])
    // The call made again is a new row; the kept wait can still end.
    restarted.callStarted(startedCall(running.expression, "setup_build_trial", attempt: 3))
    var granted = lockWait
    granted.outcome = .ok
    granted.endedAt = lockWait.startedAt.addingTimeInterval(60)
    restarted.callEnded(granted)
    try restarted.flush()

    let shown = try shownCalls(path, "w1")
    #expect(shown.map(\.participant) == ["setup_build_trial", "obsticket", "check", "setup_build_trial"])
    #expect(shown.map(\.outcome) == [.interrupted, .ok, .error, .running])
    #expect(shown.map(\.attempt) == [2, 1, 1, 3])
    #expect(shown[0].endedAt == nil)
    #expect(shown[0].error == "robogrator stopped while the call was running")
    #expect(sameCall(shown[1], granted))
  }

  @Test func pruneDeletesTheCallsOfThePrunedProcessesOnly() throws {
    var clock = Date(timeIntervalSince1970: 1_000_000)
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path, now: { clock })
    store.save(ProcessRecord(wfid: "done", name: "p", tree: try sampleTree(), status: .completed))
    store.save(ProcessRecord(wfid: "running", name: "p", tree: try sampleTree(), status: .running))
    store.callStarted(startedCall(id("done", "0_0", "a")))
    store.callEnded(failed(startedCall(id("done", "0_0", "a"))))
    store.callStarted(startedCall(id("running", "0_0", "b")))
    try store.flush()
    clock = Date(timeIntervalSince1970: 2_000_000)

    let pruned = try store.prune(before: Date(timeIntervalSince1970: 1_500_000))
    #expect(pruned.processes == 1)
    let left = try store.database.read { try String.fetchAll($0, sql: "SELECT wfid FROM calls ORDER BY seq") }
    #expect(left == ["running"])
  }

  @Test func aRowKeepsTheEndOfALongStderrFromAWholeCharacter() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    store.save(ProcessRecord(wfid: "w1", name: "p", tree: try sampleTree(), status: .running))
    var call = failed(startedCall(id("w1", "0_0", "a")))
    // Two-byte characters, offset by one byte so the cut falls inside one.
    call.stderr = "x" + String(repeating: "é", count: SQLiteEngineStore.storedStderrBytes) + "\nthe end\n"
    call.stderrTotalBytes = call.stderr.utf8.count
    store.callStarted(call)
    store.callEnded(call)
    try store.flush()
    let shown = try #require(try shownCalls(path, "w1").first)
    #expect(shown.stderr.utf8.count <= SQLiteEngineStore.storedStderrBytes)
    #expect(shown.stderr.utf8.count > SQLiteEngineStore.storedStderrBytes - 4)
    #expect(shown.stderr.hasPrefix("é"))
    #expect(shown.stderr.hasSuffix("é\nthe end\n"))
    #expect(shown.stderrTotalBytes == call.stderr.utf8.count)
  }

  @Test func aDatabaseFromBeforeCallsIsMigratedAndReadsWithNoCalls() throws {
    let path = temporaryDatabasePath()
    do {
      let database = try DatabaseQueue(path: path)
      try StorageSchema.migrator.migrate(database, upTo: "v1")
      try database.write { db in
        try db.execute(
          sql: """
            INSERT INTO processes (wfid, name, status, tree, errors, created_at, updated_at)
            VALUES ('w1', 'p', 'running', '["define",{},[]]', '[]', '2026-11-23 07:00:00.000', '2026-11-23 07:00:00.000')
            """)
      }
    }
    // The command line may read a database the running serve has not migrated yet.
    #expect(try shownCalls(path, "w1").isEmpty)
    let store = try SQLiteEngineStore(path: path)
    store.callStarted(startedCall(id("w1", "0_0", "a")))
    try store.flush()
    #expect(try shownCalls(path, "w1").count == 1)
  }
}
