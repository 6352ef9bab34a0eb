import Foundation
import GRDB
import Workflow

/// The participant calls, one row each in `calls`. A start and an end are kept
/// in memory and written by the next `flush()`, with the engine changes they
/// came with: a call is on disk as `running` exactly when its dispatch is.
extension SQLiteEngineStore {
  /// The most of a call's stderr a row keeps (its end); the runner keeps no more by default.
  public static let storedStderrBytes = 64 * 1024

  public func callStarted(_ call: ParticipantCallReport) {
    let seq = nextCallSeq
    nextCallSeq += 1
    openCalls[call.expression] = (seq, call)
    dirtyCalls[seq] = call
  }

  public func callEnded(_ call: ParticipantCallReport) {
    guard let open = openCalls.removeValue(forKey: call.expression) else { return }
    dirtyCalls[open.seq] = open.call.ended(as: call)
  }

  /// Closes the calls a previous serve left `running` (it stopped or died while
  /// they ran) as `interrupted`, written by the next flush; calls of `keeping`
  /// stay open (a built-in's lock wait survives a restart). Returns the attempt
  /// of each call closed, so the call made again counts on from it.
  public func closeCallsLeftRunning(keeping: Set<FlowExpressionID>) throws(StorageError) -> [FlowExpressionID: Int] {
    let left: [(seq: Int64, call: ParticipantCallReport)]
    do {
      left = try database.read { db in
        try Row.fetchAll(
          db, sql: "SELECT seq, \(Self.callColumns) FROM calls WHERE outcome = 'running' ORDER BY seq"
        ).map { row throws -> (Int64, ParticipantCallReport) in
          let seq: Int64 = row[0]
          do {
            return (seq, try Self.decodeCall(row, from: 1))
          } catch let error as StorageDecodingError {
            throw StorageError.corrupt(path, table: "calls", key: "seq \(seq)", error)
          }
        }
      }
    } catch let error as StorageError {
      throw error
    } catch {
      throw StorageError(path: path, "cannot read the participant calls left running: \(error)")
    }
    var attempts: [FlowExpressionID: Int] = [:]
    for (seq, call) in left where openCalls[call.expression] == nil {
      if keeping.contains(call.expression) {
        openCalls[call.expression] = (seq, call)
        continue
      }
      var closed = call
      closed.outcome = .interrupted
      closed.error = "robogrator stopped while the call was running"
      dirtyCalls[seq] = closed
      attempts[call.expression] = max(attempts[call.expression] ?? 0, call.attempt)
    }
    return attempts
  }

  func writeCalls(_ db: Database) throws -> Int {
    guard !dirtyCalls.isEmpty else { return 0 }
    let upsert = try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO calls (seq, \(Self.callColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for (seq, call) in dirtyCalls {
      let arguments: StatementArguments = [
        seq, call.expression.wfid, call.expression.expid, call.expression.subid, call.participant, call.attempt,
        call.resolution.rawValue, call.executablePath, StorageTime.text(call.startedAt),
        call.endedAt.map(StorageTime.text),
        Self.milliseconds(call.duration), Self.milliseconds(call.queueWait), call.exit, call.outcome.rawValue,
        call.error, Self.tail(call.stderr, bytes: Self.storedStderrBytes), call.stderrTotalBytes,
      ]
      try upsert.execute(arguments: arguments)
    }
    return dirtyCalls.count
  }

  /// Forgets unwritten and open calls of pruned processes, so no flush writes them back.
  func forgetCalls(of wfids: Set<String>) {
    dirtyCalls = dirtyCalls.filter { !wfids.contains($0.value.expression.wfid) }
    openCalls = openCalls.filter { !wfids.contains($0.key.wfid) }
  }

  static let callColumns = """
    wfid, expid, subid, participant, attempt, resolution, executable, started_at, ended_at, duration_ms, \
    queue_wait_ms, exit, outcome, error, stderr, stderr_total_bytes
    """

  /// A call from the `callColumns` of `row`, starting at column `first`.
  static func decodeCall(_ row: Row, from first: Int) throws(StorageDecodingError) -> ParticipantCallReport {
    let resolutionText: String = row[first + 5]
    let outcomeText: String = row[first + 12]
    guard let resolution = ParticipantCallReport.Resolution(rawValue: resolutionText) else {
      throw StorageDecodingError("unknown resolution `\(resolutionText)`")
    }
    guard let outcome = ParticipantCallReport.Outcome(rawValue: outcomeText) else {
      throw StorageDecodingError("unknown outcome `\(outcomeText)`")
    }
    let durationMilliseconds: Int64 = row[first + 9]
    let queueWaitMilliseconds: Int64 = row[first + 10]
    return ParticipantCallReport(
      expression: FlowExpressionID(wfid: row[first], expid: row[first + 1], subid: row[first + 2]),
      participant: row[first + 3], attempt: row[first + 4], resolution: resolution, executablePath: row[first + 6],
      startedAt: row[first + 7], endedAt: row[first + 8], duration: .milliseconds(durationMilliseconds),
      queueWait: .milliseconds(queueWaitMilliseconds), exit: row[first + 11], outcome: outcome,
      error: row[first + 13], stderr: row[first + 14], stderrTotalBytes: row[first + 15])
  }

  static func milliseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1000 + Int64((Double(attoseconds) / 1e15).rounded())
  }

  /// The last `bytes` bytes of `text` at most, starting on a whole character.
  static func tail(_ text: String, bytes: Int) -> String {
    let utf8 = text.utf8
    guard utf8.count > bytes else { return text }
    var start = utf8.index(utf8.endIndex, offsetBy: -bytes)
    while start < utf8.endIndex && UTF8.isContinuation(utf8[start]) { start = utf8.index(after: start) }
    return String(decoding: utf8[start...], as: UTF8.self)
  }
}
