import Dispatch
import Foundation
import OBSEvents
import OrderedJSON
import PDef
import Participants
import ProcessStore
import Storage
import Synchronization
import Workflow

/// robogrator's main job: spool intake → inbox → router → launcher → engine
/// → dispatcher, in one process, every step durable in SQLite.
///
/// The engine is single-threaded: `run()` is its thread. Everything else
/// (finished participants, the spool watcher, `stop()`) posts work to a
/// mailbox that loop drains; after each batch of messages the store is
/// flushed in one transaction, so the database always holds a state the
/// engine was in.
public final class Daemon: @unchecked Sendable {
  /// Where things are and how they run; every setting has a default that works with srv-layout/.
  public struct Settings: Sendable {
    /// The BOSS root holding processes/, participants/ and spool/.
    public var root: String
    public var store: String
    public var participants: String
    public var spool: String
    /// The state folder; the database is `robogrator.sqlite` in it.
    public var state: String
    public var synchronous: SQLiteEngineStore.Synchronous = .normal
    public var aliases: [ParticipantAlias] = []
    public var decoder = EventDecoder()
    /// Participant programs running at once, their default timeout, the TERM→KILL grace.
    public var runner = ExecutableRunner.Configuration(maxConcurrentProcesses: 8)
    /// Engine messages per transaction.
    public var batchSize = 1024
    /// How long finished processes and handled events are kept (seconds; nil: forever).
    public var keepProcesses: Double? = 30 * 86_400
    public var keepEvents: Double? = 30 * 86_400
    /// The configuration file these came from, if any (reloaded on SIGHUP).
    public var configFile: String?

    public init(root: String, state: String) {
      self.root = root
      store = root + "/processes"
      participants = root + "/participants"
      spool = root + "/spool"
      self.state = state
    }

    /// The daemon's part of the configuration.
    public init(_ config: Config) {
      self.init(root: config.root, state: config.state)
      store = config.storeDirectory
      participants = config.participantsDirectory
      spool = config.spoolDirectory
      synchronous = config.synchronous
      aliases = config.aliases
      decoder = config.decoder
      runner = config.runnerConfiguration
      batchSize = config.batchSize
      keepProcesses = config.keepProcesses
      keepEvents = config.keepEvents
      configFile = config.file
    }

    /// Participant programs running at once.
    public var maximumParticipants: Int {
      get { runner.maxConcurrentProcesses }
      set { runner.maxConcurrentProcesses = newValue }
    }

    public var databasePath: String { state + "/robogrator.sqlite" }
  }

  public enum Work: Sendable {
    /// A finished executable call: its record, and its answer unless its expression was cancelled.
    case answer(ParticipantCallReport, Result<JSONObject, ParticipantError>?)
    case spool
    /// New settings from a configuration reload (SIGHUP).
    case reload(Settings)
    case stop
  }

  /// Work posted from other threads, and the semaphore that wakes the loop.
  public final class Mailbox: Sendable {
    let items = Mutex<[Work]>([])
    public let wake = DispatchSemaphore(value: 0)

    public init() {}

    public func post(_ work: Work) {
      items.withLock { $0.append(work) }
      wake.signal()
    }

    public func take() -> [Work] {
      items.withLock { queue in
        defer { queue.removeAll() }
        return queue
      }
    }
  }

  public private(set) var settings: Settings
  let database: SQLiteEngineStore
  let engine: WorkflowEngine
  let dispatcher: Dispatcher
  let processes: ProcessStore
  var intake: Spool
  private let log: @Sendable (String) -> Void
  private let mailbox = Mailbox()
  private var lockDescriptor: Int32 = -1
  private var watcher: FolderWatcher?

  public init(settings: Settings, log: @escaping @Sendable (String) -> Void) throws {
    self.settings = settings
    self.log = log
    try FileManager.default.createDirectory(atPath: settings.state, withIntermediateDirectories: true)
    // One serve per state: a second would overwrite the first's state.
    let descriptor = open(settings.state + "/serve.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let holder =
        (try? String(contentsOfFile: settings.state + "/serve.lock", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
      if descriptor >= 0 { close(descriptor) }
      throw DaemonError("another robogrator serve (pid \(holder)) is using the state \(settings.state)")
    }
    ftruncate(descriptor, 0)
    _ = "\(getpid())\n".withCString { write(descriptor, $0, strlen($0)) }
    lockDescriptor = descriptor
    if !FileManager.default.fileExists(atPath: settings.spool) {
      try FileManager.default.createDirectory(atPath: settings.spool, withIntermediateDirectories: false)
    }
    database = try SQLiteEngineStore(path: settings.databasePath, synchronous: settings.synchronous)
    processes = try ProcessStore(root: settings.store, watch: true)
    intake = Spool(directory: settings.spool, decoder: settings.decoder)
    if settings.keepProcesses != nil || settings.keepEvents != nil {
      log(
        "keeping finished processes \(Self.describeKeep(settings.keepProcesses)), handled events \(Self.describeKeep(settings.keepEvents))"
      )
    }
    engine = WorkflowEngine(store: database)
    let mailbox = self.mailbox
    dispatcher = Dispatcher(
      participantsDirectory: settings.participants, aliases: settings.aliases,
      runner: ExecutableRunner(configuration: settings.runner),
      post: { call, answer in mailbox.post(.answer(call, answer)) })
    let engine = self.engine
    let dispatcher = self.dispatcher
    engine.onDispatch = { dispatcher.dispatch($0, engine: engine) }
    engine.onDispatchCancelled = { dispatcher.cancelled($0, engine: engine) }
    engine.onProcessEnd = { process in
      log("process \(process.wfid) (\(process.name)) ended: \(process.status.rawValue)")
      dispatcher.processEnded(process, engine: engine)
    }
    engine.onEcho = { wfid, text in log("echo \(wfid): \(text)") }
    engine.onProcessError = { process, message in
      log("process \(process.wfid) (\(process.name)) stopped in error, waiting for replay or cancel: \(message)")
    }
  }

  /// Asks the loop to finish its batch, flush and return.
  public func stop() { post(.stop) }

  func post(_ work: Work) { mailbox.post(work) }

  /// Runs until `stop()` (or, with `untilIdle`, until nothing is left to do
  /// now: no message, no running participant, no spool file). Events that
  /// were received but not routed before a crash are routed first.
  public func run(untilIdle: Bool = false) throws {
    for event in try database.unroutedEvents() {
      route(event.id, raw: event.raw, name: "inbox #\(event.id)")
    }
    // Participants that were running when the daemon stopped (or died) run
    // again, their records of the stopped calls closed as interrupted; a
    // built-in's waits are already in its durable state, and their records stay open.
    let pending = database.dispatches
    let waits = pending.filter { $0.participant == Obsticket.name }.map(\.expression)
    let interrupted = try database.closeCallsLeftRunning(keeping: Set(waits))
    for dispatch in pending where dispatch.participant != Obsticket.name {
      let attempt = (interrupted[dispatch.expression] ?? 1) + 1
      log(
        "calling \(dispatch.participant) again for \(dispatch.expression.wfid) (\(dispatch.expression.expid)): it was running when robogrator stopped"
      )
      dispatcher.dispatch(dispatch, engine: engine, attempt: attempt)
    }
    watcher = try FolderWatcher(path: settings.spool) { [weak self] name in
      if name.hasSuffix(".json") { self?.post(.spool) }
    }
    log("serving \(settings.root): \(processes.snapshot.definitionCount) definitions, state \(settings.databasePath)")
    post(.spool)
    var stopping = false
    while true {
      let work = mailbox.take()
      for item in work {
        switch item {
        case .answer(let call, let answer):
          // Recorded before the engine acts on it: both reach the disk in the next flush.
          database.callEnded(call)
          if let answer { engine.receive(call.expression, answer) }
        case .spool: drainSpool()
        case .reload(let settings): reload(settings)
        case .stop: stopping = true
        }
      }
      let answered = handleRequests()
      pruneIfDue()
      let processed = engine.run(maximumMessages: settings.batchSize)
      do {
        try database.flush()
        // Outcomes are recorded once what they caused is on disk.
        for (id, failed, result) in answered { try database.finishRequest(id, failed: failed, result: result) }
      } catch {
        log("error: \(error)")
      }
      if stopping {
        watcher = nil
        // Participants still running are stopped; the next start calls them again. Wait
        // for them to end: one that ignores TERM is killed after the grace period, which
        // would not happen once serve has exited.
        dispatcher.cancelAll()
        let grace = Double(settings.runner.terminationGracePeriod.components.seconds) + 1
        let deadline = Date().addingTimeInterval(grace)
        while dispatcher.runner.runningPrograms > 0 && Date() < deadline { usleep(10_000) }
        log("stopped; state saved in \(settings.databasePath)")
        return
      }
      if untilIdle && processed == 0 && work.isEmpty && dispatcher.runningCount == 0
        && intake.pendingFiles().isEmpty && (database.nextTimerDue.map { $0.timeIntervalSinceNow > 1 } ?? true)
      {
        watcher = nil
        return
      }
      if processed == 0 && work.isEmpty {
        let wait = database.nextTimerDue.map { max(0.001, min(1, $0.timeIntervalSinceNow)) } ?? 1
        _ = mailbox.wake.wait(timeout: .now() + wait)
      }
    }
  }

  // MARK: - Reloading and retention

  /// Posts new settings (from SIGHUP); the loop applies them between batches.
  public func reload(with settings: Settings) { post(.reload(settings)) }

  /// Applies what can change while serving; the rest is reported as needing a restart.
  func reload(_ new: Settings) {
    var applied: [String] = []
    var ignored: [String] = []
    func note(_ name: String, _ changed: Bool, reloadable: Bool) {
      guard changed else { return }
      if reloadable { applied.append(name) } else { ignored.append(name) }
    }
    note("root", new.root != settings.root, reloadable: false)
    note("store", new.store != settings.store, reloadable: false)
    note("spool", new.spool != settings.spool, reloadable: false)
    note("participants folder", new.participants != settings.participants, reloadable: false)
    note("state", new.state != settings.state, reloadable: false)
    note("synchronous", new.synchronous != settings.synchronous, reloadable: false)
    note("aliases", new.aliases != settings.aliases, reloadable: true)
    note("participant limits", new.runner != settings.runner, reloadable: true)
    note(
      "event decoding",
      new.decoder.maximumSize != settings.decoder.maximumSize
        || new.decoder.bus.namespace != settings.decoder.bus.namespace, reloadable: true)
    note("batch size", new.batchSize != settings.batchSize, reloadable: true)
    note(
      "retention", new.keepProcesses != settings.keepProcesses || new.keepEvents != settings.keepEvents,
      reloadable: true)
    dispatcher.aliases = new.aliases
    dispatcher.runner.reconfigure(new.runner)
    intake.decoder = new.decoder
    var kept = new
    // Paths and the database mode stay as started.
    kept.root = settings.root
    kept.store = settings.store
    kept.spool = settings.spool
    kept.participants = settings.participants
    kept.state = settings.state
    kept.synchronous = settings.synchronous
    settings = kept
    lastPrune = .distantPast
    let source = new.configFile ?? "defaults and environment"
    log(
      "configuration reloaded from \(source): "
        + (applied.isEmpty ? "nothing changed" : "applied \(applied.joined(separator: ", "))")
        + (ignored.isEmpty ? "" : "; restart serve to change \(ignored.joined(separator: ", "))"))
  }

  private var lastPrune = Date.distantPast

  /// Deletes finished processes and handled events older than the retention (hourly).
  func pruneIfDue(now: Date = Date()) {
    guard now.timeIntervalSince(lastPrune) >= 3600 else { return }
    lastPrune = now
    guard settings.keepProcesses != nil || settings.keepEvents != nil else { return }
    do {
      let (processes, events) = try database.prune(
        processesBefore: settings.keepProcesses.map { now.addingTimeInterval(-$0) },
        eventsBefore: settings.keepEvents.map { now.addingTimeInterval(-$0) })
      if processes > 0 || events > 0 {
        log(
          "pruned \(processes) finished process\(processes == 1 ? "" : "es") and \(events) handled event\(events == 1 ? "" : "s") past their retention"
        )
      }
    } catch {
      log("error: \(error)")
    }
  }

  static func describeKeep(_ seconds: Double?) -> String {
    guard let seconds else { return "forever" }
    if seconds >= 86_400 && seconds.truncatingRemainder(dividingBy: 86_400) == 0 {
      return "for \(Int(seconds / 86_400)) day\(seconds == 86_400 ? "" : "s")"
    }
    if seconds >= 3600 && seconds.truncatingRemainder(dividingBy: 3600) == 0 {
      return "for \(Int(seconds / 3600)) h"
    }
    return "for \(Int(seconds)) s"
  }

  // MARK: - Operator requests (robogrator cancel, replay, launch, reroute)

  private var lastRequestPoll = Date.distantPast

  /// Acts on requests queued by the command line (polled at most ten times a second).
  func handleRequests() -> [(Int64, Bool, JSONValue)] {
    guard Date().timeIntervalSince(lastRequestPoll) >= 0.1 else { return [] }
    lastRequestPoll = Date()
    guard let requests = try? database.pendingRequests(), !requests.isEmpty else { return [] }
    return requests.map { request in
      let (failed, message, extra) = handle(request)
      var result: JSONObject = ["message": .string(message)]
      result.merge(extra)
      log("\(request.kind) request #\(request.id): \(message)")
      return (request.id, failed, .object(result))
    }
  }

  func handle(_ request: OperatorRequest) -> (failed: Bool, message: String, extra: JSONObject) {
    let wfid = request.payload["wfid"]?.stringValue ?? ""
    switch request.kind {
    case "cancel":
      guard let process = database.process(wfid) else { return (true, "no process \(wfid)", [:]) }
      guard process.status == .running || process.status == .error else {
        return (true, "process \(wfid) is \(process.status.rawValue), nothing to cancel", [:])
      }
      engine.cancelProcess(wfid)
      return (false, "cancelling process \(wfid)", [:])
    case "replay":
      guard database.process(wfid) != nil else { return (true, "no process \(wfid)", [:]) }
      let count = engine.replay(wfid)
      return count == 0
        ? (true, "process \(wfid) has no errored expression to replay", [:])
        : (false, "replaying \(count) errored expression\(count == 1 ? "" : "s") of \(wfid)", [:])
    case "launch":
      let file = request.payload["file"]?.stringValue ?? "definition"
      do {
        let tree = try PDefParser.parse(request.payload["definition"]?.stringValue ?? "", file: file)
        let launched = try engine.launch(
          tree, fields: request.payload["fields"]?.objectValue ?? [:],
          variables: request.payload["variables"]?.objectValue ?? [:],
          origin: ["command": "robogrator launch", "definition": .string(file), "request": .int(Int(request.id))])
        return (false, "launched \(file) as \(launched)", ["wfid": .string(launched)])
      } catch {
        return (true, "\(error)", [:])
      }
    case "reroute":
      guard case .int(let id)? = request.payload["event"],
        let event = try? database.event(Int64(id))
      else { return (true, "no event \(request.payload["event"]?.serialized() ?? "?") in the inbox", [:]) }
      route(event.id, raw: event.raw, name: "inbox #\(event.id) (reroute)")
      return (false, "routed event #\(event.id) again", [:])
    default:
      return (true, "unknown request \(request.kind)", [:])
    }
  }

  // MARK: - Intake and routing

  /// Commits every complete spool file to the inbox, removes it, and routes it.
  func drainSpool() {
    var retry = false
    var batch: [(name: String, event: OBSEvent, insert: EventToInsert)] = []
    for name in intake.pendingFiles() {
      let path = settings.spool + "/" + name
      switch intake.read(name) {
      case .notReady:
        retry = true
      case .ignored(let reason):
        log("\(name): \(reason)")
        try? FileManager.default.removeItem(atPath: path)
      case .rejected(let reason):
        log("\(name) rejected: \(reason)")
        try? intake.reject(name, reason: reason)
      case .event(let event, let bytes, let routingKey):
        batch.append(
          (
            name, event,
            EventToInsert(
              dedupKey: Daemon.dedupKey(bytes, routingKey: routingKey), raw: bytes, label: event.label.name,
              project: event.project)
          ))
        if batch.count == Self.spoolBatch {
          commit(batch)
          batch.removeAll(keepingCapacity: true)
        }
      }
    }
    commit(batch)
    if retry {
      DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [weak self] in self?.post(.spool) }
    }
  }

  /// Spool files committed to the inbox in one transaction.
  public static let spoolBatch = 256

  /// Commits spool events to the inbox together; then (only then) removes their files and routes them.
  private func commit(_ batch: [(name: String, event: OBSEvent, insert: EventToInsert)]) {
    guard !batch.isEmpty else { return }
    let insertions: [EventInsertion]
    do {
      insertions = try database.insertEvents(batch.map(\.insert))
    } catch {
      log("\(error); \(batch.count) event file\(batch.count == 1 ? "" : "s") left in the spool")
      return
    }
    for (item, insertion) in zip(batch, insertions) {
      // On disk now: the spool file can go.
      try? FileManager.default.removeItem(atPath: settings.spool + "/" + item.name)
      switch insertion {
      case .duplicate(let id): log("\(item.name): duplicate of inbox #\(id), dropped")
      case .inserted(let id): route(id, event: item.event, name: item.name)
      }
    }
  }

  func route(_ id: Int64, raw: [UInt8], name: String) {
    do {
      route(id, event: try settings.decoder.decode(bytes: raw), name: name)
    } catch {
      database.markFailed(id, error: "\(error)")
    }
  }

  /// Plans the event and launches every definition it reaches; the outcome is
  /// written with the launches at the next flush.
  func route(_ id: Int64, event: OBSEvent, name: String) {
    let plan = processes.plan(event)
    var launched: [JSONValue] = []
    var failures: [String] = plan.errors.map(\.description)
    for target in plan.targets {
      failures += target.errors.map { "\($0.file): \($0.message)" }
      for launch in target.launches {
        do {
          let tree = try PDefParser.parse(launch.definitionText, file: launch.definition)
          var origin: JSONObject = ["event": .int(Int(id)), "definition": .string(launch.definition)]
          origin["link_target"] = launch.linkTarget.map(JSONValue.string)
          origin["conf"] = launch.conf.map(JSONValue.string)
          origin["conf_fields"] = launch.confFields.map(JSONValue.object)
          let wfid = try engine.launch(tree, fields: launch.fields, origin: origin)
          launched.append(.string(wfid))
          log("\(name): \(event.label) for \(target.project) launched \(launch.definition) as \(wfid)")
        } catch {
          failures.append("\(launch.definition): \(error)")
        }
      }
    }
    var result = plan.toJSON().objectValue ?? JSONObject()
    result["launched"] = .array(launched)
    if failures.isEmpty {
      database.markRouted(id, result: .object(result))
      if launched.isEmpty { log("\(name): \(event.label): nothing to launch") }
    } else {
      // What did launch is kept with the failure (a reroute after the fix launches everything again).
      database.markFailed(id, error: failures.joined(separator: "\n"), result: .object(result))
      for failure in failures { log("\(name): \(failure)") }
    }
  }

  /// The same bytes (with the same routing key) are the same event.
  static func dedupKey(_ bytes: [UInt8], routingKey: String?) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in (routingKey.map { Array($0.utf8) } ?? []) + [0] + bytes {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return "fnv64:" + String(hash, radix: 16) + ":\(bytes.count)"
  }
}

/// Why the daemon cannot start.
public struct DaemonError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
