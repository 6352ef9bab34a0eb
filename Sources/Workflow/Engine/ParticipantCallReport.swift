import Foundation

/// The record of one participant call, for `robogrator show`: who served it,
/// how it ended, and what it wrote to stderr.
///
/// The dispatcher makes it (it knows how the call was served) and the engine
/// store keeps it (`callStarted`, then `callEnded`), one record per call. It
/// lives here, next to `Dispatch`, because both the participants and the
/// storage module see this one and neither may see the other.
public struct ParticipantCallReport: Sendable, Equatable {
  /// Who served the call.
  public enum Resolution: String, Sendable {
    case executable
    case alias
    case builtin
    case signal
    case unknown
  }

  /// Where the call stands.
  public enum Outcome: String, Sendable {
    /// Started, not answered yet.
    case running
    /// Answered with a workitem.
    case ok
    /// Answered with an error (non-zero exit, an error reply, an unknown participant, ...).
    case error
    /// Its expression was cancelled; an answer that came was dropped.
    case cancelled
    /// robogrator stopped while the call ran; it is called again if its expression still waits.
    case interrupted
  }

  public var expression: FlowExpressionID
  public var participant: String
  /// 1, or 2 and more when the call is made again after a restart.
  public var attempt: Int
  public var resolution: Resolution
  /// The program that ran (executables and aliases).
  public var executablePath: String?
  public var startedAt: Date
  /// When the answer came; `nil` while running, and for an interrupted call.
  public var endedAt: Date?
  /// How long the program ran; zero for built-ins, signals and unknown names.
  public var duration: Duration
  /// How long the program waited for a free participant slot before it started.
  public var queueWait: Duration
  /// How the program ended: `exit 0`, `signal 9 (KILL)`, `timed out`, `cancelled`, `not started`;
  /// `nil` while it runs and when no program ran.
  public var exit: String?
  public var outcome: Outcome
  /// Why the call failed, when it did (the process error, without the stderr lines).
  public var error: String?
  /// The end of what the program wrote to stderr (its log).
  public var stderr: String
  /// Bytes the program wrote to stderr in all; more than `stderr` holds when its start was cut.
  public var stderrTotalBytes: Int

  public init(
    expression: FlowExpressionID, participant: String, attempt: Int = 1, resolution: Resolution,
    executablePath: String? = nil, startedAt: Date, endedAt: Date? = nil, duration: Duration = .zero,
    queueWait: Duration = .zero, exit: String? = nil, outcome: Outcome = .running, error: String? = nil,
    stderr: String = "", stderrTotalBytes: Int = 0
  ) {
    self.expression = expression
    self.participant = participant
    self.attempt = attempt
    self.resolution = resolution
    self.executablePath = executablePath
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.duration = duration
    self.queueWait = queueWait
    self.exit = exit
    self.outcome = outcome
    self.error = error
    self.stderr = stderr
    self.stderrTotalBytes = stderrTotalBytes
  }

  /// This call as `end` ended it: everything about the end comes from `end`, who was
  /// called, which attempt and when it started stay this record's. A lock wait is
  /// ended by whoever releases the lock, which does not know when the wait began.
  public func ended(as end: ParticipantCallReport) -> ParticipantCallReport {
    var call = self
    call.endedAt = end.endedAt
    call.duration = end.duration
    call.queueWait = end.queueWait
    call.exit = end.exit
    call.outcome = end.outcome
    call.error = end.error
    call.stderr = end.stderr
    call.stderrTotalBytes = end.stderrTotalBytes
    return call
  }
}
