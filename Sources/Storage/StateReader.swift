import Foundation
import GRDB
import OrderedJSON
import Workflow

/// Read-only queries on the state database, for the command line while the
/// daemon runs (`robogrator ps`, `show`, `events`). Never writes, never loads
/// the whole state.
public struct StateReader {
  public let path: String
  let database: DatabaseQueue

  /// One line of `robogrator ps`.
  public struct ProcessSummary: Sendable, Equatable {
    public let wfid: String
    public let name: String
    public let status: ProcessStatus
    public let project: String?
    public let createdAt: String
    public let updatedAt: String
    public let errors: [String]
  }

  public init(path: String) throws(StorageError) {
    self.path = path
    guard FileManager.default.fileExists(atPath: path) else {
      throw StorageError(path: path, "there is no state database here yet (robogrator serve creates it); check --state")
    }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(5)
    do {
      database = try DatabaseQueue(path: path, configuration: configuration)
    } catch {
      throw StorageError(path: path, "cannot open the state database read-only: \(error)")
    }
  }

  /// Processes, newest first, optionally only one status or one project.
  public func processes(status: ProcessStatus? = nil, project: String? = nil) throws(StorageError) -> [ProcessSummary] {
    do {
      return try database.read { db in
        var sql = "SELECT wfid, name, status, fields, created_at, updated_at, errors FROM processes"
        var arguments: StatementArguments = []
        if let status {
          sql += " WHERE status = ?"
          arguments += [status.rawValue]
        }
        sql += " ORDER BY created_at DESC, wfid DESC"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> ProcessSummary? in
          let fieldsText: String? = row[3]
          let fields = fieldsText.flatMap { try? JSONValue.parse($0) }
          let errorsText: String = row[6]
          let errors = ((try? JSONValue.parse(errorsText))?.arrayValue ?? []).compactMap(\.stringValue)
          let summary = ProcessSummary(
            wfid: row[0], name: row[1], status: ProcessStatus(rawValue: row[2]) ?? .running,
            project: fields?["project"]?.stringValue, createdAt: row[4], updatedAt: row[5], errors: errors)
          if let project, summary.project != project { return nil }
          return summary
        }
      }
    } catch {
      throw StorageError(path: path, "cannot list processes: \(error)")
    }
  }

  /// Everything `robogrator show` prints about one process.
  public struct ProcessDetails: Sendable {
    public let summary: ProcessSummary
    public let tree: JSONValue
    public let fields: JSONValue?
    public let history: [String]
    /// Live expressions: expid, name, status, error, and for a `listen` what it waits for.
    public let expressions: [(expid: String, name: String, status: String, error: String?, listeningTo: String?)]
    /// Participant calls waiting for an answer.
    public let dispatches: [(expid: String, participant: String)]
    /// Every participant call, answered or not, in the order they started.
    public let calls: [ParticipantCallReport]
    /// What launched it (event, definition, conf used), if recorded.
    public let origin: JSONValue?
  }

  public func process(_ wfid: String) throws(StorageError) -> ProcessDetails? {
    do {
      return try database.read { db -> ProcessDetails? in
        guard
          let row = try Row.fetchOne(
            db,
            sql:
              "SELECT wfid, name, status, fields, created_at, updated_at, errors, tree, \(try Self.originColumn(db)) FROM processes WHERE wfid = ?",
            arguments: [wfid])
        else { return nil }
        let fieldsText: String? = row[3]
        let fields = fieldsText.flatMap { try? JSONValue.parse($0) }
        let errorsText: String = row[6]
        let summary = ProcessSummary(
          wfid: row[0], name: row[1], status: ProcessStatus(rawValue: row[2]) ?? .running,
          project: fields?["project"]?.stringValue, createdAt: row[4], updatedAt: row[5],
          errors: ((try? JSONValue.parse(errorsText))?.arrayValue ?? []).compactMap(\.stringValue))
        let treeText: String = row[7]
        let originText: String? = row[8]
        let history = try String.fetchAll(
          db, sql: "SELECT line FROM history WHERE wfid = ? ORDER BY line_no", arguments: [wfid])
        let tree = (try? JSONValue.parse(treeText)) ?? .null
        let processTree = try? StorageCoding.decodeTree(tree, "processes.tree")
        let expressions = try Row.fetchAll(
          db, sql: "SELECT expid, status, body FROM expressions WHERE wfid = ? ORDER BY expid", arguments: [wfid]
        ).map { row -> (String, String, String, String?, String?) in
          let body = (try? JSONValue.parse(row[2] as String)) ?? .null
          // The node's name: from its own tree, or from the process tree's node it names (`tree_at`).
          let name =
            body["tree_at"]?.stringValue.map { processTree?.node(atExpid: $0)?.name }
            ?? body["tree"]?.arrayValue?.first?.stringValue
          return (
            row[0], name ?? "?", row[1], body["error"]?.stringValue,
            body["state"]?["to"]?.stringValue
          )
        }
        let dispatches = try Row.fetchAll(
          db, sql: "SELECT expid, participant FROM dispatches WHERE wfid = ? ORDER BY seq", arguments: [wfid]
        ).map { (expid: $0[0] as String, participant: $0[1] as String) }
        let calls = try self.calls(wfid, db)
        return ProcessDetails(
          summary: summary, tree: tree, fields: fields, history: history,
          expressions: expressions.map { (expid: $0.0, name: $0.1, status: $0.2, error: $0.3, listeningTo: $0.4) },
          dispatches: dispatches, calls: calls, origin: originText.flatMap { try? JSONValue.parse($0) })
      }
    } catch let error as StorageError {
      throw error
    } catch {
      throw StorageError(path: path, "cannot read process \(wfid): \(error)")
    }
  }

  /// The participant calls of a process, oldest first (none in a database serve has not migrated yet).
  func calls(_ wfid: String, _ db: Database) throws -> [ParticipantCallReport] {
    guard try db.tableExists("calls") else { return [] }
    return try Row.fetchAll(
      db, sql: "SELECT seq, \(SQLiteEngineStore.callColumns) FROM calls WHERE wfid = ? ORDER BY seq", arguments: [wfid]
    ).map { row in
      let seq: Int64 = row[0]
      do {
        return try SQLiteEngineStore.decodeCall(row, from: 1)
      } catch let error as StorageDecodingError {
        throw StorageError.corrupt(path, table: "calls", key: "seq \(seq)", error)
      }
    }
  }
}

extension StateReader {
  /// `origin`, or NULL in a database the running serve has not migrated yet.
  static func originColumn(_ db: Database) throws -> String {
    try db.columns(in: "processes").contains { $0.name == "origin" } ? "origin" : "NULL"
  }

  /// One line of `robogrator events`.
  public struct EventSummary: Sendable, Equatable {
    public let id: Int64
    public let receivedAt: String
    public let label: String?
    public let project: String?
    public let status: String
    public let error: String?
    /// The processes the routing launched.
    public let launched: [String]
  }

  /// Inbox events, newest first; only those whose routing failed with `failedOnly`.
  public func events(failedOnly: Bool = false) throws(StorageError) -> [EventSummary] {
    do {
      return try database.read { db in
        let filter = failedOnly ? " WHERE status = 'failed'" : ""
        return try Row.fetchAll(
          db, sql: "SELECT id, received_at, label, project, status, error, result FROM events\(filter) ORDER BY id DESC"
        ).map { row in
          let resultText: String? = row[6]
          let launched = resultText.flatMap { try? JSONValue.parse($0) }?["launched"]?.arrayValue?.compactMap(
            \.stringValue)
          return EventSummary(
            id: row[0], receivedAt: row[1], label: row[2], project: row[3], status: row[4], error: row[5],
            launched: launched ?? [])
        }
      }
    } catch {
      throw StorageError(path: path, "cannot list events: \(error)")
    }
  }
}
