// pdef-fuzz: throws hostile inputs at the process-definition parser.
//
//   pdef-fuzz --count 100000 --seed 7 [--corpus examples/processes]
//   pdef-fuzz --bench examples/processes/large_700_lines.pdef [--seconds 3]
//
// Each input is parsed on the main thread while a watchdog thread checks
// that no parse takes over 2 s; a hang, a crash (signal) or a broken
// invariant writes the offending input to pdef-fuzz-<kind>-<seed>-<n>.pdef
// in the current directory and exits non-zero.
import Foundation
import PDef
import PDefFuzzing
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

struct Options {
  var count = 100_000
  var seed: UInt64 = 1
  var corpus = "examples/processes"
  var bench: String? = nil
  var seconds = 3.0

  static func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var index = 1
    func value() -> String {
      index += 1
      guard index < arguments.count else { usage("missing value after \(arguments[index - 1])") }
      return arguments[index]
    }
    while index < arguments.count {
      switch arguments[index] {
      case "--count": options.count = Int(value()) ?? { usage("--count takes a number") }()
      case "--seed": options.seed = UInt64(value()) ?? { usage("--seed takes a non-negative number") }()
      case "--corpus": options.corpus = value()
      case "--bench": options.bench = value()
      case "--seconds": options.seconds = Double(value()) ?? { usage("--seconds takes a number") }()
      case "-h", "--help": usage(nil)
      default: usage("unknown option \(arguments[index])")
      }
      index += 1
    }
    return options
  }
}

func usage(_ problem: String?) -> Never {
  if let problem { FileHandle.standardError.write(Data("pdef-fuzz: \(problem)\n".utf8)) }
  print("usage: pdef-fuzz [--count N] [--seed S] [--corpus DIR]\n       pdef-fuzz --bench FILE [--seconds S]")
  exit(problem == nil ? 0 : 64)
}

// MARK: The current input, readable from a signal handler and the watchdog.

let inputCapacity = 1 << 22
nonisolated(unsafe) let currentInput = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
nonisolated(unsafe) var currentLength = 0
nonisolated(unsafe) var crashPath: [CChar] = Array("pdef-fuzz-crash.pdef".utf8CString)
nonisolated(unsafe) var crashNote: [CChar] = Array("pdef-fuzz: crash (signal)\n".utf8CString)
let parseStartedAt = Atomic<UInt64>(0)

func saveCurrentInput(to path: UnsafePointer<CChar>) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { return }
  _ = write(fd, currentInput, currentLength)
  close(fd)
}

/// On a crash signal, writes the input being parsed to `crashPath` and
/// re-raises. The handler runs on its own stack, so a stack overflow is
/// caught too.
func installCrashHandlers() {
  let alternateStackSize = 1 << 16
  var alternate = stack_t()
  alternate.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
  alternate.ss_size = alternateStackSize
  alternate.ss_flags = 0
  sigaltstack(&alternate, nil)
  for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { received in
      crashPath.withUnsafeBufferPointer { path in
        if let base = path.baseAddress { saveCurrentInput(to: base) }
      }
      crashNote.withUnsafeBufferPointer { note in
        if let base = note.baseAddress { _ = write(2, base, strlen(base)) }
      }
      signal(received, SIG_DFL)
      raise(received)
    }
    action.sa_flags = Int32(SA_ONSTACK)
    sigaction(sig, &action, nil)
  }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func startWatchdog(seed: UInt64) {
  let thread = Thread {
    while true {
      Thread.sleep(forTimeInterval: 0.1)
      let started = parseStartedAt.load(ordering: .acquiring)
      if started != 0, now() &- started > 2_000_000_000 {
        let path = "pdef-fuzz-hang-\(seed).pdef"
        path.withCString { saveCurrentInput(to: $0) }
        FileHandle.standardError.write(Data("pdef-fuzz: a parse took over 2 s; input written to \(path)\n".utf8))
        exit(2)
      }
    }
  }
  thread.start()
}

func loadCorpus(_ directory: String) -> [String] {
  guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
  return names.sorted().filter { $0.hasSuffix(".pdef") }.compactMap {
    try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
  }
}

// MARK: Main

let options = Options.parse(CommandLine.arguments)

if let benchFile = options.bench {
  guard let text = try? String(contentsOfFile: benchFile, encoding: .utf8) else { usage("cannot read \(benchFile)") }
  do {
    _ = try PDefParser.parse(text, file: benchFile)
  } catch {
    print("pdef-fuzz: warning: \(error)")
  }
  let rate = PDefBenchmark.parsesPerSecond(text: text, seconds: options.seconds)
  let lines = text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  let megabytes = rate * Double(text.utf8.count) / 1_000_000
  print(
    "pdef-fuzz: \(benchFile): \(lines) lines, \(text.utf8.count) bytes: \(Int(rate)) parses/s "
      + "(\(String(format: "%.1f", 1_000_000 / rate)) µs per parse, \(String(format: "%.1f", megabytes)) MB/s)")
  exit(0)
}

crashPath = Array("pdef-fuzz-crash-\(options.seed).pdef".utf8CString)
crashNote = Array("pdef-fuzz: crash (signal); input written to pdef-fuzz-crash-\(options.seed).pdef\n".utf8CString)
installCrashHandlers()
startWatchdog(seed: options.seed)

var inputs = FuzzInputs(seed: options.seed, corpus: loadCorpus(options.corpus))
var slowest: UInt64 = 0
var parsed = 0
var failures = 0
let runStart = now()
for number in 0..<options.count {
  var bytes = inputs.next()
  if bytes.count > inputCapacity { bytes.removeLast(bytes.count - inputCapacity) }
  bytes.withUnsafeBufferPointer { buffer in
    if let base = buffer.baseAddress { currentInput.update(from: base, count: buffer.count) }
  }
  currentLength = bytes.count
  let text = String(decoding: bytes, as: UTF8.self)
  let start = now()
  parseStartedAt.store(start, ordering: .releasing)
  let outcome = FuzzCheck.check(text)
  parseStartedAt.store(0, ordering: .releasing)
  slowest = max(slowest, now() - start)
  if outcome.parsed { parsed += 1 }
  if let problem = outcome.problem {
    failures += 1
    let path = "pdef-fuzz-invariant-\(options.seed)-\(number).pdef"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    FileHandle.standardError.write(Data("pdef-fuzz: input \(number): \(problem); written to \(path)\n".utf8))
    if failures >= 10 { break }
  }
}
let seconds = Double(now() - runStart) / 1e9
print(
  "pdef-fuzz: \(options.count) inputs, 0 crashes, 0 hangs, slowest \(String(format: "%.1f", Double(slowest) / 1e6)) ms"
)
print(
  "pdef-fuzz: seed \(options.seed), \(parsed) parsed, \(options.count - parsed) rejected, "
    + "\(failures) invariant failures, \(String(format: "%.1f", seconds)) s")
exit(failures == 0 ? 0 : 1)
