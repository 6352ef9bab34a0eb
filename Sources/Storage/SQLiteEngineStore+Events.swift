import Foundation
import GRDB
import OrderedJSON

/// One row of the inbox: an event as received, and what routing made of it.
public struct StoredEvent: Sendable, Equatable {
  public enum Status: String, Sendable {
    case new
    case routed
    case failed
  }

  public let id: Int64
  public let receivedAt: Date
  public let dedupKey: String
  public let raw: [UInt8]
  public let label: String?
  public let project: String?
  public let status: Status
  /// What routing did (processes launched, ...), when routed.
  public let result: JSONValue?
  /// Why routing failed, when failed.
  public let error: String?
}

/// What `insertEvent` did with an event.
public enum EventInsertion: Sendable, Equatable {
  case inserted(Int64)
  /// An event with this dedup key is already in the inbox, under this id.
  case duplicate(Int64)

  /// The event's id, whichever happened.
  public var id: Int64 {
    switch self {
    case .inserted(let id), .duplicate(let id): id
    }
  }
}

/// The inbox and retention. Inserting an event commits at once (the receiver
/// acknowledges it only once it is on disk); the routing outcome is written by
/// the next `flush()`, with the launches it caused, so a crash never leaves an
/// event marked routed without its processes.
/// One event for `insertEvents`.
public struct EventToInsert: Sendable {
  public var dedupKey: String
  public var raw: [UInt8]
  public var label: String?
  public var project: String?

  public init(dedupKey: String, raw: [UInt8], label: String? = nil, project: String? = nil) {
    self.dedupKey = dedupKey
    self.raw = raw
    self.label = label
    self.project = project
  }
}

extension SQLiteEngineStore {
  /// Records several events in one transaction (a spool holding many files):
  /// when it returns, every one is on disk, or, when it throws, none is.
  public func insertEvents(_ events: [EventToInsert], receivedAt: Date? = nil) throws(StorageError)
    -> [EventInsertion]
  {
    guard !events.isEmpty else { return [] }
    let receivedAt = StorageTime.text(receivedAt ?? now())
    do {
      return try database.write { db in
        let insert = try db.cachedStatement(
          sql: """
            INSERT INTO events (received_at, dedup_key, raw, label, project) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (dedup_key) DO NOTHING
            """)
        let existing = try db.cachedStatement(sql: "SELECT id FROM events WHERE dedup_key = ?")
        return try events.map { event in
          try insert.execute(arguments: [receivedAt, event.dedupKey, Data(event.raw), event.label, event.project])
          if db.changesCount == 1 { return .inserted(db.lastInsertedRowID) }
          return .duplicate(try Int64.fetchOne(existing, arguments: [event.dedupKey]) ?? 0)
        }
      }
    } catch {
      let what = events.count == 1 ? "event \(events[0].dedupKey)" : "\(events.count) events"
      throw StorageError(path: path, "cannot record \(what) in the inbox: \(error)")
    }
  }

  /// Records one event (see `insertEvents`).
  public func insertEvent(
    dedupKey: String, raw: [UInt8], label: String? = nil, project: String? = nil, receivedAt: Date? = nil
  ) throws(StorageError) -> EventInsertion {
    let event = EventToInsert(dedupKey: dedupKey, raw: raw, label: label, project: project)
    return try insertEvents([event], receivedAt: receivedAt)[0]
  }

  /// Routing succeeded; written by the next `flush()`.
  public func markRouted(_ id: Int64, result: JSONValue) {
    eventMarks[id] = EventMark(status: .routed, result: result, error: nil)
  }

  /// Routing failed; written by the next `flush()`.
  public func markFailed(_ id: Int64, error: String, result: JSONValue? = nil) {
    eventMarks[id] = EventMark(status: .failed, result: result, error: error)
  }

  /// The inbox, oldest first, with routing outcomes not flushed yet applied.
  public func events(failedOnly: Bool = false) throws(StorageError) -> [StoredEvent] {
    let all = try events(where: nil)
    return failedOnly ? all.filter { $0.status == .failed } : all
  }

  /// Events received but not routed yet (after a crash), without reading the rest of the inbox.
  public func unroutedEvents() throws(StorageError) -> [StoredEvent] {
    try events(where: "status = 'new'").filter { $0.status == .new }
  }

  /// Events matching an SQL condition, with routing outcomes not flushed yet applied.
  func events(where condition: String?, arguments: StatementArguments = []) throws(StorageError) -> [StoredEvent] {
    let stored: [StoredEvent]
    do {
      stored = try database.read { db in
        let rows = try Row.fetchAll(
          db,
          sql: "SELECT id, received_at, dedup_key, raw, label, project, status, result, error FROM events"
            + (condition.map { " WHERE " + $0 } ?? "") + " ORDER BY id", arguments: arguments)
        return try rows.map { row throws -> StoredEvent in
          let id: Int64 = row[0]
          let statusText: String = row[6]
          let resultText: String? = row[7]
          let data: Data = row[3]
          do {
            return StoredEvent(
              id: id, receivedAt: row[1], dedupKey: row[2], raw: [UInt8](data), label: row[4], project: row[5],
              status: StoredEvent.Status(rawValue: statusText) ?? .new,
              result: try resultText.map { (text) throws(StorageDecodingError) in
                try StorageCoding.parse(text, "events.result")
              },
              error: row[8])
          } catch let error as StorageDecodingError {
            throw StorageError.corrupt(path, table: "events", key: "id \(id)", error)
          }
        }
      }
    } catch let error as StorageError {
      throw error
    } catch {
      throw StorageError(path: path, "cannot read the inbox: \(error)")
    }
    return stored.map { event in
      guard let mark = eventMarks[event.id] else { return event }
      return StoredEvent(
        id: event.id, receivedAt: event.receivedAt, dedupKey: event.dedupKey, raw: event.raw, label: event.label,
        project: event.project, status: mark.status, result: mark.result, error: mark.error)
    }
  }

  /// Deletes finished processes (completed, terminated, cancelled; never
  /// errored or running ones, nor ones with live expressions or queued
  /// messages) last changed before `processesBefore`, with their history and
  /// participant calls, and routed or failed events received before
  /// `eventsBefore`. Nil keeps them. Call between flushes.
  @discardableResult
  public func prune(processesBefore: Date?, eventsBefore: Date?) throws(StorageError) -> (processes: Int, events: Int) {
    do {
      let inUse = processesBefore == nil ? [] : processesInUse()
      let candidates =
        try processesBefore.map { cutoff in
          try database.read { db in
            try String.fetchAll(
              db,
              sql: """
                SELECT wfid FROM processes
                WHERE status IN ('completed', 'terminated', 'cancelled') AND updated_at < ?
                """, arguments: [cutoff])
          }.filter { !inUse.contains($0) }
        } ?? []
      let counts = try database.write { db in
        let delete = try db.cachedStatement(sql: "DELETE FROM processes WHERE wfid = ?")
        let deleteCalls = try db.cachedStatement(sql: "DELETE FROM calls WHERE wfid = ?")
        for wfid in candidates {
          try delete.execute(arguments: [wfid])
          try deleteCalls.execute(arguments: [wfid])
        }
        var events = 0
        if let eventsBefore {
          try db.execute(
            sql: "DELETE FROM events WHERE status IN ('routed', 'failed') AND received_at < ?",
            arguments: [eventsBefore])
          events = db.changesCount
        }
        return (candidates.count, events)
      }
      forgetProcesses(candidates)
      forgetCalls(of: Set(candidates))
      return counts
    } catch {
      throw StorageError(path: path, "cannot prune finished processes and handled events: \(error)")
    }
  }

  /// Prunes processes and events with one cutoff.
  @discardableResult
  public func prune(before cutoff: Date) throws(StorageError) -> (processes: Int, events: Int) {
    try prune(processesBefore: cutoff, eventsBefore: cutoff)
  }
}
