import Foundation
import OBSEvents
import Participants
import ProcessStore
import Robogrator
import Storage
import Workflow

/// `make bench`: measures robogrator on this machine and writes BENCHMARKS.md.
/// Every figure is measured in the same run as its baseline.

var outputPath = "BENCHMARKS.md"
var only: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--output": outputPath = arguments.popFirst() ?? outputPath
  case "--only": only = arguments.popFirst()
  case "--help", "-h":
    print(
      """
      usage: robogrator-bench [--output FILE] [--only routing|language|participants|engine|durable|executable|spool]
      (run from `make bench`, release build; --only measures one section, for profiling)
      """)
    exit(0)
  default:
    FileHandle.standardError.write(Data("robogrator-bench: unknown argument \(argument)\n".utf8))
    exit(2)
  }
}

var report = BenchmarkReport()
if only == nil || only == "routing" { report.add(RoutingBenchmark.run()) }
if only == nil || only == "language" { report.add(LanguageBenchmark.run()) }
if only == nil || only == "participants" { report.add(await ParticipantBenchmark.run()) }
if only == nil || only == "engine" { report.add(await EngineBenchmark.run()) }
if only == "durable" {
  // For profiling the engine's durable path alone (not a report section).
  let directory = EngineBenchmark.temporaryDirectory()
  let rate = try EngineBenchmark.processesPerSecond(
    store: ProcessInfo.processInfo.environment["BENCH_MEMORY"] == nil
      ? try SQLiteEngineStore(path: directory + "/profile.sqlite") : InMemoryEngineStore(),
    count: Int(ProcessInfo.processInfo.environment["BENCH_COUNT"] ?? "") ?? 5_000,
    batch: Int(ProcessInfo.processInfo.environment["BENCH_BATCH"] ?? "") ?? Config().batchSize,
    definition: ProcessInfo.processInfo.environment["BENCH_LARGE"] == nil
      ? EngineBenchmark.threeSteps : EngineBenchmark.threeStepsInALargeDefinition)
  try? FileManager.default.removeItem(atPath: directory)
  print("durable 3-step processes/s: \(Int(rate))")
  exit(0)
}
if only == "spool" {
  print("spool events/s: \(Int(try EngineBenchmark.spoolEventsPerSecond(count: 3_000)))")
  exit(0)
}
if only == "executable" {
  print("executable 3-step processes/s: \(Int(try await EngineBenchmark.executableProcessesPerSecond(count: 300)))")
  exit(0)
}
try report.write(to: outputPath)
print("wrote \(outputPath)")
