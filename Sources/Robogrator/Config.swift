import Foundation
import OBSEvents
import Participants
import Storage
import TOMLKit
import Workflow

/// robogrator's settings: one TOML file (`/etc/robogrator/robogrator.toml`
/// or `--config`), environment variables over it, command-line flags over
/// both. Every setting has a default that works with `srv-layout/`; the
/// keys, their variables and flags are listed once, in `Config.keys`, which
/// robogrator.conf(5) documents.
public struct Config: Sendable, Equatable {
  public static let defaultFile = "/etc/robogrator/robogrator.toml"

  // [paths]
  public var root = "/srv/BOSS"
  public var state = "/var/lib/robogrator"
  /// Nil: beside the root (`<root>/processes`, `<root>/spool`, `<root>/participants`).
  public var store: String?
  public var spool: String?
  public var participants: String?
  // [storage]
  public var synchronous: SQLiteEngineStore.Synchronous = .normal
  public var batchSize = 1024
  // [participants]
  public var maxRunning = 8
  /// Seconds a participant may run when its expression sets no `:timeout`; nil: no limit.
  public var participantTimeout: Double? = 6 * 3600
  /// Seconds between SIGTERM and SIGKILL when a participant is stopped.
  public var gracePeriod: Double = 5
  public var aliases: [ParticipantAlias] = []
  // [events]
  public var busNamespace = "OBS"
  public var maxEventSize = EventDecoder.defaultMaximumSize
  // [retention]
  /// Seconds finished processes are kept; nil: forever.
  public var keepProcesses: Double? = 30 * 86_400
  /// Seconds handled events are kept in the inbox; nil: forever.
  public var keepEvents: Double? = 30 * 86_400

  /// The file the settings were read from, if any (for messages and reloads).
  public var file: String?

  public init() {}

  public var storeDirectory: String { store ?? root + "/processes" }
  public var spoolDirectory: String { spool ?? root + "/spool" }
  public var participantsDirectory: String { participants ?? root + "/participants" }
  public var databasePath: String { state + "/robogrator.sqlite" }

  public var decoder: EventDecoder {
    EventDecoder(maximumSize: maxEventSize, bus: MessageBusAdapter(namespace: busNamespace))
  }

  public var runnerConfiguration: ExecutableRunner.Configuration {
    ExecutableRunner.Configuration(
      maxConcurrentProcesses: maxRunning, defaultTimeout: participantTimeout.map { Duration.seconds($0) },
      terminationGracePeriod: .seconds(gracePeriod))
  }

  // MARK: - Keys

  /// One setting: where it lives in the file, its environment variable, its flag.
  public struct Key: Sendable {
    public let table: String
    public let name: String
    public let environment: String?
    public let flag: String?
    /// What it holds, for messages and the man page.
    public let expected: String
    /// Only a TOML string will do (a path, a mode, a name): `bus_namespace = true` is a mistake.
    public var textOnly = false
    /// Sets the value from text; throws `ConfigError` for a bad value.
    let apply: @Sendable (inout Config, String) throws -> Void

    func set(_ config: inout Config, _ text: String) throws(ConfigError) {
      do {
        try apply(&config, text)
      } catch let error as ConfigError {
        throw error
      } catch {
        throw ConfigError("\(error)")
      }
    }

    public var path: String { table + "." + name }
  }

  /// Every setting but `participants.aliases` (a table, see `applyAliases`).
  public static let keys: [Key] = [
    Key(
      table: "paths", name: "root", environment: "ROBOGRATOR_ROOT", flag: "--root", expected: "a folder", textOnly: true
    ) {
      $0.root = try folder($1)
    },
    Key(
      table: "paths", name: "state", environment: "ROBOGRATOR_STATE", flag: "--state", expected: "a folder",
      textOnly: true
    ) {
      $0.state = try folder($1)
    },
    Key(
      table: "paths", name: "store", environment: "ROBOGRATOR_STORE", flag: "--store", expected: "a folder",
      textOnly: true
    ) {
      $0.store = try folder($1)
    },
    Key(
      table: "paths", name: "spool", environment: "ROBOGRATOR_SPOOL", flag: "--spool", expected: "a folder",
      textOnly: true
    ) {
      $0.spool = try folder($1)
    },
    Key(
      table: "paths", name: "participants", environment: "ROBOGRATOR_PARTICIPANTS_DIR", flag: "--participants",
      expected: "a folder", textOnly: true
    ) { $0.participants = try folder($1) },
    Key(
      table: "storage", name: "synchronous", environment: "ROBOGRATOR_SYNCHRONOUS", flag: "--synchronous",
      expected: "normal or full", textOnly: true
    ) { config, text in
      guard let mode = SQLiteEngineStore.Synchronous(rawValue: text.uppercased()) else {
        throw ConfigError("expected normal or full, found \"\(text)\"")
      }
      config.synchronous = mode
    },
    Key(
      table: "storage", name: "batch_size", environment: "ROBOGRATOR_BATCH_SIZE", flag: nil,
      expected: "a whole number from 1 to 100000"
    ) { $0.batchSize = try wholeNumber($1, in: 1...100_000) },
    Key(
      table: "participants", name: "max_running", environment: "ROBOGRATOR_MAX_PARTICIPANTS",
      flag: "--max-participants", expected: "a whole number from 1 to 10000"
    ) { $0.maxRunning = try wholeNumber($1, in: 1...10_000) },
    Key(
      table: "participants", name: "timeout", environment: "ROBOGRATOR_PARTICIPANT_TIMEOUT", flag: nil,
      expected: "a duration (\"6h\", \"90m\", seconds) or \"none\""
    ) { config, text in
      let seconds = try duration(text, allowingNone: true)
      guard seconds != 0 else { throw ConfigError("0 would end every call at once; write \"none\" for no limit") }
      config.participantTimeout = seconds
    },
    Key(
      table: "participants", name: "grace_period", environment: "ROBOGRATOR_GRACE_PERIOD", flag: nil,
      expected: "a duration (\"5s\")"
    ) { $0.gracePeriod = try duration($1, allowingNone: false) ?? 0 },
    Key(
      table: "events", name: "bus_namespace", environment: "ROBOGRATOR_BUS_NAMESPACE", flag: "--bus-namespace",
      expected: "a name", textOnly: true
    ) { config, text in
      guard !text.isEmpty else { throw ConfigError("expected a name, found an empty text") }
      config.busNamespace = text
    },
    Key(
      table: "events", name: "max_size", environment: "ROBOGRATOR_MAX_EVENT_SIZE", flag: "--max-event-size",
      expected: "a number of bytes"
    ) { $0.maxEventSize = try wholeNumber($1, in: 1...(1 << 40)) },
    Key(
      table: "retention", name: "processes", environment: "ROBOGRATOR_KEEP_PROCESSES", flag: nil,
      expected: "a duration (\"30d\") or \"forever\""
    ) { $0.keepProcesses = try duration($1, allowingNone: true) },
    Key(
      table: "retention", name: "events", environment: "ROBOGRATOR_KEEP_EVENTS", flag: nil,
      expected: "a duration (\"30d\") or \"forever\""
    ) { $0.keepEvents = try duration($1, allowingNone: true) },
  ]

  static let tables = ["paths", "storage", "participants", "events", "retention"]

  // MARK: - Loading

  /// Reads the settings: defaults, then the file, then the environment.
  ///
  /// `file` is `--config`; without it, `$ROBOGRATOR_CONFIG`, else the
  /// default file if it exists (a missing default file is no error; a
  /// missing named one is).
  public static func load(file: String?, environment: [String: String]) throws(ConfigError) -> Config {
    var config = Config()
    let named = file ?? environment["ROBOGRATOR_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    let path = named ?? defaultFile
    if named != nil || FileManager.default.fileExists(atPath: path) {
      // FileHandle rather than FileManager.contents: that one refuses /dev/null (an empty configuration).
      guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
        var isFolder: ObjCBool = false
        let reason =
          !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
          ? "does not exist" : isFolder.boolValue ? "is a folder" : "cannot be read (check its permissions)"
        throw ConfigError("the configuration file \(path) \(reason)")
      }
      try config.apply(toml: String(decoding: data, as: UTF8.self), file: path)
    }
    try config.applyEnvironment(environment)
    return config
  }

  /// Applies a TOML document over these settings. Unknown tables and keys are
  /// errors (a misspelt key would otherwise be silently ignored).
  public mutating func apply(toml text: String, file: String) throws(ConfigError) {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw ConfigError(
        "\(file):\(error.source.begin.line):\(error.source.begin.column): not valid TOML: \(error.description)")
    } catch {
      throw ConfigError("\(file): not valid TOML: \(error)")
    }
    for name in table.keys.sorted() {
      guard Self.tables.contains(name), let section = table[name]?.table else {
        let known = Self.tables.map { "[\($0)]" }.joined(separator: ", ")
        if Self.tables.contains(name) {
          throw ConfigError("\(file): `\(name)` must be a table ([\(name)]), found \(describe(table[name]))")
        }
        if Self.keys.contains(where: { $0.name == name }) {
          let key = Self.keys.first { $0.name == name }!
          throw ConfigError("\(file): `\(name)` belongs in the [\(key.table)] table")
        }
        throw ConfigError("\(file): unknown setting `\(name)` (the tables are \(known))")
      }
      for key in section.keys.sorted() {
        let path = name + "." + key
        if path == "participants.aliases" {
          guard let aliases = section[key]?.table else {
            throw ConfigError(
              "\(file): participants.aliases must be a table of \"PATTERN\" = \"EXECUTABLE\", found \(describe(section[key]))"
            )
          }
          try applyAliases(aliases, file: file)
          continue
        }
        guard let setting = Self.keys.first(where: { $0.path == path }) else {
          let known = Self.keys.filter { $0.table == name }.map(\.name) + (name == "participants" ? ["aliases"] : [])
          throw ConfigError(
            "\(file): unknown setting `\(path)` (the [\(name)] keys are \(known.joined(separator: ", ")))")
        }
        guard let value = section[key], let text = Self.scalarText(value), !setting.textOnly || value.type == .string
        else {
          throw ConfigError("\(file): \(path): expected \(setting.expected), found \(describe(section[key]))")
        }
        do {
          try setting.set(&self, text)
        } catch {
          throw ConfigError("\(file): \(path): \(error.message)")
        }
      }
    }
    self.file = file
  }

  private mutating func applyAliases(_ table: TOMLTable, file: String) throws(ConfigError) {
    var aliases: [ParticipantAlias] = []
    // TOML tables are unordered; patterns are tried longest first so a specific one wins over a general one.
    for pattern in table.keys.sorted(by: { ($0.count, $1) > ($1.count, $0) }) {
      guard let executable = table[pattern]?.string, !executable.isEmpty else {
        throw ConfigError(
          "\(file): participants.aliases.\"\(pattern)\": expected the executable's name or path, found \(describe(table[pattern]))"
        )
      }
      let alias = ParticipantAlias(pattern: pattern, executable: executable)
      if let problem = alias.patternProblem {
        throw ConfigError("\(file): participants.aliases: \"\(pattern)\" is not a regular expression: \(problem)")
      }
      aliases.append(alias)
    }
    self.aliases = aliases
  }

  /// Applies every `ROBOGRATOR_*` variable of `Config.keys` that is set and not empty.
  public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
    for key in Self.keys {
      guard let variable = key.environment, let text = environment[variable], !text.isEmpty else { continue }
      do {
        try key.set(&self, text)
      } catch {
        throw ConfigError("$\(variable) (\(key.path)): \(error.message)")
      }
    }
  }

  /// Applies a command-line flag's value to the setting at `path`.
  public mutating func apply(flag: String, _ text: String) throws(ConfigError) {
    guard let key = Self.keys.first(where: { $0.flag == flag }) else {
      throw ConfigError("\(flag) is not a setting")
    }
    do {
      try key.set(&self, text)
    } catch {
      throw ConfigError("\(flag): \(error.message)")
    }
  }

  // MARK: - Values

  private static func scalarText(_ value: TOMLValueConvertible) -> String? {
    switch value.type {
    case .string: value.string
    case .int: value.int.map(String.init)
    case .double: value.double.map { String($0) }
    case .bool: value.bool.map { $0 ? "true" : "false" }
    default: nil
    }
  }

  private func describe(_ value: TOMLValueConvertible?) -> String {
    guard let value else { return "nothing" }
    switch value.type {
    case .table: return "a table"
    case .array: return "an array"
    case .string: return "\"\(value.string ?? "")\""
    default: return "\(value.type) \(value.debugDescription)"
    }
  }

  static func folder(_ text: String) throws(ConfigError) -> String {
    guard !text.isEmpty else { throw ConfigError("expected a folder, found an empty text") }
    return text
  }

  static func wholeNumber(_ text: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
    guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
      throw ConfigError("expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
    }
    return number
  }

  /// Seconds, in the process language's duration syntax (`30`, `90s`, `15m`, `6h`, `30d`, `2w`,
  /// `1h30m`; `DurationText`); nil for `none`/`forever` when allowed.
  static func duration(_ text: String, allowingNone: Bool) throws(ConfigError) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if allowingNone && ["none", "forever", "never"].contains(trimmed.lowercased()) { return nil }
    let example =
      "expected a duration like \"30s\", \"15m\", \"6h\", \"30d\" or \"1h30m\"\(allowingNone ? " (or \"none\")" : "")"
    // The process language reads "-5s" as no wait; a setting that says so is a mistake.
    guard !trimmed.isEmpty, !trimmed.hasPrefix("-"), let seconds = try? DurationText.seconds(trimmed) else {
      throw ConfigError("\(example), found \"\(text)\"")
    }
    // A century at most: larger values overflowed the clock arithmetic and crashed serve.
    guard seconds.isFinite, seconds <= 100 * 365 * 86_400 else {
      throw ConfigError("\"\(text)\" is longer than a century; write \"none\" or \"forever\" for no limit")
    }
    return seconds
  }
}

/// A setting that cannot be used: names the file, key or variable and the bad value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
