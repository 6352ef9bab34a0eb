import ArgumentParser
import Foundation
import OrderedJSON
import Robogrator
import Storage
import Workflow

struct PsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ps",
    abstract: "List processes: id, status, name, project, last change.",
    discussion:
      "Works while serve runs (read-only). --json prints [{\"wfid\", \"name\", \"status\", \"project\", \"created_at\", \"updated_at\", \"errors\"}]."
  )

  @OptionGroup var options: CommonOptions

  @Option(
    name: .long,
    help: ArgumentHelp("Only this status: running, completed, terminated, error, cancelled.", valueName: "s"))
  var status: String?

  @Option(name: .long, help: ArgumentHelp("Only processes launched for this project.", valueName: "p"))
  var project: String?

  @Flag(name: .long, help: "Print JSON.")
  var json = false

  func validate() throws {
    if let status, ProcessStatus(rawValue: status) == nil {
      throw ValidationError("--status \(status): use running, completed, terminated, error or cancelled")
    }
  }

  func run() throws {
    try runReportingFailures {
      let list: [StateReader.ProcessSummary]
      do {
        list = try options.reader().processes(
          status: status.flatMap(ProcessStatus.init(rawValue:)), project: project)
      } catch let failure as UsageFailure {
        throw failure
      } catch {
        throw UsageFailure("\(error)")
      }
      if json {
        print(JSONValue.array(list.map(\.json)).serialized(pretty: true))
        return 0
      }
      if list.isEmpty { print("no processes") }
      for item in list {
        let error = item.errors.last.map { "  error: \($0.split(separator: "\n").first ?? "")" } ?? ""
        print(
          "\(item.wfid)  \(item.status.rawValue.padding(10))  \(item.name)  \(item.project ?? "-")  \(item.updatedAt)\(error)"
        )
      }
      return 0
    }
  }
}

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract:
      "Show one process: where each branch stands, its fields, errors and history, and its participant calls with their logs.",
    discussion: """
      Works while serve runs (read-only). Each participant call is one line (start time, \
      participant, expid, attempt, outcome, exit, duration) with the last lines it wrote \
      to stderr under it.
      """
  )

  @Argument(help: ArgumentHelp("The process id (from robogrator ps).", valueName: "wfid"))
  var wfid: String

  @OptionGroup var options: CommonOptions

  @Flag(
    name: .long,
    help:
      "Print JSON: {\"wfid\", \"name\", \"status\", \"project\", \"created_at\", \"updated_at\", \"errors\", \"origin\", \"fields\", \"expressions\", \"waiting_for\", \"history\", \"calls\"}."
  )
  var json = false

  func run() throws {
    try runReportingFailures {
      let found: StateReader.ProcessDetails?
      do {
        found = try options.reader().process(wfid)
      } catch let failure as UsageFailure {
        throw failure
      } catch {
        throw UsageFailure("\(error)")
      }
      guard let details = found else { throw UsageFailure("no process \(wfid) (robogrator ps lists them)") }
      var object = details.summary.json.objectValue ?? JSONObject()
      object["origin"] = details.origin ?? .null
      object["fields"] = details.fields ?? .null
      object["expressions"] = .array(
        details.expressions.map { item in
          .object(
            JSONObject(
              [
                ("expid", .string(item.expid)), ("name", .string(item.name)), ("status", .string(item.status)),
                ("error", item.error.map(JSONValue.string) ?? .null),
                ("listening_to", item.listeningTo.map(JSONValue.string) ?? .null),
              ] as [(String, JSONValue)]))
        })
      object["waiting_for"] = .array(
        details.dispatches.map {
          .object(
            JSONObject(
              [("expid", .string($0.expid)), ("participant", .string($0.participant))] as [(String, JSONValue)]))
        })
      object["history"] = .array(details.history.map(JSONValue.string))
      object["calls"] = .array(details.calls.map(\.json))
      if json {
        print(JSONValue.object(object).serialized(pretty: true))
        return 0
      }
      let summary = details.summary
      print("process \(summary.wfid)  \(summary.name)  \(summary.status.rawValue)")
      print("  project: \(summary.project ?? "-")   started \(summary.createdAt), last change \(summary.updatedAt)")
      for line in Self.describe(origin: details.origin) { print("  " + line) }
      for error in summary.errors { print("  error: \(error)") }
      if !details.expressions.isEmpty {
        print("live expressions:")
        let lines = details.expressions.map { item in
          let listening = item.listeningTo.map { "  waiting for \($0)" } ?? ""
          return "  \(item.expid)  \(item.name)  \(item.status)\(listening)\(item.error.map { "  error: \($0)" } ?? "")"
        }
        // Runs of the same line (a recursion stopped by the depth limit: 200 `0 define active`) print once.
        var index = 0
        while index < lines.count {
          var run = 1
          while index + run < lines.count && lines[index + run] == lines[index] { run += 1 }
          print(lines[index] + (run > 1 ? "  (\(run) alike)" : ""))
          index += run
        }
      }
      for dispatch in details.dispatches {
        print("waiting for participant \(dispatch.participant) (\(dispatch.expid))")
      }
      if let fields = details.fields { print("fields: " + fields.serialized(pretty: true)) }
      print("history:")
      for line in details.history { print("  " + line) }
      if !details.calls.isEmpty {
        print("calls:")
        for call in details.calls { print(call.lines.joined(separator: "\n")) }
      }
      return 0
    }
  }
}

extension ShowCommand {
  /// "launched by event #12: DEFINITION -> TARGET" and the conf it used, or the command line.
  static func describe(origin: JSONValue?) -> [String] {
    guard let origin else { return [] }
    let definition = origin["definition"]?.stringValue ?? "?"
    let target = origin["link_target"]?.stringValue.map { " -> \($0)" } ?? ""
    var lines: [String] = []
    if case .int(let event)? = origin["event"] {
      lines.append("launched by event #\(event): \(definition)\(target)")
    } else if let command = origin["command"]?.stringValue {
      lines.append("launched by \(command): \(definition)")
    }
    if let conf = origin["conf"]?.stringValue {
      lines.append("conf: \(conf) \(origin["conf_fields"]?.serialized() ?? "")")
    }
    return lines
  }
}

struct EmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "emit",
    abstract: "Put an event into the spool for serve to pick up.",
    discussion: """
      Copies the event (a file, or - for standard input) into the spool atomically: \
      written under a hidden name, then renamed, so serve never reads half a file. \
      Prints the spool file's name. With --routing-key, the file is named KEY@NAME.json \
      (a bare message-bus body).
      """
  )

  @Argument(help: ArgumentHelp("The event file, or - for standard input.", valueName: "event.json"))
  var event: String

  @OptionGroup var options: CommonOptions

  @Option(name: .long, help: ArgumentHelp("The spool folder. Defaults to <root>/spool.", valueName: "dir"))
  var spool: String?

  @Option(name: .long, help: ArgumentHelp("The message-bus routing key of a bare bus body.", valueName: "key"))
  var routingKey: String?

  func run() throws {
    try runReportingFailures {
      let bytes = try readInput(event)
      let directory = try spool ?? options.settings().spoolDirectory
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw UsageFailure("the spool \(directory) does not exist (set --root or --spool)")
      }
      let stamp =
        String(Int(Date().timeIntervalSince1970 * 1000)) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
      let name = (routingKey.map { $0 + "@" } ?? "") + stamp + ".json"
      let temporary = directory + "/." + name + ".tmp"
      do {
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.moveItem(atPath: temporary, toPath: directory + "/" + name)
      } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw UsageFailure("cannot write into the spool \(directory): \(error.localizedDescription)")
      }
      print(name)
      return 0
    }
  }
}

extension StateReader.ProcessSummary {
  var json: JSONValue {
    .object(
      JSONObject(
        [
          ("wfid", .string(wfid)), ("name", .string(name)), ("status", .string(status.rawValue)),
          ("project", project.map(JSONValue.string) ?? .null), ("created_at", .string(createdAt)),
          ("updated_at", .string(updatedAt)), ("errors", .array(errors.map(JSONValue.string))),
        ] as [(String, JSONValue)]))
  }
}

extension ParticipantCallReport {
  /// How many lines of a call's stderr `show` prints (`show --json` has all that was kept).
  static let shownStderrLines = 20

  /// `robogrator show`: the call on one line, then its error and the end of its stderr, indented.
  var lines: [String] {
    var head = "  \(Self.timestamp(startedAt))  \(participant)  \(expression.expid)  attempt \(attempt)  "
    head += "\(outcome.rawValue)  \(exit ?? "-")  \(endedAt == nil ? "-" : Self.text(duration))"
    if queueWait >= .milliseconds(1) { head += "  queued \(Self.text(queueWait))" }
    var lines = [head]
    if let error, let first = error.split(separator: "\n").first { lines.append("    error: \(first)") }
    var logged = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if logged.last == "" { logged.removeLast() }
    let kept = stderr.utf8.count
    if stderrTotalBytes > kept {
      lines.append("    ... (\(stderrTotalBytes - kept) earlier bytes of stderr were not kept)")
    }
    if logged.count > Self.shownStderrLines {
      lines.append("    ... (\(logged.count - Self.shownStderrLines) earlier lines: robogrator show --json)")
    }
    lines += logged.suffix(Self.shownStderrLines).map { "    " + $0 }
    return lines
  }

  /// `robogrator show --json`: the columns of the call's row.
  var json: JSONValue {
    .object(
      JSONObject(
        [
          ("expid", .string(expression.expid)), ("subid", .string(expression.subid)),
          ("participant", .string(participant)), ("attempt", .int(attempt)),
          ("resolution", .string(resolution.rawValue)), ("executable", executablePath.map(JSONValue.string) ?? .null),
          ("started_at", .string(Self.timestamp(startedAt))),
          ("ended_at", endedAt.map { .string(Self.timestamp($0)) } ?? .null),
          ("duration_ms", .int(Self.milliseconds(duration))), ("queue_wait_ms", .int(Self.milliseconds(queueWait))),
          ("exit", exit.map(JSONValue.string) ?? .null), ("outcome", .string(outcome.rawValue)),
          ("error", error.map(JSONValue.string) ?? .null), ("stderr", .string(stderr)),
          ("stderr_total_bytes", .int(stderrTotalBytes)),
        ] as [(String, JSONValue)]))
  }

  static func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
  }

  /// `41 ms`, `2.5 s`, `3 min 12 s`, `2 h 5 min`.
  static func text(_ duration: Duration) -> String {
    let milliseconds = milliseconds(duration)
    if milliseconds < 1000 { return "\(milliseconds) ms" }
    if milliseconds < 60_000 { return "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s" }
    let seconds = milliseconds / 1000
    if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
    return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
  }

  /// UTC, as the other times of `ps` and `show`: `2026-11-23 07:08:56.415`.
  static func timestamp(_ date: Date) -> String {
    // Whole milliseconds first: the database keeps them, and a Double may hold .415 as .41499.
    let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
    let (seconds, milliseconds) = (total / 1000, total % 1000)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
    let fraction = String(milliseconds + 1000).dropFirst()
    return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)):"
      + "\(two(parts.second)).\(fraction)"
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
