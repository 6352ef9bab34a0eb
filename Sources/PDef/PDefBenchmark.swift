/// Measures parse throughput, for `pdef-fuzz --bench` and the release notes.
public enum PDefBenchmark {
  /// How many times per second `text` parses, measured for about `seconds`.
  /// Failing parses count too (the error path is measured as well).
  public static func parsesPerSecond(text: String, seconds: Double) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let budget = Duration.nanoseconds(Int64(max(seconds, 0.001) * 1e9))
    var parses = 0
    var elapsed = Duration.zero
    repeat {
      _ = try? PDefParser.parse(text, file: "benchmark")
      parses += 1
      elapsed = clock.now - start
    } while elapsed < budget
    let (wholeSeconds, attoseconds) = elapsed.components
    let total = Double(wholeSeconds) + Double(attoseconds) / 1e18
    return total > 0 ? Double(parses) / total : 0
  }
}
