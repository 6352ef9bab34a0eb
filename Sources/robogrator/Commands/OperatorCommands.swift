import ArgumentParser
import Foundation
import OrderedJSON
import PDef
import Storage
import Workflow

/// Queues a request for the running daemon and waits (a little) for its outcome.
func ask(_ kind: String, _ payload: JSONObject, options: CommonOptions, wait: Double = 10) throws -> RequestOutcome? {
  let settings = try options.settings()
  let path = settings.databasePath
  let id: Int64
  do {
    id = try RequestQueue.submit(path: path, kind: kind, payload: payload)
  } catch {
    throw UsageFailure("\(error)")
  }
  let deadline = Date().addingTimeInterval(wait)
  while Date() < deadline {
    if let outcome = try? RequestQueue.outcome(path: path, id: id) { return outcome }
    usleep(50_000)
  }
  // Nobody acted on it: withdraw it, so a serve started later does not act on a stale request.
  if (try? RequestQueue.withdraw(path: path, id: id)) == false,
    let outcome = try? RequestQueue.outcome(path: path, id: id)
  {
    return outcome
  }
  printError(
    "no robogrator serve answered within \(Int(wait)) s (is it running with --state \(settings.state)?); nothing was done"
  )
  return nil
}

/// Prints an outcome's message; exit status 0 when done, 1 when refused.
func report(_ outcome: RequestOutcome?) -> Int32 {
  guard let outcome else { return 1 }
  let message = outcome.result?["message"]?.stringValue ?? outcome.status
  if outcome.status == "done" {
    print(message)
    return 0
  }
  printError(message)
  return 1
}

struct CancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel a process: its participants are told (their process groups stopped), its locks released.",
    discussion: "Asks the running serve (through the state database); the process ends cancelled.")

  @Argument(help: ArgumentHelp("The process id.", valueName: "wfid")) var wfid: String
  @OptionGroup var options: CommonOptions

  func run() throws {
    try runReportingFailures { report(try ask("cancel", ["wfid": .string(wfid)], options: options)) }
  }
}

struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Retry the expressions of a process that stopped on an error (after fixing the cause).",
    discussion:
      "Each errored expression runs again in its place with the workitem it had; a participant is called again.")

  @Argument(help: ArgumentHelp("The process id.", valueName: "wfid")) var wfid: String
  @OptionGroup var options: CommonOptions

  func run() throws {
    try runReportingFailures { report(try ask("replay", ["wfid": .string(wfid)], options: options)) }
  }
}

struct RerouteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reroute",
    abstract: "Route a stored event again (after fixing the process store): its definitions launch again.",
    discussion: "EVENT_ID is the inbox number robogrator events shows.")

  @Argument(help: ArgumentHelp("The inbox event number.", valueName: "event-id")) var eventID: Int
  @OptionGroup var options: CommonOptions

  func run() throws {
    try runReportingFailures { report(try ask("reroute", ["event": .int(eventID)], options: options)) }
  }
}

struct LaunchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "launch",
    abstract: "Launch a process definition directly (no event), optionally waiting for its end.",
    discussion: """
      Prints the new process id. With --wait, returns when the process ends (or when \
      --timeout passes) and prints the id and status, or with --json \
      {"wfid", "status", "fields", "errors"}; status is completed, terminated, error \
      (stopped on an unhandled error), cancelled, or running when the timeout passed. \
      Exit status with --wait: 0 completed or terminated, 1 otherwise.
      """)

  @Argument(help: ArgumentHelp("The definition file.", valueName: "pdef")) var definition: String
  @OptionGroup var options: CommonOptions

  @Option(name: .long, help: ArgumentHelp("The initial workitem fields, a JSON object.", valueName: "json"))
  var fields = "{}"

  @Flag(name: .long, help: "Wait until the process ends.") var wait = false

  @Option(name: .long, help: ArgumentHelp("Seconds to wait at most with --wait.", valueName: "s")) var timeout: Double =
    60

  @Flag(name: .long, help: "Print JSON.") var json = false

  func validate() throws {
    guard case .object? = try? JSONValue.parse(fields) else {
      throw ValidationError("--fields must be a JSON object, such as '{\"project\": \"Chalk:Trunk\"}'")
    }
    guard timeout > 0 else { throw ValidationError("--timeout must be positive, not \(timeout)") }
  }

  func run() throws {
    try runReportingFailures {
      let text = String(decoding: try readInput(definition), as: UTF8.self)
      do {
        _ = try PDefParser.parse(text, file: definition)
      } catch {
        printError("\(error)")
        return 1
      }
      let payload: JSONObject = [
        "definition": .string(text), "file": .string(URL(fileURLWithPath: definition).standardized.path),
        "fields": (try? JSONValue.parse(fields)) ?? [:],
      ]
      guard let outcome = try ask("launch", payload, options: options),
        let wfid = outcome.result?["wfid"]?.stringValue
      else { return 1 }
      guard wait else {
        print(json ? JSONValue.object(["wfid": .string(wfid)]).serialized() : wfid)
        return 0
      }
      let reader = try options.reader()
      let deadline = Date().addingTimeInterval(timeout)
      var details = try? reader.process(wfid)
      while Date() < deadline, details?.summary.status ?? .running == .running {
        usleep(50_000)
        details = try? reader.process(wfid)
      }
      let status = details?.summary.status.rawValue ?? "running"
      // Only an ended process has fields it ended with (running or errored ones hold their launch fields).
      let ended = ["completed", "terminated", "cancelled"].contains(status)
      let result: JSONValue = .object([
        "wfid": .string(wfid), "status": .string(status), "fields": ended ? details?.fields ?? .null : .null,
        "errors": .array((details?.summary.errors ?? []).map(JSONValue.string)),
      ])
      print(json ? result.serialized(pretty: true) : "\(wfid) \(status)")
      // Scripts can rely on the status: 0 only when the process ran to its end.
      return status == "completed" || status == "terminated" ? 0 : 1
    }
  }
}

struct EventsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "events",
    abstract: "List the events in the inbox: when, which, where, and what routing made of them.",
    discussion:
      "Works while serve runs (read-only). --json prints [{\"id\", \"received_at\", \"label\", \"project\", \"status\", \"error\", \"launched\"}]."
  )

  @OptionGroup var options: CommonOptions
  @Flag(name: .long, help: "Only events whose routing failed (fix, then robogrator reroute).") var failed = false
  @Flag(name: .long, help: "Print JSON.") var json = false

  func run() throws {
    try runReportingFailures {
      let events: [StateReader.EventSummary]
      do {
        events = try options.reader().events(failedOnly: failed)
      } catch let failure as UsageFailure {
        throw failure
      } catch {
        throw UsageFailure("\(error)")
      }
      if json {
        print(
          JSONValue.array(
            events.map { event in
              .object([
                "id": .int(Int(event.id)), "received_at": .string(event.receivedAt),
                "label": event.label.map(JSONValue.string) ?? .null,
                "project": event.project.map(JSONValue.string) ?? .null,
                "status": .string(event.status), "error": event.error.map(JSONValue.string) ?? .null,
                "launched": .array(event.launched.map(JSONValue.string)),
              ])
            }
          ).serialized(pretty: true))
        return 0
      }
      if events.isEmpty { print(failed ? "no failed events" : "no events") }
      for event in events {
        var line = "#\(event.id)  \(event.receivedAt)  \(event.label ?? "?")  \(event.project ?? "-")  \(event.status)"
        if !event.launched.isEmpty { line += "  launched \(event.launched.joined(separator: ", "))" }
        if let error = event.error { line += "\n    " + error.replacingOccurrences(of: "\n", with: "\n    ") }
        print(line)
      }
      return 0
    }
  }
}
