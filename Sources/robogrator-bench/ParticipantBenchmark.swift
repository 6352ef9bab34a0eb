import Foundation
import Participants

/// Executable participants: spawn-and-wait of /bin/true through the runner
/// against bare posix_spawn + waitpid, interleaved in rounds so that load
/// from other processes hits every variant alike.
enum ParticipantBenchmark {
  static let program = "/bin/true"

  static func bareSpawnAndWait() {
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), nil]
    defer { free(argv[0]) }
    guard posix_spawn(&pid, program, nil, nil, argv, environ) == 0 else { fatalError("posix_spawn \(program) failed") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
  }

  static let request = ParticipantRun(
    executablePath: program,
    workitem: Array(#"{"fields":{},"fei":{"wfid":"bench","expid":"0"}}"#.utf8),
    identity: ParticipantIdentity(wfid: "bench", expid: "0", participant: "true"))

  static func runnerSpawnAndWait(_ runner: ExecutableRunner) async {
    let outcome = await runner.run(request)
    guard outcome.reason == .exited(0) else { fatalError("runner: \(program) \(outcome.reason)") }
  }

  /// Calls per second of `count` calls spread over `callers` concurrent tasks.
  static func rate(_ count: Int, callers: Int = 1, _ body: @escaping @Sendable () async -> Void) async -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    await withTaskGroup(of: Void.self) { group in
      for caller in 0..<callers {
        group.addTask { for _ in stride(from: caller, to: count, by: callers) { await body() } }
      }
    }
    let (seconds, attoseconds) = start.duration(to: clock.now).components
    return Double(count) / (Double(seconds) + Double(attoseconds) / 1e18)
  }

  static func run(rounds: Int = 10, callsPerRound: Int = 200) async -> String {
    let sequential = ExecutableRunner(configuration: .init(maxConcurrentProcesses: 1))
    let parallel = ExecutableRunner(configuration: .init(maxConcurrentProcesses: 2))
    let variants: [(name: String, callers: Int, body: @Sendable () async -> Void)] = [
      ("bare posix_spawn + waitpid (baseline)", 1, { bareSpawnAndWait() }),
      ("ExecutableRunner, one at a time", 1, { await runnerSpawnAndWait(sequential) }),
      ("ExecutableRunner, 2 callers, limit 2", 2, { await runnerSpawnAndWait(parallel) }),
    ]
    for variant in variants { _ = await rate(50, callers: variant.callers, variant.body) }
    var rates = Array(repeating: [Double](), count: variants.count)
    for _ in 0..<rounds {
      for (index, variant) in variants.enumerated() {
        rates[index].append(await rate(callsPerRound, callers: variant.callers, variant.body))
      }
    }
    let medians = rates.map { $0.sorted()[$0.count / 2] }
    var rows = ""
    for (index, variant) in variants.enumerated() {
      rows +=
        "| \(variant.name) | \(format(medians[index])) | \(format(100 * medians[index] / medians[0], decimals: 1)) % |\n"
    }
    return """
      ## Participants: spawning an executable

      Spawn-and-wait of `\(program)` with a workitem on stdin, stdout and stderr
      read, in its own process group; \(rounds) interleaved rounds of
      \(callsPerRound) calls per variant, median round.

      | variant | calls/s | of bare spawn |
      |---|---|---|
      \(rows)
      The engine's target for executable participants is 60% of the bare rate
      divided by 3 (a 3-step process): \(format(medians[0] * 0.6 / 3)) processes/s on this
      machine today; the runner alone allows \(format(medians[1] / 3)) processes/s.
      """
  }
}
