import Foundation
import GRDB
import OrderedJSON
import PDef
import Workflow

/// The engine's durable `EngineStore`: a write-back cache over one SQLite file.
///
/// Open loads every live thing (expressions, the message queue, running and
/// failed processes, pending dispatches) into memory; the protocol methods
/// work on memory and note what changed; `flush()` writes all of it in one
/// transaction. The file therefore always holds a state the engine was in at
/// a flush, and a crash resumes from the last one. Not thread-safe: the
/// engine's one thread owns it (GRDB's blocking API, no async hop).
public final class SQLiteEngineStore: EngineStore {
  /// SQLite's `synchronous` pragma: `.normal` may lose the last flushes on a
  /// power cut (never corrupts in WAL mode); `.full` makes every flush durable.
  public enum Synchronous: String, Sendable {
    case normal = "NORMAL"
    case full = "FULL"
  }

  public let path: String
  let database: DatabaseQueue
  let now: () -> Date

  // MARK: Live state

  private var expressionsByWfid: [String: [FlowExpressionID: FlowExpression]] = [:]
  private var queue: [(seq: Int64, message: EngineMessage)] = []
  private var queueHead = 0
  private var processes: [String: ProcessRecord] = [:]
  /// Pending dispatches by expression; `seq` gives their order (a daemon has thousands waiting).
  private var pending: [FlowExpressionID: (seq: Int64, dispatch: Dispatch)] = [:]
  /// Timers, earliest first; `dirtyTimers` marks expressions whose timers changed.
  private var timers: [EngineTimer] = []
  private var dirtyTimers: Set<FlowExpressionID> = []
  private var listeners = TrackerIndex()
  private var dirtyListeners: Set<FlowExpressionID> = []
  /// Keeps the listeners' order on disk (written once, when a listener starts).
  private var nextTrackerSeq: Int64 = 1
  private var builtIns: [String: JSONValue] = [:]
  private var dirtyBuiltIns: Set<String> = []

  // MARK: Changes since the last flush

  private var dirtyExpressions: Set<FlowExpressionID> = []
  private var expressionsOnDisk: Set<FlowExpressionID> = []
  private var nextMessageSeq: Int64 = 1
  /// Messages up to this seq are on disk (unless consumed and deleted).
  private var messagesWrittenUpTo: Int64 = 0
  /// The last seq dequeued, and the last one deleted from disk.
  private var messagesConsumedUpTo: Int64 = 0
  private var messagesDeletedUpTo: Int64 = 0
  private var dirtyProcesses: Set<String> = []
  /// Processes read back from disk since the last flush (finished ones are dropped from the cache again).
  private var readBackProcesses: Set<String> = []
  private var historyLinesOnDisk: [String: Int] = [:]
  /// The tree each cached process has on disk (shares storage with the record's, so comparing is cheap).
  private var treesOnDisk: [String: PDefNode] = [:]
  private var nextDispatchSeq: Int64 = 1
  private var dirtyDispatches: Set<FlowExpressionID> = []
  private var dispatchesOnDisk: Set<FlowExpressionID> = []
  /// Event routing outcomes, written with the engine changes they led to.
  var eventMarks: [Int64: EventMark] = [:]
  /// Participant calls started and not ended, by expression, with their row's seq.
  var openCalls: [FlowExpressionID: (seq: Int64, call: ParticipantCallReport)] = [:]
  /// Call rows to write at the next flush, by seq.
  var dirtyCalls: [Int64: ParticipantCallReport] = [:]
  var nextCallSeq: Int64 = 1
  /// A read of an evicted process that failed; the next flush reports it.
  private var deferredError: StorageError?

  struct EventMark {
    var status: StoredEvent.Status
    var result: JSONValue?
    var error: String?
  }

  /// Opens (creating and migrating if needed) the database at `path`.
  public init(
    path: String, synchronous: Synchronous = .normal, busyTimeout: TimeInterval = 5,
    now: @escaping () -> Date = Date.init
  ) throws(StorageError) {
    self.path = path
    self.now = now
    var configuration = Configuration()
    configuration.journalMode = .wal
    // Sets busy_timeout on every connection GRDB opens.
    configuration.busyMode = .timeout(busyTimeout)
    configuration.label = "robogrator.storage"
    do {
      database = try DatabaseQueue(path: path, configuration: configuration)
      let migrator = StorageSchema.migrator
      if try database.read(migrator.hasBeenSuperseded) {
        throw StorageError(path: path, "it was written by a newer robogrator (unknown migrations): upgrade robogrator")
      }
      try migrator.migrate(database)
      // After opening: switching to WAL resets synchronous to NORMAL.
      // A 64 MB page cache keeps the hot tables (queue, expressions) out of pread(2), and
      // checkpointing every 8,000 pages (32 MB of WAL) rather than 1,000 syncs a tenth as
      // often: measured together, +30-50% durable processes/s under a burst (BENCHMARKS.md).
      try database.writeWithoutTransaction {
        try $0.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
        try $0.execute(sql: "PRAGMA cache_size = -65536")
        try $0.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
      }
    } catch let error as StorageError {
      throw error
    } catch {
      throw StorageError.opening(path, error)
    }
    try load()
  }

  // MARK: - Loading

  private func load() throws(StorageError) {
    do {
      try database.read { db throws in
        // Processes first: expressions and messages name nodes of their trees.
        try loadProcesses(db)
        try loadExpressions(db)
        try loadMessages(db)
        try loadDispatches(db)
        try loadTimersTrackersAndBuiltIns(db)
        nextCallSeq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM calls") ?? 0) + 1
      }
    } catch let error as StorageError {
      throw error
    } catch {
      throw StorageError(path: path, "cannot read the engine state: \(error)")
    }
  }

  private func loadExpressions(_ db: Database) throws {
    let rows = try Row.fetchCursor(db, sql: "SELECT wfid, expid, subid, body FROM expressions")
    while let row = try rows.next() {
      let id = FlowExpressionID(wfid: row[0], expid: row[1], subid: row[2])
      let expression: FlowExpression
      do {
        expression = try StorageCoding.decodeExpression(
          id: id, body: try StorageCoding.parse(row[3], "expressions.body"), processTree: { self.tree(of: $0, db) })
      } catch {
        throw StorageError.corrupt(path, table: "expressions", key: id.description, error)
      }
      expressionsByWfid[id.wfid, default: [:]][id] = expression
      expressionsOnDisk.insert(id)
    }
  }

  private func loadMessages(_ db: Database) throws {
    let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM messages ORDER BY seq")
    var last: Int64 = 0
    while let row = try rows.next() {
      let seq: Int64 = row[0]
      do {
        queue.append(
          (
            seq,
            try StorageCoding.decodeMessage(
              try StorageCoding.parse(row[1], "messages.body"), processTree: { self.tree(of: $0, db) })
          ))
      } catch {
        throw StorageError.corrupt(path, table: "messages", key: "seq \(seq)", error)
      }
      last = seq
    }
    nextMessageSeq = last + 1
    messagesWrittenUpTo = last
    messagesConsumedUpTo = (queue.first?.seq ?? last + 1) - 1
    messagesDeletedUpTo = messagesConsumedUpTo
  }

  private func loadProcesses(_ db: Database) throws {
    let rows = try Row.fetchCursor(
      db, sql: "SELECT \(Self.processColumns) FROM processes WHERE status IN ('running', 'error')")
    while let row = try rows.next() {
      let record = try decodeProcess(row, history: [])
      processes[record.wfid] = record
    }
    let lines = try Row.fetchCursor(
      db,
      sql: """
        SELECT h.wfid, h.line FROM history h JOIN processes p ON p.wfid = h.wfid
        WHERE p.status IN ('running', 'error') ORDER BY h.wfid, h.line_no
        """)
    while let row = try lines.next() {
      let wfid: String = row[0]
      processes[wfid]?.history.append(row[1])
    }
    for (wfid, record) in processes {
      historyLinesOnDisk[wfid] = record.history.count
      treesOnDisk[wfid] = record.tree
    }
  }

  private func loadDispatches(_ db: Database) throws {
    let rows = try Row.fetchCursor(
      db, sql: "SELECT wfid, expid, subid, seq, participant, workitem FROM dispatches ORDER BY seq")
    var last: Int64 = 0
    while let row = try rows.next() {
      let id = FlowExpressionID(wfid: row[0], expid: row[1], subid: row[2])
      let seq: Int64 = row[3]
      let workitem: JSONObject
      do {
        workitem = try StorageCoding.requireObject(
          try StorageCoding.parse(row[5], "dispatches.workitem"), "dispatches.workitem")
      } catch {
        throw StorageError.corrupt(path, table: "dispatches", key: id.description, error)
      }
      pending[id] = (seq, Dispatch(expression: id, participant: row[4], workitem: workitem))
      dispatchesOnDisk.insert(id)
      last = seq
    }
    nextDispatchSeq = last + 1
  }

  /// The tree of a process being loaded: from the cache, else read (a finished process with live expressions).
  private func tree(of wfid: String, _ db: Database) -> PDefNode? {
    if let tree = processes[wfid]?.tree { return tree }
    guard let text = try? String.fetchOne(db, sql: "SELECT tree FROM processes WHERE wfid = ?", arguments: [wfid]),
      let value = try? StorageCoding.parse(text, "processes.tree")
    else { return nil }
    return try? StorageCoding.decodeTree(value, "processes.tree")
  }

  private static let processColumns = "wfid, name, revision, status, tree, fields, errors, origin"

  private func decodeProcess(_ row: Row, history: [String]) throws -> ProcessRecord {
    let wfid: String = row[0]
    do {
      let statusText: String = row[3]
      guard let status = ProcessStatus(rawValue: statusText) else {
        throw StorageDecodingError("unknown status `\(statusText)`")
      }
      let tree = try StorageCoding.decodeTree(StorageCoding.parse(row[4], "processes.tree"), "processes.tree")
      let fieldsText: String? = row[5]
      let fields = try fieldsText.map { (text) throws(StorageDecodingError) in
        try StorageCoding.requireObject(StorageCoding.parse(text, "processes.fields"), "processes.fields")
      }
      let errors = try StorageCoding.decodeErrors(StorageCoding.parse(row[6], "processes.errors"), "processes.errors")
      let originText: String? = row[7]
      let origin = try originText.map { (text) throws(StorageDecodingError) in
        try StorageCoding.requireObject(StorageCoding.parse(text, "processes.origin"), "processes.origin")
      }
      return ProcessRecord(
        wfid: wfid, name: row[1], revision: row[2], tree: tree, status: status, fields: fields, errors: errors,
        history: history, origin: origin)
    } catch let error as StorageDecodingError {
      throw StorageError.corrupt(path, table: "processes", key: wfid, error)
    }
  }

  // MARK: - EngineStore

  public func expression(_ id: FlowExpressionID) -> FlowExpression? { expressionsByWfid[id.wfid]?[id] }

  public func save(_ expression: FlowExpression) {
    expressionsByWfid[expression.id.wfid, default: [:]][expression.id] = expression
    dirtyExpressions.insert(expression.id)
  }

  public func remove(_ id: FlowExpressionID) {
    guard expressionsByWfid[id.wfid]?.removeValue(forKey: id) != nil else { return }
    if expressionsByWfid[id.wfid]?.isEmpty == true { expressionsByWfid[id.wfid] = nil }
    dirtyExpressions.insert(id)
  }

  public func expressions(of wfid: String) -> [FlowExpression] {
    (expressionsByWfid[wfid]?.values).map { $0.sorted { $0.id.expid < $1.id.expid } } ?? []
  }

  public func enqueue(_ message: EngineMessage) {
    queue.append((nextMessageSeq, message))
    nextMessageSeq += 1
  }

  public func dequeue() -> EngineMessage? {
    guard queueHead < queue.count else { return nil }
    let (seq, message) = queue[queueHead]
    messagesConsumedUpTo = seq
    queueHead += 1
    if queueHead > 1024 && queueHead * 2 > queue.count {
      queue.removeFirst(queueHead)
      queueHead = 0
    }
    return message
  }

  public func process(_ wfid: String) -> ProcessRecord? {
    if let record = processes[wfid] { return record }
    // Finished processes leave the cache at flush; read one back on demand.
    do {
      let record = try database.read { db throws -> ProcessRecord? in
        guard
          let row = try Row.fetchOne(
            db, sql: "SELECT \(Self.processColumns) FROM processes WHERE wfid = ?", arguments: [wfid])
        else { return nil }
        let history = try String.fetchAll(
          db, sql: "SELECT line FROM history WHERE wfid = ? ORDER BY line_no", arguments: [wfid])
        return try decodeProcess(row, history: history)
      }
      if let record {
        processes[wfid] = record
        readBackProcesses.insert(wfid)
        historyLinesOnDisk[wfid] = record.history.count
        treesOnDisk[wfid] = record.tree
      }
      return record
    } catch {
      deferredError = error as? StorageError ?? StorageError(path: path, "cannot read process \(wfid): \(error)")
      return nil
    }
  }

  public func save(_ process: ProcessRecord) {
    processes[process.wfid] = process
    dirtyProcesses.insert(process.wfid)
  }

  public func addDispatch(_ dispatch: Dispatch) {
    pending[dispatch.expression] = (nextDispatchSeq, dispatch)
    nextDispatchSeq += 1
    dirtyDispatches.insert(dispatch.expression)
  }

  public func removeDispatch(_ id: FlowExpressionID) -> Dispatch? {
    guard let entry = pending.removeValue(forKey: id) else { return nil }
    dirtyDispatches.insert(id)
    return entry.dispatch
  }

  public var dispatches: [Dispatch] { pending.values.sorted { $0.seq < $1.seq }.map(\.dispatch) }

  // MARK: - Flushing

  /// Whether anything changed in memory since the last flush.
  public var hasUnflushedChanges: Bool {
    !dirtyExpressions.isEmpty || !dirtyProcesses.isEmpty || !dirtyDispatches.isEmpty || !eventMarks.isEmpty
      || !dirtyCalls.isEmpty || !dirtyTimers.isEmpty || !dirtyListeners.isEmpty || !dirtyBuiltIns.isEmpty
      || nextMessageSeq - 1 > messagesWrittenUpTo || messagesConsumedUpTo > messagesDeletedUpTo
  }

  /// What the last flush wrote, for benchmarks and logs.
  public private(set) var lastFlushRowCount = 0

  /// Writes every change since the last flush in one transaction. If it
  /// throws, nothing was written and the changes stay recorded for the next try.
  public func flush() throws(StorageError) {
    if let error = deferredError {
      deferredError = nil
      throw error
    }
    guard hasUnflushedChanges else {
      lastFlushRowCount = 0
      return
    }
    let timestamp = now()
    var rows = 0
    do {
      try database.write { db in
        rows += try writeExpressions(db)
        rows += try writeMessages(db)
        rows += try writeProcesses(db, timestamp: timestamp)
        rows += try writeDispatches(db)
        rows += try writeEventMarks(db)
        rows += try writeCalls(db)
        rows += try writeTimersTrackersAndBuiltIns(db)
      }
    } catch {
      throw StorageError(
        path: path, "cannot write the engine's changes (\(error)); they stay in memory and the next flush retries")
    }
    lastFlushRowCount = rows
    markFlushed()
  }

  private func writeExpressions(_ db: Database) throws -> Int {
    guard !dirtyExpressions.isEmpty else { return 0 }
    let upsert = try db.cachedStatement(
      sql: """
        INSERT INTO expressions (wfid, expid, subid, status, body) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (wfid, expid, subid) DO UPDATE SET status = excluded.status, body = excluded.body
        """)
    let delete = try db.cachedStatement(sql: "DELETE FROM expressions WHERE wfid = ? AND expid = ? AND subid = ?")
    var count = 0
    for id in dirtyExpressions {
      if let expression = expressionsByWfid[id.wfid]?[id] {
        try upsert.execute(arguments: [
          id.wfid, id.expid, id.subid, expression.status.rawValue,
          StorageCoding.encodeBody(expression, processTree: processes[id.wfid]?.tree).serialized(),
        ])
        count += 1
      } else if expressionsOnDisk.contains(id) {
        try delete.execute(arguments: [id.wfid, id.expid, id.subid])
        count += 1
      }
    }
    return count
  }

  private func writeMessages(_ db: Database) throws -> Int {
    var count = 0
    if messagesConsumedUpTo > messagesDeletedUpTo && messagesDeletedUpTo < messagesWrittenUpTo {
      let delete = try db.cachedStatement(sql: "DELETE FROM messages WHERE seq <= ?")
      try delete.execute(arguments: [min(messagesConsumedUpTo, messagesWrittenUpTo)])
      count += db.changesCount
    }
    let appended = Int(nextMessageSeq - 1 - messagesWrittenUpTo)
    if appended > 0 {
      let insert = try db.cachedStatement(sql: "INSERT INTO messages (seq, body) VALUES (?, ?)")
      for index in max(queueHead, queue.count - appended)..<queue.count {
        let (seq, message) = queue[index]
        try insert.execute(arguments: [
          seq, StorageCoding.encode(message, processTree: tree(for: message)).serialized(),
        ])
        count += 1
      }
    }
    return count
  }

  /// The tree an apply message's node may be named in.
  private func tree(for message: EngineMessage) -> PDefNode? {
    guard case .apply(let apply) = message else { return nil }
    return processes[apply.id.wfid]?.tree
  }

  private func writeProcesses(_ db: Database, timestamp date: Date) throws -> Int {
    let timestamp = StorageTime.text(date)
    guard !dirtyProcesses.isEmpty else { return 0 }
    let upsert = try db.cachedStatement(
      sql: """
        INSERT INTO processes (wfid, name, revision, status, tree, fields, errors, origin, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (wfid) DO UPDATE SET name = excluded.name, revision = excluded.revision,
          status = excluded.status, tree = excluded.tree, fields = excluded.fields, errors = excluded.errors,
          origin = excluded.origin, updated_at = excluded.updated_at
        """)
    // The tree is the biggest column and never changes after launch: skip it when the disk has it.
    let update = try db.cachedStatement(
      sql: """
        UPDATE processes SET name = ?, revision = ?, status = ?, fields = ?, errors = ?, updated_at = ? WHERE wfid = ?
        """)
    let appendLine = try db.cachedStatement(sql: "INSERT INTO history (wfid, line_no, line) VALUES (?, ?, ?)")
    let clearHistory = try db.cachedStatement(sql: "DELETE FROM history WHERE wfid = ?")
    var count = 0
    for wfid in dirtyProcesses {
      guard let record = processes[wfid] else { continue }
      let fields = record.fields.map { JSONValue.object($0).serialized() }
      if treesOnDisk[wfid] == record.tree {
        try update.execute(arguments: [
          record.name, record.revision, record.status.rawValue, fields, StorageCoding.encodeErrors(record.errors),
          timestamp, wfid,
        ])
      }
      if treesOnDisk[wfid] != record.tree || db.changesCount == 0 {
        try upsert.execute(arguments: [
          wfid, record.name, record.revision, record.status.rawValue, StorageCoding.encodeTree(record.tree), fields,
          StorageCoding.encodeErrors(record.errors), record.origin.map { JSONValue.object($0).serialized() },
          timestamp, timestamp,
        ])
      }
      count += 1
      var written = historyLinesOnDisk[wfid] ?? 0
      if record.history.count < written {
        // History is append-only in the engine; a shorter one was rewritten, so replace it.
        try clearHistory.execute(arguments: [wfid])
        written = 0
      }
      for lineNumber in written..<record.history.count {
        try appendLine.execute(arguments: [wfid, lineNumber, record.history[lineNumber]])
        count += 1
      }
    }
    return count
  }

  private func writeDispatches(_ db: Database) throws -> Int {
    guard !dirtyDispatches.isEmpty else { return 0 }
    let insert = try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO dispatches (wfid, expid, subid, seq, participant, workitem) VALUES (?, ?, ?, ?, ?, ?)
        """)
    let delete = try db.cachedStatement(sql: "DELETE FROM dispatches WHERE wfid = ? AND expid = ? AND subid = ?")
    var count = 0
    for id in dirtyDispatches {
      if let (seq, dispatch) = pending[id] {
        try insert.execute(arguments: [
          id.wfid, id.expid, id.subid, seq, dispatch.participant, JSONValue.object(dispatch.workitem).serialized(),
        ])
        count += 1
      } else if dispatchesOnDisk.contains(id) {
        try delete.execute(arguments: [id.wfid, id.expid, id.subid])
        count += 1
      }
    }
    return count
  }

  private func writeEventMarks(_ db: Database) throws -> Int {
    guard !eventMarks.isEmpty else { return 0 }
    let update = try db.cachedStatement(sql: "UPDATE events SET status = ?, result = ?, error = ? WHERE id = ?")
    for (id, mark) in eventMarks {
      try update.execute(arguments: [mark.status.rawValue, mark.result?.serialized(), mark.error, id])
    }
    return eventMarks.count
  }

  /// After a commit: the disk now matches memory.
  private func markFlushed() {
    dirtyTimers.removeAll(keepingCapacity: true)
    dirtyListeners.removeAll(keepingCapacity: true)
    dirtyBuiltIns.removeAll(keepingCapacity: true)
    for id in dirtyExpressions {
      if expressionsByWfid[id.wfid]?[id] != nil {
        expressionsOnDisk.insert(id)
      } else {
        expressionsOnDisk.remove(id)
      }
    }
    dirtyExpressions.removeAll(keepingCapacity: true)

    messagesDeletedUpTo = max(messagesDeletedUpTo, messagesConsumedUpTo)
    messagesWrittenUpTo = nextMessageSeq - 1

    for wfid in dirtyProcesses {
      guard let record = processes[wfid] else { continue }
      if record.status == .running || record.status == .error {
        historyLinesOnDisk[wfid] = record.history.count
        treesOnDisk[wfid] = record.tree
      } else {
        // Finished processes leave memory once written; `process(_:)` reads them back.
        forgetCached(wfid)
      }
    }
    dirtyProcesses.removeAll(keepingCapacity: true)
    // Read back by `process(_:)` and not changed since: finished ones leave again.
    for wfid in readBackProcesses where !dirtyProcesses.contains(wfid) {
      if let status = processes[wfid]?.status, status != .running && status != .error { forgetCached(wfid) }
    }
    readBackProcesses.removeAll(keepingCapacity: true)

    for id in dirtyDispatches {
      if pending[id] != nil {
        dispatchesOnDisk.insert(id)
      } else {
        dispatchesOnDisk.remove(id)
      }
    }
    dirtyDispatches.removeAll(keepingCapacity: true)
    eventMarks.removeAll()
    dirtyCalls.removeAll(keepingCapacity: true)
  }

  /// Forgets cached copies of pruned processes (called by `prune`).
  func forgetProcesses(_ wfids: [String]) {
    for wfid in wfids where !dirtyProcesses.contains(wfid) { forgetCached(wfid) }
  }

  private func forgetCached(_ wfid: String) {
    processes[wfid] = nil
    historyLinesOnDisk[wfid] = nil
    treesOnDisk[wfid] = nil
  }

  /// Processes that still have expressions, or messages waiting (prune keeps them: they name
  /// nodes of their trees). One pass over the queue, however many processes prune looks at.
  func processesInUse() -> Set<String> {
    var inUse = Set(expressionsByWfid.keys)
    for (_, message) in queue[queueHead...] { inUse.insert(messageWfid(message)) }
    return inUse
  }

  private func messageWfid(_ message: EngineMessage) -> String {
    switch message {
    case .apply(let apply): apply.id.wfid
    case .reply(let to, _, _): to.wfid
    case .cancel(let id, _), .timer(let id, _), .receive(let id, _): id.wfid
    case .command(let to, _): to.wfid
    }
  }

  // MARK: - Timers, listeners, built-in state

  public func addTimer(_ timer: EngineTimer) {
    let position = timers.firstIndex { $0.due > timer.due } ?? timers.count
    timers.insert(timer, at: position)
    dirtyTimers.insert(timer.expression)
  }

  public func takeTimers(dueAt date: Date) -> [EngineTimer] {
    let due = timers.prefix { $0.due <= date }
    guard !due.isEmpty else { return [] }
    timers.removeFirst(due.count)
    for timer in due { dirtyTimers.insert(timer.expression) }
    return Array(due)
  }

  public func removeTimers(of id: FlowExpressionID) {
    guard timers.contains(where: { $0.expression == id }) else { return }
    timers.removeAll { $0.expression == id }
    dirtyTimers.insert(id)
  }

  public var nextTimerDue: Date? { timers.first?.due }

  public func addTracker(_ listener: FlowExpressionID, key: String) {
    listeners.add(listener, key: key)
    dirtyListeners.insert(listener)
  }

  public func removeTracker(_ listener: FlowExpressionID) {
    guard listeners.remove(listener) else { return }
    dirtyListeners.insert(listener)
  }

  public var trackers: TrackerIndex { listeners }

  public func builtInState(_ name: String) -> JSONValue? { builtIns[name] }

  public func setBuiltInState(_ name: String, _ value: JSONValue?) {
    builtIns[name] = value
    dirtyBuiltIns.insert(name)
  }

  private func loadTimersTrackersAndBuiltIns(_ db: Database) throws {
    let timerRows = try Row.fetchCursor(db, sql: "SELECT wfid, expid, subid, kind, due FROM timers ORDER BY due")
    while let row = try timerRows.next() {
      guard let kind = TimerKind(rawValue: row[3]) else { continue }
      let due: Double = row[4]
      timers.append(
        EngineTimer(
          expression: FlowExpressionID(wfid: row[0], expid: row[1], subid: row[2]), kind: kind,
          due: Date(timeIntervalSince1970: due)))
    }
    let trackerRows = try Row.fetchCursor(db, sql: "SELECT wfid, expid, subid, key, seq FROM trackers ORDER BY seq")
    while let row = try trackerRows.next() {
      listeners.add(FlowExpressionID(wfid: row[0], expid: row[1], subid: row[2]), key: row[3])
      nextTrackerSeq = max(nextTrackerSeq, (row[4] as Int64) + 1)
    }
    let builtInRows = try Row.fetchCursor(db, sql: "SELECT name, value FROM builtins")
    while let row = try builtInRows.next() {
      let name: String = row[0]
      let text: String = row[1]
      builtIns[name] = try? JSONValue.parse(text)
    }
  }

  private func writeTimersTrackersAndBuiltIns(_ db: Database) throws -> Int {
    var count = 0
    if !dirtyTimers.isEmpty {
      let delete = try db.cachedStatement(sql: "DELETE FROM timers WHERE wfid = ? AND expid = ? AND subid = ?")
      let insert = try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO timers (wfid, expid, subid, kind, due) VALUES (?, ?, ?, ?, ?)")
      for id in dirtyTimers {
        try delete.execute(arguments: [id.wfid, id.expid, id.subid])
        count += 1
        for timer in timers where timer.expression == id {
          try insert.execute(arguments: [
            id.wfid, id.expid, id.subid, timer.kind.rawValue, timer.due.timeIntervalSince1970,
          ])
          count += 1
        }
      }
    }
    if !dirtyListeners.isEmpty {
      let delete = try db.cachedStatement(sql: "DELETE FROM trackers WHERE wfid = ? AND expid = ? AND subid = ?")
      let insert = try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO trackers (wfid, expid, subid, key, seq) VALUES (?, ?, ?, ?, ?)")
      for id in dirtyListeners {
        if let key = listeners.key(of: id) {
          try insert.execute(arguments: [id.wfid, id.expid, id.subid, key, nextTrackerSeq])
          nextTrackerSeq += 1
        } else {
          try delete.execute(arguments: [id.wfid, id.expid, id.subid])
        }
        count += 1
      }
    }
    if !dirtyBuiltIns.isEmpty {
      let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO builtins (name, value) VALUES (?, ?)")
      let delete = try db.cachedStatement(sql: "DELETE FROM builtins WHERE name = ?")
      for name in dirtyBuiltIns {
        if let value = builtIns[name] {
          try upsert.execute(arguments: [name, value.serialized()])
        } else {
          try delete.execute(arguments: [name])
        }
        count += 1
      }
    }
    return count
  }
}
