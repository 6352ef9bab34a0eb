import OrderedJSON

/// Why a participant call did not produce a usable reply: the process error the engine records
/// against the participant expression.
public struct ParticipantFailure: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure, for the engine to act on (a timeout is not an error in ruote).
  public enum Kind: Sendable, Hashable {
    /// The reply carried a top-level `"error"`.
    case errorReply
    /// The program exited with a non-zero status.
    case nonZeroExit
    /// The program was killed by a signal it was not sent by the runner.
    case signalled
    /// The call's timeout elapsed.
    case timedOut
    /// The call was cancelled.
    case cancelled
    /// The program could not be started.
    case failedToStart
    /// stdout was not a JSON workitem object.
    case invalidReply
    /// stdout was longer than the reply limit.
    case replyTooLarge
  }

  /// The kind of failure.
  public var kind: Kind
  /// The participant program.
  public var executablePath: String
  /// One line naming the participant and what went wrong; the process error's message.
  public var message: String
  /// The `class` of an error reply (e.g. `Ruote::Amqp::RemoteError`), if it gave one.
  public var errorClass: String?
  /// The `trace` of an error reply, if it gave one.
  public var trace: [String]
  /// The last lines the program wrote to stderr.
  public var stderrLines: [String]
  /// An error reply's own message (what `__error__.message` shows, as in ruote).
  public var replyMessage: String?
  /// The fields of an error reply, if it carried a `fields` object.
  public var replyFields: JSONObject?

  public init(
    kind: Kind, executablePath: String, message: String, errorClass: String? = nil, trace: [String] = [],
    stderrLines: [String] = []
  ) {
    self.kind = kind
    self.executablePath = executablePath
    self.message = message
    self.errorClass = errorClass
    self.trace = trace
    self.stderrLines = stderrLines
  }

  /// The message followed by the end of stderr, as shown to release engineers.
  public var description: String {
    guard !stderrLines.isEmpty else { return message }
    return message + "\nlast lines of stderr:\n" + stderrLines.map { "  " + $0 }.joined(separator: "\n")
  }
}
