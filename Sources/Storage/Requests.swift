import Foundation
import GRDB
import OrderedJSON

/// A request from the command line to the running daemon, queued in the
/// state database (the daemon owns the engine's state; nobody else writes it).
public struct OperatorRequest: Sendable, Equatable {
  public let id: Int64
  public let kind: String
  public let payload: JSONObject
}

/// What became of a request.
public struct RequestOutcome: Sendable, Equatable {
  public let status: String
  public let result: JSONValue?
}

/// The command line's side: queue a request, wait for its outcome.
public enum RequestQueue {
  /// Queues a request; the daemon picks it up within a fraction of a second while it runs.
  public static func submit(path: String, kind: String, payload: JSONObject) throws(StorageError) -> Int64 {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StorageError(path: path, "there is no state database here yet (robogrator serve creates it); check --state")
    }
    do {
      var configuration = Configuration()
      configuration.busyMode = .timeout(5)
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      return try queue.write { db in
        try db.execute(
          sql: "INSERT INTO requests (created_at, kind, payload) VALUES (?, ?, ?)",
          arguments: [Date(), kind, JSONValue.object(payload).serialized()])
        return db.lastInsertedRowID
      }
    } catch {
      throw StorageError(path: path, "cannot queue the \(kind) request: \(error)")
    }
  }

  /// Withdraws a request no daemon has picked up yet; false when it was picked up after all.
  public static func withdraw(path: String, id: Int64) throws(StorageError) -> Bool {
    do {
      var configuration = Configuration()
      configuration.busyMode = .timeout(5)
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      return try queue.write { db in
        try db.execute(sql: "DELETE FROM requests WHERE id = ? AND status = 'new'", arguments: [id])
        return db.changesCount == 1
      }
    } catch {
      throw StorageError(path: path, "cannot withdraw request \(id): \(error)")
    }
  }

  /// The request's outcome once the daemon has handled it, else nil.
  public static func outcome(path: String, id: Int64) throws(StorageError) -> RequestOutcome? {
    do {
      var configuration = Configuration()
      configuration.readonly = true
      configuration.busyMode = .timeout(5)
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      return try queue.read { db in
        guard let row = try Row.fetchOne(db, sql: "SELECT status, result FROM requests WHERE id = ?", arguments: [id]),
          (row[0] as String) != "new"
        else { return nil }
        let text: String? = row[1]
        return RequestOutcome(status: row[0], result: text.flatMap { try? JSONValue.parse($0) })
      }
    } catch {
      throw StorageError(path: path, "cannot read request \(id): \(error)")
    }
  }
}

extension SQLiteEngineStore {
  /// Requests not handled yet, oldest first.
  public func pendingRequests() throws(StorageError) -> [OperatorRequest] {
    do {
      return try database.read { db in
        try Row.fetchAll(db, sql: "SELECT id, kind, payload FROM requests WHERE status = 'new' ORDER BY id").map {
          row in
          OperatorRequest(
            id: row[0], kind: row[1], payload: (try? JSONValue.parse(row[2] as String))?.objectValue ?? JSONObject())
        }
      }
    } catch {
      throw StorageError(path: path, "cannot read operator requests: \(error)")
    }
  }

  /// Records a request's outcome (after the engine's changes it caused were flushed).
  public func finishRequest(_ id: Int64, failed: Bool, result: JSONValue) throws(StorageError) {
    do {
      try database.write { db in
        try db.execute(
          sql: "UPDATE requests SET status = ?, result = ? WHERE id = ?",
          arguments: [failed ? "failed" : "done", result.serialized(), id])
      }
    } catch {
      throw StorageError(path: path, "cannot record the outcome of request \(id): \(error)")
    }
  }

  /// One inbox event, for `reroute` (read by id, not by listing the inbox).
  public func event(_ id: Int64) throws(StorageError) -> StoredEvent? {
    try events(where: "id = ?", arguments: [id]).first
  }

}
