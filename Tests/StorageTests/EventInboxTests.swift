import Foundation
import GRDB
import OrderedJSON
import Testing
import Workflow

@testable import Storage

@Suite struct EventInboxTests {
  @Test func aDuplicateDedupKeyReturnsTheFirstEventID() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath())
    let first = try store.insertEvent(dedupKey: "k1", raw: Array("{}".utf8), label: "l", project: "p")
    guard case .inserted(let firstID) = first else {
      Issue.record("not inserted: \(first)")
      return
    }
    #expect(try store.insertEvent(dedupKey: "k1", raw: Array("{\"other\":1}".utf8)) == .duplicate(firstID))
    let second = try store.insertEvent(dedupKey: "k2", raw: [])
    #expect(second == .inserted(second.id) && second.id != firstID)
    #expect(try store.insertEvent(dedupKey: "k2", raw: []) == .duplicate(second.id))
    let events = try store.events()
    #expect(events.map(\.dedupKey) == ["k1", "k2"])
    #expect(events[0].raw == Array("{}".utf8))
    #expect(events[0].label == "l" && events[0].project == "p" && events[0].status == .new)
  }

  @Test func eventsCommittedTogetherKeepTheirOrderAndDuplicatesWithinAndAcrossBatches() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath())
    let old = try store.insertEvent(dedupKey: "old", raw: [])
    let insertions = try store.insertEvents([
      EventToInsert(dedupKey: "a", raw: Array("{}".utf8), label: "REPO_PUBLISHED", project: "P"),
      EventToInsert(dedupKey: "old", raw: []),
      EventToInsert(dedupKey: "b", raw: []),
      EventToInsert(dedupKey: "a", raw: []),
    ])
    guard case .inserted(let a) = insertions[0], case .inserted(let b) = insertions[2] else {
      Issue.record("not inserted: \(insertions)")
      return
    }
    #expect(insertions[1] == .duplicate(old.id))
    #expect(insertions[3] == .duplicate(a))
    #expect(a < b)
    #expect(try store.events().map(\.dedupKey) == ["old", "a", "b"])
    #expect(try store.events()[1].label == "REPO_PUBLISHED")
    #expect(try store.insertEvents([]).isEmpty)
  }

  @Test func routingOutcomesAreWrittenByTheNextFlush() throws {
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path)
    guard case .inserted(let a) = try store.insertEvent(dedupKey: "a", raw: []),
      case .inserted(let b) = try store.insertEvent(dedupKey: "b", raw: [])
    else {
      Issue.record("not inserted")
      return
    }
    store.markRouted(a, result: ["launched": ["w1"]])
    store.markFailed(b, error: "no process for label x")
    #expect(try store.events(failedOnly: true).map(\.id) == [b])
    #expect(try SQLiteEngineStore(path: path).events(failedOnly: true).isEmpty)
    try store.flush()
    let reopened = try SQLiteEngineStore(path: path)
    let events = try reopened.events()
    #expect(events.map(\.status) == [.routed, .failed])
    #expect(events[0].result == ["launched": ["w1"]])
    #expect(events[1].error == "no process for label x")
    #expect(try reopened.events(failedOnly: true).map(\.id) == [b])
  }

  @Test func pruneDeletesFinishedProcessesAndHandledEventsBeforeTheCutoff() throws {
    let old = Date(timeIntervalSince1970: 1_000_000)
    let recent = Date(timeIntervalSince1970: 2_000_000)
    var clock = old
    let path = temporaryDatabasePath()
    let store = try SQLiteEngineStore(path: path, now: { clock })
    let definition = try sampleTree()
    var done = ProcessRecord(wfid: "done", name: "p", tree: definition, status: .completed)
    done.history = ["process ended: completed"]
    store.save(done)
    store.save(ProcessRecord(wfid: "running", name: "p", tree: definition, status: .running))
    guard case .inserted(let handled) = try store.insertEvent(dedupKey: "h", raw: []) else { return }
    _ = try store.insertEvent(dedupKey: "n", raw: [])
    store.markRouted(handled, result: [:])
    try store.flush()
    clock = recent
    store.save(ProcessRecord(wfid: "fresh", name: "p", tree: definition, status: .completed))
    _ = try store.insertEvent(dedupKey: "r", raw: [])
    try store.flush()

    let pruned = try store.prune(before: Date(timeIntervalSince1970: 1_500_000))
    #expect(pruned.processes == 1 && pruned.events == 1)
    #expect(store.process("done") == nil)
    #expect(store.process("running") != nil && store.process("fresh") != nil)
    #expect(try store.events().map(\.dedupKey) == ["n", "r"])
    #expect(try store.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM history") } == 0)
  }

  @Test func aFinishedProcessWithAMessageStillQueuedIsKeptUntilTheMessageIsHandled() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath(), now: { Date(timeIntervalSince1970: 1_000_000) })
    let definition = try sampleTree()
    store.save(ProcessRecord(wfid: "done", name: "p", tree: definition, status: .completed))
    store.enqueue(.apply(.init(id: id("done", "0_2", "s1"), parent: nil, tree: definition.children[2], fields: [:])))
    try store.flush()
    let cutoff = Date(timeIntervalSince1970: 2_000_000)
    #expect(try store.prune(before: cutoff).processes == 0)
    // The queued apply names a node of the process's tree: it still reads back after a reopen.
    let reopened = try SQLiteEngineStore(path: store.path)
    guard case .apply(let apply)? = reopened.dequeue() else {
      Issue.record("the queued apply was not read back")
      return
    }
    #expect(apply.tree == definition.children[2])
    _ = store.dequeue()
    try store.flush()
    #expect(try store.prune(before: cutoff).processes == 1)
  }
}

@Suite struct InboxLookupTests {
  @Test func oneEventAndTheUnroutedOnesAreReadWithoutTheRest() throws {
    let store = try SQLiteEngineStore(path: temporaryDatabasePath())
    let first = try store.insertEvent(dedupKey: "a", raw: Array("one".utf8)).id
    let second = try store.insertEvent(dedupKey: "b", raw: Array("two".utf8)).id
    store.markRouted(first, result: ["launched": []])
    try store.flush()
    #expect(try store.event(second)?.raw == Array("two".utf8))
    #expect(try store.event(999) == nil)
    #expect(try store.unroutedEvents().map(\.id) == [second])
  }
}
