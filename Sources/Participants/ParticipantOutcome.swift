#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a participant process ended, as reported by the kernel.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
  /// The process called exit with this status.
  case exited(Int32)
  /// The process was terminated by this signal.
  case signalled(Int32)

  public var description: String {
    switch self {
    case .exited(let code): "exited with status \(code)"
    case .signalled(let signal): "killed by signal \(signalName(signal))"
    }
  }
}

/// What happened to one participant call, in the terms the engine acts on.
public struct ParticipantOutcome: Sendable {
  /// Why the call ended.
  public enum Reason: Sendable, Hashable, CustomStringConvertible {
    /// The program exited by itself with this status (0 = it replied).
    case exited(Int32)
    /// The program was killed by this signal, not by the runner.
    case signalled(Int32)
    /// The timeout elapsed; the runner terminated the process group.
    case timedOut
    /// The call was cancelled; the runner terminated the process group (or never started it).
    case cancelled
    /// The program could not be started; the message names the path and the system error.
    case failedToStart(String)

    public var description: String {
      switch self {
      case .exited(let code): "exited with status \(code)"
      case .signalled(let signal): "killed by signal \(signalName(signal))"
      case .timedOut: "timed out"
      case .cancelled: "cancelled"
      case .failedToStart(let message): message
      }
    }

    /// How a call's record names the end: `exit 3`, `signal 9 (KILL)`, `timed out`, `cancelled`, `not started`.
    public var exitText: String {
      switch self {
      case .exited(let code): "exit \(code)"
      case .signalled(let signal):
        "signal \(signal)" + (signalName(signal).hasPrefix("SIG") ? " (\(signalName(signal).dropFirst(3)))" : "")
      case .timedOut: "timed out"
      case .cancelled: "cancelled"
      case .failedToStart: "not started"
      }
    }
  }

  /// The participant program that was run.
  public var executablePath: String
  /// Why the call ended.
  public var reason: Reason
  /// How the process ended (also after a timeout or cancel: SIGTERM, SIGKILL, or its own exit);
  /// `nil` when it never started.
  public var status: ExitStatus?
  /// Process id of the participant (also its process group id); `nil` when it never started.
  public var processID: Int32?
  /// The reply: stdout, at most the runner's reply limit (see `stdoutTotalBytes`).
  public var stdout: [UInt8]
  /// Bytes the program wrote to stdout, including any beyond the limit that were discarded.
  public var stdoutTotalBytes: Int
  /// The last bytes of stderr (the call's log), at most the runner's tail size.
  public var stderrTail: [UInt8]
  /// Bytes the program wrote to stderr in total.
  public var stderrTotalBytes: Int
  /// Bytes of the workitem the program read before closing stdin or exiting.
  public var workitemBytesDelivered: Int
  /// Wall-clock time from start (after any wait for a concurrency slot) to reaping.
  public var duration: Duration
  /// Time spent waiting for a concurrency slot.
  public var queueWait: Duration

  /// Whether stdout exceeded the reply limit (the reply is then unusable).
  public var stdoutOverflowed: Bool { stdoutTotalBytes > stdout.count }

  /// stderr tail as text, invalid UTF-8 replaced.
  public var stderrText: String { String(decoding: stderrTail, as: UTF8.self) }

  /// The last `count` non-empty lines of the stderr tail, for error messages.
  public func stderrLastLines(_ count: Int = 20) -> [String] {
    let lines = stderrText.split(whereSeparator: \.isNewline).map(String.init)
    return Array(lines.suffix(count))
  }
}

/// The conventional name of a signal number ("SIGKILL"), or "signal N" if unknown.
public func signalName(_ signal: Int32) -> String {
  let names: [Int32: String] = [
    SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
    SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
    SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
    SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGTTIN: "SIGTTIN",
    SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM",
    SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO", SIGSYS: "SIGSYS",
  ]
  return names[signal] ?? "signal \(signal)"
}
