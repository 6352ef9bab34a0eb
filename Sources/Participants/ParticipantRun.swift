/// Who a participant call is for: the values exported as the ROBOGRATOR_* environment variables.
public struct ParticipantIdentity: Sendable, Hashable {
  /// The workflow (process instance) id, `fei.wfid`.
  public var wfid: String
  /// The expression id of the participant expression, `fei.expid`.
  public var expid: String
  /// The participant name the expression dispatched to.
  public var participant: String
  /// The delivery attempt, starting at 1 (a replayed or retried call counts up).
  public var attempt: Int

  public init(wfid: String, expid: String, participant: String, attempt: Int = 1) {
    self.wfid = wfid
    self.expid = expid
    self.participant = participant
    self.attempt = attempt
  }

  /// The variables added to the inherited environment of the participant process.
  public var environment: [String: String] {
    [
      "ROBOGRATOR_WFID": wfid,
      "ROBOGRATOR_EXPID": expid,
      "ROBOGRATOR_PARTICIPANT": participant,
      "ROBOGRATOR_ATTEMPT": String(attempt),
    ]
  }
}

/// One call of an executable participant: the program, the workitem for its stdin, and its limits.
public struct ParticipantRun: Sendable {
  /// Absolute path of the participant program (`participants/<name>`).
  public var executablePath: String
  /// Arguments after argv[0] (argv[0] is the executable path).
  public var arguments: [String]
  /// The workitem JSON, written to the program's stdin and then closed.
  public var workitem: [UInt8]
  /// The ROBOGRATOR_* variables for this call.
  public var identity: ParticipantIdentity
  /// Further variables set on top of the inherited environment (they win over inherited ones,
  /// the ROBOGRATOR_* variables win over these).
  public var environment: [String: String]
  /// Working directory of the program; `nil` keeps the runner's own.
  public var workingDirectory: String?
  /// The expression's `:timeout`; `nil` uses the runner's default timeout.
  public var timeout: Duration?
  /// The expression sets its own `:timeout`, which the engine enforces (its timer cancels the
  /// call, and `:on_timeout` applies): the runner's default timeout does not cut it short.
  public var engineEnforcesTimeout = false
  /// Cancelled by the engine when the participant expression is cancelled.
  public var cancellation: ParticipantCancellation

  public init(
    executablePath: String,
    arguments: [String] = [],
    workitem: [UInt8],
    identity: ParticipantIdentity,
    environment: [String: String] = [:],
    workingDirectory: String? = nil,
    timeout: Duration? = nil,
    cancellation: ParticipantCancellation = ParticipantCancellation()
  ) {
    self.executablePath = executablePath
    self.arguments = arguments
    self.workitem = workitem
    self.identity = identity
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.timeout = timeout
    self.cancellation = cancellation
  }
}
