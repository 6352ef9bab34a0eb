import Foundation

/// The BENCHMARKS.md document: a header saying how, where and when, then one section per benchmark.
struct BenchmarkReport {
  private var sections: [String] = []

  mutating func add(_ section: String) {
    sections.append(section)
    print(section)
  }

  func write(to path: String) throws {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    var text = """
      # robogrator benchmarks

      Produced by `make bench` (release build, `.build/release/robogrator-bench --output BENCHMARKS.md`).
      Every ratio compares two figures measured in the same run.

      - date: \(formatter.string(from: Date()))
      - machine: \(Machine.description)

      """
    for section in sections { text += "\n" + section + "\n" }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}

enum Machine {
  static var description: String {
    let cpu =
      (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
      .split(separator: "\n").first { $0.hasPrefix("model name") }
      .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
      ?? "unknown CPU"
    let memory = ProcessInfo.processInfo.physicalMemory / 1_073_741_824
    var uts = utsname()
    uname(&uts)
    let kernel = withUnsafePointer(to: &uts.release) {
      $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
    }
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory) GiB, Linux \(kernel)"
  }
}

/// Wall-clock seconds of `body`.
func measure(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
  guard !sorted.isEmpty else { return 0 }
  let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
  return sorted[index]
}

func format(_ value: Double, decimals: Int = 0) -> String {
  let text = String(format: "%.\(decimals)f", value)
  // Thousands separators for readability.
  let parts = text.split(separator: ".", maxSplits: 1)
  var integer = String(parts[0])
  var grouped = ""
  let negative = integer.hasPrefix("-")
  if negative { integer.removeFirst() }
  for (offset, character) in integer.reversed().enumerated() {
    if offset > 0 && offset % 3 == 0 { grouped.append(",") }
    grouped.append(character)
  }
  return (negative ? "-" : "") + String(grouped.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
}
