import Foundation
import OBSEvents
import Participants
import ProcessStore

/// `make bench`: measures robogrator on this machine and writes BENCHMARKS.md.
/// Every figure is measured in the same run as its baseline.

var outputPath = "BENCHMARKS.md"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--output": outputPath = arguments.popFirst() ?? outputPath
  case "--help", "-h":
    print("usage: robogrator-bench [--output FILE]   (run from `make bench`, release build)")
    exit(0)
  default:
    FileHandle.standardError.write(Data("robogrator-bench: unknown argument \(argument)\n".utf8))
    exit(2)
  }
}

var report = BenchmarkReport()
report.add(RoutingBenchmark.run())
report.add(LanguageBenchmark.run())
report.add(await ParticipantBenchmark.run())
report.add(await EngineBenchmark.run())
try report.write(to: outputPath)
print("wrote \(outputPath)")
