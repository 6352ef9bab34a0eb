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
}

/// Who serves a participant name.
public enum ParticipantResolution: Sendable, Equatable {
  case builtIn(String)
  case executable(path: String)
  case alias(path: String, pattern: String)
  /// Nobody serves it, but a `listen` waits for it: the call is a signal.
  case signal
  case unknown
}

/// Hands each dispatched workitem to whoever serves the participant, and
/// turns the answer into a reply for the engine.
///
/// Resolution order (subprocesses were already taken by the engine): built-in
/// (`obsticket`), an executable `participants/NAME` or `NAME.*`, a configured
/// alias, a signal to a waiting `listen`, else a process error that names the
/// process, the expression and the folders searched. Runs on the engine's
/// thread; executables run concurrently and post their answers back.
public final class Dispatcher: Sendable {
  public let participantsDirectory: String
  /// Configured aliases, tried in order (replaced by a configuration reload).
  public var aliases: [ParticipantAlias] {
    get { aliasTable.withLock { $0 } }
    set { aliasTable.withLock { $0 = newValue } }
  }
  private let aliasTable: Mutex<[ParticipantAlias]>
  public let runner: ExecutableRunner
  /// Delivers an answer to the engine (thread-safe; the engine applies it on its thread).
  let post: @Sendable (FlowExpressionID, Result<JSONObject, ParticipantError>) -> Void
  private let running = Mutex<[FlowExpressionID: ParticipantCancellation]>([:])

  public init(
    participantsDirectory: String, aliases: [ParticipantAlias] = [], runner: ExecutableRunner,
    post: @escaping @Sendable (FlowExpressionID, Result<JSONObject, ParticipantError>) -> Void
  ) {
    self.participantsDirectory = participantsDirectory
    self.aliasTable = Mutex(aliases)
    self.runner = runner
    self.post = post
  }

  public func resolve(_ name: String, hasListener: (String) -> Bool) -> ParticipantResolution {
    if name == Obsticket.name { return .builtIn(name) }
    if let path = executable(named: name) { return .executable(path: path) }
    for alias in aliases where name.range(of: "^(?:\(alias.pattern))$", options: .regularExpression) != nil {
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
    switch resolve(dispatch.participant, hasListener: { engine.hasListener(for: $0, from: dispatch.expression.wfid) }) {
    case .builtIn:
      for answer in Obsticket.handle(dispatch, store: engine.store) { engine.receive(answer.id, answer.result) }
    case .executable(let path), .alias(let path, _):
      run(dispatch, executable: path, attempt: attempt)
    case .signal:
      // The caller continues at once; the reply event reaches the listener.
      var fields = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
      fields["params"] = nil
      engine.receive(dispatch.expression, .success(fields))
    case .unknown:
      let aliasText = aliases.isEmpty ? "no aliases configured" : "no alias matches"
      engine.receive(
        dispatch.expression,
        .failure(
          ParticipantError(
            "unknown participant '\(dispatch.participant)' in process \(dispatch.expression.wfid) at "
              + "\(dispatch.expression.expid): not a subprocess of the definition, not built in, no executable "
              + "\(participantsDirectory)/\(dispatch.participant) or \(dispatch.participant).*, \(aliasText), "
              + "and no listen waits for it")))
    }
  }

  /// The expression of a running call was cancelled: stop its process group, or drop its lock wait.
  public func cancelled(_ dispatch: Dispatch, engine: WorkflowEngine) {
    if dispatch.participant == Obsticket.name {
      Obsticket.cancelled(dispatch, store: engine.store)
      return
    }
    let handle = running.withLock { $0.removeValue(forKey: dispatch.expression) }
    handle?.cancel()
  }

  /// A process ended: locks it held go to the next waiters.
  public func processEnded(_ process: ProcessRecord, engine: WorkflowEngine) {
    for answer in Obsticket.processEnded(process.wfid, store: engine.store) { engine.receive(answer.id, answer.result) }
  }

  /// Stops every running participant (TERM to its process group, then KILL):
  /// serve is stopping, and the next start calls them again.
  public func cancelAll() {
    let handles = running.withLock { table -> [ParticipantCancellation] in
      defer { table.removeAll() }
      return Array(table.values)
    }
    for handle in handles { handle.cancel() }
  }

  /// How many executables are running now.
  public var runningCount: Int { running.withLock { $0.count } }

  private func run(_ dispatch: Dispatch, executable: String, attempt: Int) {
    let cancellation = ParticipantCancellation()
    running.withLock { $0[dispatch.expression] = cancellation }
    var workitem = dispatch.workitem
    workitem["re_dispatch_count"] = .int(attempt - 1)
    let request = ParticipantRun(
      executablePath: executable, workitem: Array(JSONValue.object(workitem).serialized().utf8),
      identity: ParticipantIdentity(
        wfid: dispatch.expression.wfid, expid: dispatch.expression.expid, participant: dispatch.participant,
        attempt: attempt),
      cancellation: cancellation)
    let runner = self.runner
    let post = self.post
    let id = dispatch.expression
    Task { [self] in
      let outcome = await runner.run(request)
      let answer: Result<JSONObject, ParticipantError> =
        switch WorkitemReply.interpret(outcome: outcome, original: workitem) {
        case .success(let reply): .success(reply["fields"]?.objectValue ?? JSONObject())
        case .failure(let failure): .failure(ParticipantError(failure.description))
        }
      // Posted under the same lock that says it is running, so "nothing
      // running" always means "every answer delivered". A cancelled call
      // is no longer in the table: the engine has moved on, drop its answer.
      self.running.withLock { running in
        if running.removeValue(forKey: id) != nil { post(id, answer) }
      }
    }
  }
}
