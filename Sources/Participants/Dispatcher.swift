import Foundation
import OrderedJSON
import Synchronization
import Workflow

/// A name pattern served by one executable: `built_.*` → `built_notice`.
public struct ParticipantAlias: Sendable, Equatable {
  /// A regular expression matched against the whole participant name.
  public var pattern: String
  /// The executable (a name in the participants folder, or an absolute path).
  public var executable: String

  public init(pattern: String, executable: String) {
    self.pattern = pattern
    self.executable = executable
  }

  /// Whether `name` is served by this alias (the pattern matches all of it).
  public func matches(_ name: String) -> Bool {
    name.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
  }

  /// Why the pattern is not a regular expression the matcher accepts, or nil when it is.
  public var patternProblem: String? {
    do {
      _ = try NSRegularExpression(pattern: "^(?:\(pattern))$")
      return nil
    } catch {
      return "the pattern does not compile (check its brackets and escapes)"
    }
  }
}

/// Who serves a participant name.
public enum ParticipantResolution: Sendable, Equatable {
  case builtIn(String)
  case executable(path: String)
  case alias(path: String, pattern: String)
  /// Nobody serves it, but a `listen` waits for it: the call is a signal.
  case signal
  case unknown

  /// The kind, as a call's record names it.
  var kind: ParticipantCallReport.Resolution {
    switch self {
    case .builtIn: .builtin
    case .executable: .executable
    case .alias: .alias
    case .signal: .signal
    case .unknown: .unknown
    }
  }

  /// The program that serves the name, if one does.
  var executablePath: String? {
    switch self {
    case .executable(let path), .alias(let path, _): path
    case .builtIn, .signal, .unknown: nil
    }
  }
}

/// Hands each dispatched workitem to whoever serves the participant, and
/// turns the answer into a reply for the engine.
///
/// Resolution order (subprocesses were already taken by the engine): built-in
/// (`obsticket`), an executable `participants/NAME` or `NAME.*`, a configured
/// alias, a signal to a waiting `listen`, else a process error that names the
/// process, the expression and the folders searched. Runs on the engine's
/// thread; executables run concurrently and post their answers back.
///
/// Every call is recorded in the engine's store: started when it is
/// dispatched, ended when it is answered or cancelled. Built-ins, signals and
/// unknown names end at once (a lock wait when the lock is granted); an
/// executable's end is posted with its answer.
public final class Dispatcher: Sendable {
  public let participantsDirectory: String
  /// Configured aliases, tried in order (replaced by a configuration reload).
  public var aliases: [ParticipantAlias] {
    get { aliasTable.withLock { $0 } }
    set { aliasTable.withLock { $0 = newValue } }
  }
  private let aliasTable: Mutex<[ParticipantAlias]>
  public let runner: ExecutableRunner
  /// Delivers a finished executable call (thread-safe): its record, for the store, and its
  /// answer, for the engine; no answer when its expression was cancelled (the record ends
  /// `cancelled`). Both are applied on the engine's thread, the record first.
  let post: @Sendable (ParticipantCallReport, Result<JSONObject, ParticipantError>?) -> Void
  let now: @Sendable () -> Date
  private let running = Mutex<[FlowExpressionID: RunningCall]>([:])

  /// An executable call in progress.
  private struct RunningCall {
    let cancellation: ParticipantCancellation
    /// Its expression was cancelled: its answer is dropped, its record ends `cancelled`.
    var cancelled = false
  }

  public init(
    participantsDirectory: String, aliases: [ParticipantAlias] = [], runner: ExecutableRunner,
    now: @escaping @Sendable () -> Date = Date.init,
    post: @escaping @Sendable (ParticipantCallReport, Result<JSONObject, ParticipantError>?) -> Void
  ) {
    self.participantsDirectory = participantsDirectory
    self.aliasTable = Mutex(aliases)
    self.runner = runner
    self.now = now
    self.post = post
  }

  public func resolve(_ name: String, hasListener: (String) -> Bool) -> ParticipantResolution {
    if name == Obsticket.name { return .builtIn(name) }
    if let path = executable(named: name) { return .executable(path: path) }
    for alias in aliases where alias.matches(name) {
      return .alias(path: executablePath(alias.executable), pattern: alias.pattern)
    }
    if hasListener(name) { return .signal }
    return .unknown
  }

  /// `participants/NAME`, else the first `participants/NAME.*`, if executable.
  func executable(named name: String) -> String? {
    guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
    let direct = participantsDirectory + "/" + name
    if FileManager.default.isExecutableFile(atPath: direct) { return direct }
    let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: participantsDirectory)) ?? [])
      .filter { $0.hasPrefix(name + ".") }.sorted()
    return candidates.map { participantsDirectory + "/" + $0 }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  func executablePath(_ executable: String) -> String {
    executable.hasPrefix("/") ? executable : participantsDirectory + "/" + executable
  }

  /// Starts serving a dispatch (called by the engine's `onDispatch`; `attempt`
  /// is 2 or more when a call is started again after a restart).
  public func dispatch(_ dispatch: Dispatch, engine: WorkflowEngine, attempt: Int = 1) {
    let resolution = resolve(
      dispatch.participant, hasListener: { engine.hasListener(for: $0, from: dispatch.expression.wfid) })
    let call = ParticipantCallReport(
      expression: dispatch.expression, participant: dispatch.participant, attempt: attempt,
      resolution: resolution.kind, executablePath: resolution.executablePath, startedAt: now())
    engine.store.callStarted(call)
    switch resolution {
    case .builtIn:
      answerBuiltIn(Obsticket.handle(dispatch, store: engine.store), engine: engine)
    case .executable(let path), .alias(let path, _):
      run(dispatch, executable: path, call: call)
    case .signal:
      // The caller continues at once; the reply event reaches the listener.
      var fields = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
      fields["params"] = nil
      engine.store.callEnded(ended(call, .ok))
      engine.receive(dispatch.expression, .success(fields))
    case .unknown:
      let aliasText = aliases.isEmpty ? "no aliases configured" : "no alias matches"
      let error = ParticipantError(
        "unknown participant '\(dispatch.participant)' in process \(dispatch.expression.wfid) at "
          + "\(dispatch.expression.expid): not a subprocess of the definition, not built in, no executable "
          + "\(participantsDirectory)/\(dispatch.participant) or \(dispatch.participant).*, \(aliasText), "
          + "and no listen waits for it")
      engine.store.callEnded(ended(call, .error, error: error.message))
      engine.receive(dispatch.expression, .failure(error))
    }
  }

  /// The expression of a running call was cancelled: stop its process group, or drop its lock wait.
  public func cancelled(_ dispatch: Dispatch, engine: WorkflowEngine) {
    if dispatch.participant == Obsticket.name {
      Obsticket.cancelled(dispatch, store: engine.store)
      // Ignored by the store when the lock was granted already: that call has ended.
      engine.store.callEnded(
        ended(
          ParticipantCallReport(
            expression: dispatch.expression, participant: dispatch.participant, resolution: .builtin,
            startedAt: now()), .cancelled))
      return
    }
    // It stays in the table until its task has ended its record.
    let handle = running.withLock { table -> ParticipantCancellation? in
      table[dispatch.expression]?.cancelled = true
      return table[dispatch.expression]?.cancellation
    }
    handle?.cancel()
  }

  /// A process ended: locks it held go to the next waiters.
  public func processEnded(_ process: ProcessRecord, engine: WorkflowEngine) {
    answerBuiltIn(Obsticket.processEnded(process.wfid, store: engine.store), engine: engine)
  }

  /// Stops every running participant (TERM to its process group, KILL after the
  /// grace period; serve waits for `runner.runningPrograms` to reach 0): serve
  /// is stopping, and the next start calls them again. Their records stay
  /// `running`; that start closes them as interrupted.
  public func cancelAll() {
    let handles = running.withLock { table -> [ParticipantCancellation] in
      defer { table.removeAll() }
      return table.values.map(\.cancellation)
    }
    for handle in handles { handle.cancel() }
  }

  /// Gives built-in answers to the engine (the call just made, and lock waits it ended) and ends their records.
  private func answerBuiltIn(_ answers: [Obsticket.Answer], engine: WorkflowEngine) {
    for answer in answers {
      let call = ParticipantCallReport(
        expression: answer.id, participant: Obsticket.name, resolution: .builtin, startedAt: now())
      switch answer.result {
      case .success: engine.store.callEnded(ended(call, .ok))
      case .failure(let error): engine.store.callEnded(ended(call, .error, error: error.message))
      }
      engine.receive(answer.id, answer.result)
    }
  }

  /// `call` ended now without running a program.
  private func ended(
    _ call: ParticipantCallReport, _ outcome: ParticipantCallReport.Outcome, error: String? = nil
  ) -> ParticipantCallReport {
    var call = call
    call.endedAt = now()
    call.outcome = outcome
    call.error = error
    return call
  }

  /// How many executables are running now.
  public var runningCount: Int { running.withLock { $0.count } }

  private func run(_ dispatch: Dispatch, executable: String, call: ParticipantCallReport) {
    let attempt = call.attempt
    let cancellation = ParticipantCancellation()
    running.withLock { $0[dispatch.expression] = RunningCall(cancellation: cancellation) }
    var workitem = dispatch.workitem
    workitem["re_dispatch_count"] = .int(attempt - 1)
    var request = ParticipantRun(
      executablePath: executable, workitem: Array(JSONValue.object(workitem).serialized().utf8),
      identity: ParticipantIdentity(
        wfid: dispatch.expression.wfid, expid: dispatch.expression.expid, participant: dispatch.participant,
        attempt: attempt),
      cancellation: cancellation)
    // With its own :timeout the engine's timer ends the call (and :on_timeout applies); the
    // configured default (participants.timeout) is for calls that set none.
    if let timeout = workitem["fields"]?["params"]?["timeout"], timeout != .null, timeout != "" {
      request.engineEnforcesTimeout = true
    }
    let runner = self.runner
    let post = self.post
    let id = dispatch.expression
    Task { [self] in
      let outcome = await runner.run(request)
      var report = call
      report.endedAt = self.now()
      report.duration = outcome.duration
      report.queueWait = outcome.queueWait
      report.exit = outcome.reason.exitText
      report.stderr = outcome.stderrText
      report.stderrTotalBytes = outcome.stderrTotalBytes
      let answer: Result<JSONObject, ParticipantError>
      switch WorkitemReply.interpret(outcome: outcome, original: workitem) {
      case .success(let reply):
        answer = .success(reply["fields"]?.objectValue ?? JSONObject())
        report.outcome = .ok
      case .failure(let failure):
        // The definition sees an error reply's own message and class (`__error__`, as in ruote);
        // operators see which program failed, how, and its stderr.
        answer = .failure(
          ParticipantError(
            failure.replyMessage ?? failure.message, errorClass: failure.errorClass, trace: failure.trace,
            details: failure.description, fields: failure.replyFields))
        report.outcome = .error
        report.error = failure.message
      }
      // Posted under the same lock that says it is running, so "nothing
      // running" always means "every answer delivered". A cancelled call's
      // answer is dropped (the engine has moved on); its record ends
      // `cancelled`. A call stopped by `cancelAll` is no longer in the
      // table: serve is stopping, and the next start calls it again.
      self.running.withLock { running in
        guard let entry = running[id], entry.cancellation === cancellation else { return }
        running[id] = nil
        if entry.cancelled {
          report.outcome = .cancelled
          report.error = nil
          post(report, nil)
        } else {
          post(report, answer)
        }
      }
    }
  }
}
