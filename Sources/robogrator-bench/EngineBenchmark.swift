import Foundation
import OrderedJSON
import PDef
import Participants
import Robogrator
import Storage
import Workflow

/// The durable engine: processes per second (participants answered at once,
/// or executables), events routed per second through the spool, memory and
/// restart time with 10,000 processes waiting on a listen.
enum EngineBenchmark {
  static let threeSteps = try! PDefParser.parse(
    "Ruote.process_definition 'bench' do\n sequence do\n step_a\n step_b\n step_c\n end\nend\n", file: "bench")

  /// The same three steps in a definition the size of a real BOSS one (about 100 more nodes the
  /// steps never reach): what storage costs grows with the tree unless it is written once.
  static let threeStepsInALargeDefinition: PDefNode = {
    var text = "Ruote.process_definition 'bench_large' do\n sequence do\n step_a\n step_b\n step_c\n"
    text += " _if 'false' do\n sequence do\n"
    for index in 0..<100 {
      text += "  notify_\(index) :msg => 'SR#${ev.id} step \(index) of the release checks', :timeout => '2h'\n"
    }
    text += " end\n end\n end\nend\n"
    return try! PDefParser.parse(text, file: "bench_large")
  }()

  static func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "robogrator-engine-bench-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Completed processes per second: `count` processes launched at once, run
  /// in batches of the daemon's size (batch_size), each batch flushed (durable) when `store` is SQLite.
  static func processesPerSecond(
    store: EngineStore, count: Int, batch: Int = Config().batchSize, definition: PDefNode = threeSteps
  ) throws -> Double {
    let engine = WorkflowEngine(store: store)
    engine.onDispatch = { dispatch in
      // A participant that answers at once, on the engine's thread (what a built-in does).
      var fields = dispatch.workitem["fields"]?.objectValue ?? [:]
      fields["__result__"] = true
      engine.receive(dispatch.expression, .success(fields))
    }
    var completed = 0
    engine.onProcessEnd = { _ in completed += 1 }
    let seconds = try measure {
      for _ in 0..<count { _ = try engine.launch(definition) }
      while engine.run(maximumMessages: batch) > 0 { try store.flush() }
      try store.flush()
    }
    precondition(completed == count, "only \(completed) of \(count) processes completed")
    return Double(count) / seconds
  }

  /// Completed processes per second with an executable participant (`cat`: the workitem back unchanged).
  static func executableProcessesPerSecond(count: Int) async throws -> Double {
    // The engine on its own thread, as in serve: on the cooperative pool it would take
    // one of the two threads the runner's tasks need.
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(with: Result { try executableProcessesPerSecondOnThisThread(count: count) })
      }
    }
  }

  private static func executableProcessesPerSecondOnThisThread(count: Int) throws -> Double {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for name in ["step_a", "step_b", "step_c"] {
      // A symlink to cat: the smallest real participant (the workitem back unchanged), one exec
      // like the baseline's /bin/true. (Not `#!/bin/cat`: that would print the script itself.)
      try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: "/bin/cat")
    }
    let store = try SQLiteEngineStore(path: directory + "/bench.sqlite")
    let engine = WorkflowEngine(store: store)
    let mailbox = Daemon.Mailbox()
    let dispatcher = Dispatcher(
      participantsDirectory: directory, runner: ExecutableRunner(configuration: Config().runnerConfiguration),
      post: { call, answer in mailbox.post(.answer(call, answer)) })
    engine.onDispatch = { dispatcher.dispatch($0, engine: engine) }
    var completed = 0
    engine.onProcessEnd = { _ in completed += 1 }
    let start = Date()
    for _ in 0..<count { _ = try engine.launch(threeSteps) }
    // The daemon's loop: answers in, a batch of engine steps, one commit; wait for the next answer.
    while completed < count {
      guard Date().timeIntervalSince(start) < 120 else {
        throw BenchmarkFailure("executable participants: \(completed) of \(count) processes completed in 120 s")
      }
      let work = mailbox.take()
      for case .answer(let call, let answer) in work {
        store.callEnded(call)
        if let answer { engine.receive(call.expression, answer) }
      }
      let processed = engine.run(maximumMessages: Config().batchSize)
      try store.flush()
      if processed == 0 && work.isEmpty { _ = mailbox.wake.wait(timeout: .now() + 1) }
    }
    try store.flush()
    return Double(count) / Date().timeIntervalSince(start)
  }

  /// Events routed per second through the spool into the inbox, none matching a definition.
  static func spoolEventsPerSecond(count: Int) throws -> Double {
    let root = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    for folder in ["processes", "participants", "spool"] {
      try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
    }
    for index in 0..<count {
      let event =
        #"{"format": "2", "label": "REPO_PUBLISHED", "namespace": "OBS", "project": "Nowhere:P\#(index)", "repo": "standard"}"#
      try Data(event.utf8).write(to: URL(fileURLWithPath: root + "/spool/e\(index).json"))
    }
    let daemon = try Daemon(settings: Daemon.Settings(root: root, state: root + "/state"), log: { _ in })
    defer {
      precondition(
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/spool")) ?? []).filter { $0.hasSuffix(".json") }
          .isEmpty)
    }
    return Double(count) / (try measure { try daemon.run(untilIdle: true) })
  }

  /// Resident memory of this process, in bytes.
  static func residentBytes() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
  }

  /// Memory with `count` processes waiting on a listen, and the time to reopen them.
  static func listeners(count: Int) throws -> (bytes: Int, restart: Double) {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/bench.sqlite"
    let tree = try PDefParser.parse(
      "Ruote.process_definition 'waiter' do\n sequence do\n listen :to => 'built_${project}', :upon => 'reply'\n after\n end\nend\n",
      file: "waiter")
    let before = residentBytes()
    var bytes = 0
    do {
      let store = try SQLiteEngineStore(path: path)
      let engine = WorkflowEngine(store: store)
      for index in 0..<count { _ = try engine.launch(tree, fields: ["project": .string("P:\(index)")]) }
      while engine.run(maximumMessages: 1024) > 0 { try store.flush() }
      try store.flush()
      precondition(store.trackers.count == count)
      bytes = residentBytes() - before
    }
    let restart = try measure {
      let store = try SQLiteEngineStore(path: path)
      let engine = WorkflowEngine(store: store)
      engine.run()
      precondition(store.trackers.count == count)
    }
    return (bytes, restart)
  }

  /// Signals per second reaching their listen while `listening` processes wait: each of
  /// `signals` processes calls `built_P:i` (nobody serves it, a listen waits: a signal),
  /// which wakes the process waiting for that name; both then run to their end. Durable.
  static func signalsPerSecond(listening: Int, signals: Int) throws -> Double {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let waiter = try PDefParser.parse(
      "Ruote.process_definition 'waiter' do\n sequence do\n listen :to => 'built_${project}', :upon => 'reply'\n after\n end\nend\n",
      file: "waiter")
    let signaller = try PDefParser.parse(
      "Ruote.process_definition 'signaller' do\n participant :ref => 'built_${project}'\nend\n", file: "signaller")
    let store = try SQLiteEngineStore(path: directory + "/bench.sqlite")
    let engine = WorkflowEngine(store: store)
    // What the dispatcher does for names nobody serves: a signal when a listen waits, else an answer at once.
    engine.onDispatch = { dispatch in
      var fields = dispatch.workitem["fields"]?.objectValue ?? [:]
      fields["params"] = nil
      engine.receive(dispatch.expression, .success(fields))
    }
    var ended = 0
    engine.onProcessEnd = { _ in ended += 1 }
    for index in 0..<listening { _ = try engine.launch(waiter, fields: ["project": .string("P:\(index)")]) }
    while engine.run(maximumMessages: 1024) > 0 { try store.flush() }
    try store.flush()
    precondition(store.trackers.count == listening)
    let seconds = try measure {
      for index in 0..<signals { _ = try engine.launch(signaller, fields: ["project": .string("P:\(index)")]) }
      while engine.run(maximumMessages: Config().batchSize) > 0 { try store.flush() }
      try store.flush()
    }
    precondition(ended == 2 * signals, "\(ended) of \(2 * signals) processes ended")
    return Double(signals) / seconds
  }

  struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  static func run() async -> String {
    do {
      return try await runMeasured()
    } catch {
      return "## Engine\n\nfailed: \(error)\n"
    }
  }

  static func runMeasured() async throws -> String {
    // First: creating files slows down once the other rows have created and removed many
    // (ext4's inode allocator searches past recently deleted ones), which is not the daemon's doing.
    print("engine: spool routing ...")
    let spool = try spoolEventsPerSecond(count: 3_000)
    print("engine: durable processes ...")
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try processesPerSecond(store: InMemoryEngineStore(), count: 500)  // warm-up
    let memory = try processesPerSecond(store: InMemoryEngineStore(), count: 5_000)
    let durable = try processesPerSecond(store: try SQLiteEngineStore(path: directory + "/normal.sqlite"), count: 5_000)
    let full = try processesPerSecond(
      store: try SQLiteEngineStore(path: directory + "/full.sqlite", synchronous: .full), count: 2_000)
    let large = try processesPerSecond(
      store: try SQLiteEngineStore(path: directory + "/large.sqlite"), count: 2_000,
      definition: threeStepsInALargeDefinition)
    print("engine: executable participants ...")
    var bare: [Double] = []
    for _ in 0..<3 { bare.append(await ParticipantBenchmark.rate(200) { ParticipantBenchmark.bareSpawnAndWait() }) }
    let spawnRate = bare.sorted()[1]
    let executables = try await executableProcessesPerSecond(count: 300)
    print("engine: 10,000 listeners ...")
    let (listenBytes, restart) = try listeners(count: 10_000)
    let signalsFew = try signalsPerSecond(listening: 1_000, signals: 1_000)
    let signalsMany = try signalsPerSecond(listening: 10_000, signals: 1_000)
    let executableTarget = spawnRate / 3 * 0.6
    return """
      ## Engine: durable processes

      | measure | result | target |
      |---|---|---|
      | 3-step processes/s, participant answered at once, SQLite (synchronous NORMAL), every batch committed | \(format(durable)) | ≥ 1,000 |
      | the same, synchronous FULL | \(format(full)) | |
      | the same in memory, nothing written (baseline, same run) | \(format(memory)) | |
      | the same three steps in a definition of 110 nodes, SQLite | \(format(large)) | |
      | 3-step processes/s, executable participant (`/bin/cat`), up to \(Config().maxRunning) at a time (the default max_running), SQLite | \(format(executables)) | ≥ \(format(executableTarget)) (60% of bare spawn rate / 3) |
      | bare posix_spawn + waitpid rate (same run) | \(format(spawnRate))/s | |
      | events/s through the spool into the inbox, no matching definition | \(format(spool)) | ≥ 2,000 |
      | memory with 10,000 processes waiting on a listen | \(format(Double(listenBytes) / 1_048_576, decimals: 1)) MB | < 200 MB |
      | restart with them (open the database, load, first run) | \(format(restart * 1000)) ms | < 2 s |
      | signals/s reaching their listen, 1,000 processes listening, SQLite | \(format(signalsFew)) | |
      | the same with 10,000 listening (ratio \(format(signalsMany / signalsFew, decimals: 2))) | \(format(signalsMany)) | ≈ 1 × (no cost per listener) |

      Processes are launched together and run by the engine's step function in
      batches of \(Config().batchSize) messages (the default batch_size), each batch one SQLite transaction (the
      daemon's loop). The in-memory row is the same work with nothing
      written, so the ratio shows what durability costs. In the 110-node
      definition the steps are the same; the rest of the tree is never run,
      so its row shows what the size of a definition costs (a process's tree
      is stored once; expressions and messages name their node in it). A
      signal is a call nobody serves while a listen waits for its name: the
      caller goes on at once and the listening process is woken. Spool events are
      files in the spool folder; each is decoded and committed to the inbox
      (up to \(Daemon.spoolBatch) in one transaction; a file is removed
      only once its event is on disk), then removed and routed; this row
      runs first in the section, before the others have created and removed
      thousands of files (which slows file creation on ext4 for a while).
      """
  }
}
