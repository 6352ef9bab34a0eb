import Subprocess
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs executable participants: one process group per call, the workitem on stdin, the reply
/// on stdout, stderr kept as the call's log, under a concurrency limit and a timeout, and
/// terminated (SIGTERM to the group, SIGKILL after a grace period) on timeout or cancel.
///
/// Spawning goes through swift-subprocess, which resets the child's signal mask and
/// dispositions (Foundation.Process started from async code leaves TERM/INT/HUP blocked in the
/// child) and waits for exit with pidfd + epoll instead of polling.
public final class ExecutableRunner: Sendable {
  /// Limits and policies shared by every call through one runner.
  public struct Configuration: Sendable, Equatable {
    /// Most participant processes running at once; further calls wait in FIFO order.
    public var maxConcurrentProcesses: Int
    /// Timeout for calls whose expression has no `:timeout`; `nil` means none.
    public var defaultTimeout: Duration?
    /// Time between SIGTERM and SIGKILL when terminating a process group.
    public var terminationGracePeriod: Duration
    /// Largest reply (stdout) kept; a longer reply is drained, counted and rejected.
    public var maxReplyBytes: Int
    /// How much of the end of stderr is kept.
    public var stderrTailBytes: Int
    /// Kill (SIGKILL) whatever is left in the participant's process group once the participant
    /// itself has exited, so background children cannot outlive the call.
    public var killsLeftoverProcesses: Bool

    public init(
      maxConcurrentProcesses: Int = 8,
      defaultTimeout: Duration? = .seconds(6 * 3600),
      terminationGracePeriod: Duration = .seconds(5),
      maxReplyBytes: Int = 16 * 1024 * 1024,
      stderrTailBytes: Int = 64 * 1024,
      killsLeftoverProcesses: Bool = true
    ) {
      self.maxConcurrentProcesses = maxConcurrentProcesses
      self.defaultTimeout = defaultTimeout
      self.terminationGracePeriod = terminationGracePeriod
      self.maxReplyBytes = maxReplyBytes
      self.stderrTailBytes = stderrTailBytes
      self.killsLeftoverProcesses = killsLeftoverProcesses
    }
  }

  /// The limits this runner applies (a call keeps those it started with).
  public var configuration: Configuration { current.withLock { $0 } }
  private let current: Mutex<Configuration>
  let limit: ConcurrencyLimit

  public init(configuration: Configuration = Configuration()) {
    precondition(configuration.maxReplyBytes > 0 && configuration.stderrTailBytes > 0)
    self.current = Mutex(configuration)
    self.limit = ConcurrencyLimit(limit: configuration.maxConcurrentProcesses)
    // A participant that exits without reading its whole workitem closes the pipe under our
    // write; with SIGPIPE at its default that would kill the engine. The write then fails with
    // EPIPE, which the runner expects. Children do not inherit this: swift-subprocess spawns
    // with POSIX_SPAWN_SETSIGDEF for every signal and an empty signal mask.
    _ = signal(SIGPIPE, SIG_IGN)
  }

  /// Applies new limits (a configuration reload): calls started from now on
  /// use them; the concurrency limit changes at once.
  public func reconfigure(_ configuration: Configuration) {
    precondition(configuration.maxReplyBytes > 0 && configuration.stderrTailBytes > 0)
    current.withLock { $0 = configuration }
    limit.setLimit(configuration.maxConcurrentProcesses)
  }

  /// Participant programs started and not yet ended (reaped).
  public var runningPrograms: Int { limit.inUse }

  /// Number of calls waiting for a concurrency slot.
  public var queuedCalls: Int { limit.queued }

  /// Runs one participant call to its end and reports what happened. Never throws: every
  /// failure, including failing to start, is an outcome.
  public func run(_ request: ParticipantRun) async -> ParticipantOutcome {
    let clock = ContinuousClock()
    let queuedAt = clock.now
    if request.cancellation.isCancelled || Task.isCancelled {
      return .notStarted(request, reason: .cancelled, queueWait: .zero)
    }
    guard await limit.acquire(cancellation: request.cancellation) else {
      return .notStarted(request, reason: .cancelled, queueWait: queuedAt.duration(to: clock.now))
    }
    defer { limit.release() }
    let startedAt = clock.now
    let queueWait = queuedAt.duration(to: startedAt)
    if request.cancellation.isCancelled || Task.isCancelled {
      return .notStarted(request, reason: .cancelled, queueWait: queueWait)
    }

    let configuration = self.configuration
    let grace = configuration.terminationGracePeriod
    var platformOptions = PlatformOptions()
    // setpgid(0, 0) in the child (POSIX_SPAWN_SETPGROUP): the child leads a new process group
    // whose id is its pid, so signals to -pid reach it and everything it started.
    platformOptions.processGroupID = 0
    // Used by swift-subprocess when the calling task is cancelled (rather than the handle).
    platformOptions.teardownSequence = [
      .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)
    ]
    var environment: [Environment.Key: String?] = [:]
    for (name, value) in request.environment { environment[Environment.Key(stringLiteral: name)] = value }
    for (name, value) in request.identity.environment { environment[Environment.Key(stringLiteral: name)] = value }

    let spawned = Mutex<Int32?>(nil)
    let settings = CallSettings(
      workitem: request.workitem,
      timeout: request.timeout ?? (request.engineEnforcesTimeout ? nil : configuration.defaultTimeout),
      cancellation: request.cancellation,
      gracePeriod: grace,
      maxReplyBytes: configuration.maxReplyBytes,
      stderrTailBytes: configuration.stderrTailBytes,
      killsLeftoverProcesses: configuration.killsLeftoverProcesses
    )
    do {
      let result = try await Subprocess.run(
        .path(.init(request.executablePath)),
        arguments: Arguments(request.arguments),
        environment: .inherit.updating(environment),
        workingDirectory: request.workingDirectory.map { .init($0) },
        platformOptions: platformOptions,
        input: .inputWriter,
        output: .sequence,
        error: .sequence
      ) { execution in
        spawned.withLock { $0 = execution.processIdentifier.value }
        return await Self.supervise(execution, settings)
      }
      let body = result.closureResult
      let status: ExitStatus =
        switch result.terminationStatus {
        case .exited(let code): .exited(code)
        case .signaled(let signal): .signalled(signal)
        }
      let reason: ParticipantOutcome.Reason =
        switch (body.trigger, status) {
        case (.timeout, _): .timedOut
        case (.cancel, _): .cancelled
        case (nil, _) where Task.isCancelled: .cancelled
        case (nil, .exited(let code)): .exited(code)
        case (nil, .signalled(let signal)): .signalled(signal)
        }
      return ParticipantOutcome(
        executablePath: request.executablePath,
        reason: reason,
        status: status,
        processID: result.processIdentifier.value,
        stdout: body.stdout.bytes,
        stdoutTotalBytes: body.stdout.totalBytes,
        stderrTail: body.stderr.tail,
        stderrTotalBytes: body.stderr.totalBytes,
        workitemBytesDelivered: body.workitemBytesDelivered,
        duration: startedAt.duration(to: clock.now),
        queueWait: queueWait
      )
    } catch {
      let message: String
      if let pid = spawned.withLock({ $0 }) {
        message = "participant \(request.executablePath) (pid \(pid)): lost track of the process: \(error)"
      } else {
        message = StartFailure.message(
          for: error, path: request.executablePath, workingDirectory: request.workingDirectory)
      }
      var outcome = ParticipantOutcome.notStarted(request, reason: .failedToStart(message), queueWait: queueWait)
      outcome.duration = startedAt.duration(to: clock.now)
      return outcome
    }
  }
}

// MARK: - Supervising one process

/// What `supervise` needs from the request and configuration, all Sendable.
private struct CallSettings: Sendable {
  let workitem: [UInt8]
  let timeout: Duration?
  let cancellation: ParticipantCancellation
  let gracePeriod: Duration
  let maxReplyBytes: Int
  let stderrTailBytes: Int
  let killsLeftoverProcesses: Bool
}

/// Why the runner terminated a process group.
private enum Trigger: Sendable {
  case timeout
  case cancel
}

/// Holds the first trigger of a call; later ones are ignored.
private final class TriggerLatch: Sendable {
  private let state = Mutex<Trigger?>(nil)

  /// Records `trigger` if it is the first; returns whether it was.
  func claim(_ trigger: Trigger) -> Bool {
    state.withLock { current in
      guard current == nil else { return false }
      current = trigger
      return true
    }
  }

  var trigger: Trigger? { state.withLock { $0 } }
}

private struct SupervisionResult: Sendable {
  var stdout: ReplyCapture
  var stderr: TailCapture
  var workitemBytesDelivered = 0
  var trigger: Trigger?
}

private enum SupervisionEvent: Sendable {
  case stdoutClosed(ReplyCapture)
  case stderrClosed(TailCapture)
  case watcherStopped
}

extension ExecutableRunner {
  private typealias ParticipantExecution = Execution<CustomWriteInput, SequenceOutput, SequenceOutput>

  /// Feeds stdin, drains stdout and stderr, and watches the timeout and the cancel handle, all
  /// concurrently, until the process has exited and its pipes are closed. Runs before
  /// swift-subprocess reaps the process, so the pid still names the process group here.
  ///
  /// The readers and watchers are child tasks; stdin is written by this task itself once the
  /// readers run (so a child that fills stderr before reading stdin cannot deadlock it). Every
  /// task saved here is a visible share of the cost of running /bin/true.
  private static func supervise(
    _ execution: ParticipantExecution,
    _ settings: CallSettings
  ) async -> SupervisionResult {
    let pid = execution.processIdentifier.value
    var result = SupervisionResult(
      stdout: ReplyCapture(limit: settings.maxReplyBytes),
      stderr: TailCapture(limit: settings.stderrTailBytes)
    )
    let latch = TriggerLatch()
    /// Records the trigger and terminates the group, unless another trigger came first.
    @Sendable func terminate(_ trigger: Trigger) async {
      guard latch.claim(trigger) else { return }
      // SIGTERM to the group; once the leader is gone or the grace period is over, SIGKILL to
      // the group (swift-subprocess's implicit last step inherits `toProcessGroup`).
      await execution.teardown(using: [
        .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: settings.gracePeriod)
      ])
    }

    await withTaskGroup(of: SupervisionEvent.self) { group in
      group.addTask {
        var capture = ReplyCapture(limit: settings.maxReplyBytes)
        // A read error ends the stream; what was read so far is kept.
        do {
          for try await chunk in execution.standardOutput { chunk.withUnsafeBytes { capture.append($0) } }
        } catch {}
        return .stdoutClosed(capture)
      }
      group.addTask {
        var capture = TailCapture(limit: settings.stderrTailBytes)
        do {
          for try await chunk in execution.standardError { chunk.withUnsafeBytes { capture.append($0) } }
        } catch {}
        return .stderrClosed(capture)
      }
      if let timeout = settings.timeout {
        group.addTask {
          // Cancelled (throws) when the process ends first.
          if (try? await Task.sleep(for: timeout)) != nil { await terminate(.timeout) }
          return .watcherStopped
        }
      }
      group.addTask {
        if await settings.cancellation.waitUntilCancelled() { await terminate(.cancel) }
        return .watcherStopped
      }

      result.workitemBytesDelivered = await writeWorkitem(settings.workitem, to: execution.standardInputWriter)

      var openStreams = 2
      while openStreams > 0, let event = await group.next() {
        switch event {
        case .stdoutClosed(let capture):
          result.stdout = capture
          openStreams -= 1
        case .stderrClosed(let capture):
          result.stderr = capture
          openStreams -= 1
        case .watcherStopped:
          break
        }
      }
      // Both pipes are closed (or abandoned because the process exited while a grandchild
      // holds them). Usually the process has exited by now; it may also have closed its
      // output and still be running.
      if !hasExited(pid) { await waitForExit(execution) }
      // Stop the watchers; one that is terminating the group finishes that first.
      group.cancelAll()
    }
    result.trigger = latch.trigger
    // The leader has exited but is not reaped yet, so the group id cannot have been reused.
    // This also catches group members that survived the SIGTERM after the leader died.
    if settings.killsLeftoverProcesses || result.trigger != nil || Task.isCancelled {
      _ = kill(-pid, SIGKILL)
    }
    return result
  }

  /// Writes the workitem and closes stdin. A participant that exits or closes stdin early is
  /// not an error (EPIPE, or the write is abandoned when the process exits); returns the bytes
  /// the pipe accepted.
  private static func writeWorkitem(_ workitem: [UInt8], to writer: StandardInputWriter) async -> Int {
    var written = 0
    do {
      written = try await writer.write(workitem)
    } catch {}
    do {
      try await writer.finish()
    } catch {}
    return written
  }

  /// Whether the process has exited, without reaping it (waitid with WNOWAIT, as
  /// swift-subprocess itself peeks).
  private static func hasExited(_ pid: Int32) -> Bool {
    var info = siginfo_t()  // zeroed: si_signo stays 0 unless a child has exited (SIGCHLD)
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
      guard errno == EINTR else { return true }  // ECHILD: nothing left to wait for
    }
    return info.si_signo != 0
  }

  /// Returns once the process has exited (without reaping it), however long that takes.
  ///
  /// swift-subprocess has no public "wait for exit" inside the body closure, but its teardown
  /// waits for exit event-driven (pidfd + epoll): a teardown whose only step sends signal 0
  /// (no signal, just an existence check) and then waits ten years does exactly that.
  private static func waitForExit(_ execution: ParticipantExecution) async {
    await execution.teardown(using: [
      .send(signal: Signal(rawValue: 0), allowedDurationToNextStep: .seconds(10 * 365 * 24 * 3600))
    ])
  }
}

extension ParticipantOutcome {
  /// An outcome for a call whose process never ran.
  static func notStarted(_ request: ParticipantRun, reason: Reason, queueWait: Duration) -> Self {
    ParticipantOutcome(
      executablePath: request.executablePath,
      reason: reason,
      status: nil,
      processID: nil,
      stdout: [],
      stdoutTotalBytes: 0,
      stderrTail: [],
      stderrTotalBytes: 0,
      workitemBytesDelivered: 0,
      duration: .zero,
      queueWait: queueWait
    )
  }
}
