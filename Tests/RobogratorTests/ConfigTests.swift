import Foundation
import Participants
import Storage
import Testing

@testable import Robogrator

@Suite struct ConfigTests {
  func parse(_ text: String, over base: Config = Config()) throws(ConfigError) -> Config {
    var config = base
    try config.apply(toml: text, file: "/etc/robogrator/robogrator.toml")
    return config
  }

  func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as ConfigError {
      return error.message
    } catch {
      return "unexpected \(error)"
    }
  }

  @Test func defaultsWorkWithABossRootAndKeepThirtyDays() {
    let config = Config()
    #expect(config.root == "/srv/BOSS")
    #expect(config.storeDirectory == "/srv/BOSS/processes")
    #expect(config.spoolDirectory == "/srv/BOSS/spool")
    #expect(config.participantsDirectory == "/srv/BOSS/participants")
    #expect(config.databasePath == "/var/lib/robogrator/robogrator.sqlite")
    #expect(config.synchronous == .normal)
    #expect(config.maxRunning == 8)
    #expect(config.participantTimeout == 6 * 3600.0)
    #expect(config.keepProcesses == 30 * 86_400.0)
    #expect(config.keepEvents == 30 * 86_400.0)
    #expect(config.aliases.isEmpty)
  }

  @Test func everyKeyOfTheFileIsRead() throws {
    let config = try parse(
      """
      # robogrator.toml
      [paths]
      root = "/srv/BOSS2"
      state = "/var/lib/rg"
      spool = "/var/spool/obs"

      [storage]
      synchronous = "full"
      batch_size = 64

      [participants]
      max_running = 3
      timeout = "2h"
      grace_period = "10s"

      [participants.aliases]
      "built_.*" = "built_notice"
      "built_Chalk:.*" = "/usr/bin/chalk_notice"

      [events]
      bus_namespace = "OBS-test"
      max_size = 1000

      [retention]
      processes = "7d"
      events = "forever"
      """)
    #expect(config.root == "/srv/BOSS2")
    #expect(config.storeDirectory == "/srv/BOSS2/processes")
    #expect(config.spoolDirectory == "/var/spool/obs")
    #expect(config.databasePath == "/var/lib/rg/robogrator.sqlite")
    #expect(config.synchronous == .full)
    #expect(config.batchSize == 64)
    #expect(config.maxRunning == 3)
    #expect(config.participantTimeout == 7200)
    #expect(config.gracePeriod == 10)
    // The more specific (longer) pattern is tried first.
    #expect(
      config.aliases == [
        ParticipantAlias(pattern: "built_Chalk:.*", executable: "/usr/bin/chalk_notice"),
        ParticipantAlias(pattern: "built_.*", executable: "built_notice"),
      ])
    #expect(config.decoder.bus.namespace == "OBS-test")
    #expect(config.decoder.maximumSize == 1000)
    #expect(config.keepProcesses == 7 * 86_400.0)
    #expect(config.keepEvents == nil)
    #expect(config.file == "/etc/robogrator/robogrator.toml")
    #expect(config.runnerConfiguration.maxConcurrentProcesses == 3)
    #expect(config.runnerConfiguration.defaultTimeout == .seconds(7200))
    #expect(config.runnerConfiguration.terminationGracePeriod == .seconds(10))
  }

  @Test func aMisspeltKeyIsAnErrorNamingItAndTheKnownOnes() {
    let text = message { _ = try parse("[participants]\nmax_runing = 4\n") }
    #expect(
      text
        == "/etc/robogrator/robogrator.toml: unknown setting `participants.max_runing` (the [participants] keys are max_running, timeout, grace_period, aliases)"
    )
    let table = message { _ = try parse("[participant]\nmax_running = 4\n") }
    #expect(table?.contains("unknown setting `participant`") == true)
    #expect(table?.contains("[paths], [storage], [participants], [events], [retention]") == true)
  }

  @Test func aKeyOutsideItsTableSaysWhereItBelongs() {
    #expect(
      message { _ = try parse("root = \"/srv/BOSS\"\n") }
        == "/etc/robogrator/robogrator.toml: `root` belongs in the [paths] table")
  }

  @Test func aBadValueNamesTheKeyAndTheValue() {
    #expect(
      message { _ = try parse("[storage]\nsynchronous = \"sometimes\"\n") }
        == "/etc/robogrator/robogrator.toml: storage.synchronous: expected normal or full, found \"sometimes\"")
    #expect(
      message { _ = try parse("[participants]\nmax_running = 0\n") }
        == "/etc/robogrator/robogrator.toml: participants.max_running: expected a whole number from 1 to 10000, found \"0\""
    )
    #expect(message { _ = try parse("[retention]\nprocesses = \"a month\"\n") }?.contains("found \"a month\"") == true)
    #expect(
      message { _ = try parse("[participants]\ntimeout = [1, 2]\n") }
        == "/etc/robogrator/robogrator.toml: participants.timeout: expected a duration (\"6h\", \"90m\", seconds) or \"none\", found an array"
    )
    #expect(
      message { _ = try parse("[participants.aliases]\n\"built_(\" = \"x\"\n") }?.contains(
        "\"built_(\" is not a regular expression") == true)
  }

  @Test func textSettingsWantStringsAndATimeoutOfZeroIsRefused() {
    #expect(
      message { _ = try parse("[events]\nbus_namespace = true\n") }
        == "/etc/robogrator/robogrator.toml: events.bus_namespace: expected a name, found bool true")
    #expect(message { _ = try parse("[paths]\nroot = 7\n") }?.contains("paths.root: expected a folder") == true)
    #expect(
      message { _ = try parse("[participants]\ntimeout = 0\n") }
        == "/etc/robogrator/robogrator.toml: participants.timeout: 0 would end every call at once; write \"none\" for no limit"
    )
  }

  @Test func aDurationLongerThanACenturyIsRefusedNotACrash() {
    for (table, key) in [("participants", "timeout"), ("participants", "grace_period"), ("retention", "processes")] {
      for value in ["\"100000000000000000d\"", "99999999999999999999", "\"1e300\""] {
        let text = message { _ = try parse("[\(table)]\n\(key) = \(value)\n") }
        // Refused with a message (a TOML integer past 64 bits is already a syntax error), never accepted.
        #expect(
          text != nil && text?.hasPrefix("unexpected") == false, "\(table).\(key) = \(value): \(text ?? "accepted")")
      }
    }
    #expect(
      message {
        _ = try Config.load(file: "/dev/null", environment: ["ROBOGRATOR_PARTICIPANT_TIMEOUT": "99999999999d"])
      }?
      .contains("longer than a century") == true)
  }

  @Test func aSyntaxErrorGivesFileLineAndColumn() {
    let text = message { _ = try parse("[storage]\nbatch_size = \n") }
    #expect(text?.hasPrefix("/etc/robogrator/robogrator.toml:2:") == true, "\(text ?? "")")
    #expect(text?.contains("not valid TOML") == true)
  }

  @Test func numbersAndDurationsInTheirUsualForms() throws {
    #expect(try parse("[participants]\ntimeout = 90\n").participantTimeout == 90)
    #expect(try parse("[participants]\ntimeout = \"1h30m\"\n").participantTimeout == 5400)
    #expect(try parse("[participants]\ntimeout = \"none\"\n").participantTimeout == nil)
    #expect(try parse("[retention]\nprocesses = \"2w\"\n").keepProcesses == 14 * 86_400.0)
    #expect(try parse("[storage]\nbatch_size = \"32\"\n").batchSize == 32)
    // The process language's syntax (DurationText): months, years, trailing seconds.
    #expect(try parse("[retention]\nprocesses = \"2M\"\n").keepProcesses == 60 * 86_400.0)
    #expect(try parse("[participants]\ntimeout = \"1h30\"\n").participantTimeout == 3630)
    #expect(message { _ = try parse("[participants]\ngrace_period = \"-5s\"\n") }?.contains("found \"-5s\"") == true)
  }

  @Test func theEnvironmentWinsOverTheFileAndABadVariableIsNamed() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("rg-\(UUID().uuidString).toml").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try Data("[paths]\nroot = \"/from/file\"\nstate = \"/state/from/file\"\n".utf8).write(
      to: URL(fileURLWithPath: file))
    let config = try Config.load(
      file: file, environment: ["ROBOGRATOR_ROOT": "/from/env", "ROBOGRATOR_MAX_PARTICIPANTS": "2"])
    #expect(config.root == "/from/env")
    #expect(config.state == "/state/from/file")
    #expect(config.maxRunning == 2)
    // $ROBOGRATOR_CONFIG names the file when --config does not.
    #expect(try Config.load(file: nil, environment: ["ROBOGRATOR_CONFIG": file]).root == "/from/file")
    #expect(
      message { _ = try Config.load(file: file, environment: ["ROBOGRATOR_SYNCHRONOUS": "fast"]) }
        == "$ROBOGRATOR_SYNCHRONOUS (storage.synchronous): expected normal or full, found \"fast\"")
  }

  @Test func aNamedFileThatIsMissingIsAnError() {
    #expect(
      message { _ = try Config.load(file: "/nonexistent/robogrator.toml", environment: [:]) }
        == "the configuration file /nonexistent/robogrator.toml does not exist")
  }

  @Test func aFolderIsNotAConfigurationAndAnEmptyFileIsAllDefaults() throws {
    let folder = FileManager.default.temporaryDirectory.path
    #expect(
      message { _ = try Config.load(file: folder, environment: [:]) }
        == "the configuration file \(folder) is a folder")
    var expected = Config()
    expected.file = "/dev/null"
    #expect(try Config.load(file: "/dev/null", environment: [:]) == expected)
  }

  @Test func theExampleFileParsesAndItsCommentedValuesAreTheDefaults() throws {
    let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples/robogrator.toml").standardized.path
    let text = try String(contentsOfFile: example, encoding: .utf8)
    var asShipped = Config()
    try asShipped.apply(toml: text, file: example)
    #expect(asShipped.aliases.isEmpty)
    // Uncomment every `#key = value` line (not the alias example): the defaults again.
    let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.range(of: #"^#[a-z_]+ = "#, options: .regularExpression) != nil ? String(line.dropFirst()) : String(line)
    }.joined(separator: "\n")
    var stated = Config()
    try stated.apply(toml: uncommented, file: example)
    let defaults = Config()
    #expect(stated.root == defaults.root && stated.state == defaults.state)
    #expect(stated.storeDirectory == defaults.storeDirectory && stated.spoolDirectory == defaults.spoolDirectory)
    #expect(stated.participantsDirectory == defaults.participantsDirectory)
    #expect(stated.synchronous == defaults.synchronous && stated.batchSize == defaults.batchSize)
    #expect(stated.runnerConfiguration == defaults.runnerConfiguration)
    #expect(stated.busNamespace == defaults.busNamespace && stated.maxEventSize == defaults.maxEventSize)
    #expect(stated.keepProcesses == defaults.keepProcesses && stated.keepEvents == defaults.keepEvents)
    #expect(uncommented.components(separatedBy: "\n#").count < text.components(separatedBy: "\n#").count - 10)
  }

  @Test func flagsWinOverEverything() throws {
    var config = try parse("[storage]\nsynchronous = \"full\"\n")
    try config.apply(flag: "--synchronous", "normal")
    try config.apply(flag: "--root", "/flag")
    #expect(config.synchronous == .normal)
    #expect(config.root == "/flag")
    #expect(message { try config.apply(flag: "--max-participants", "-1") }?.hasPrefix("--max-participants:") == true)
  }

  @Test func everyKeyHasADistinctVariableAndPath() {
    let variables = Config.keys.compactMap(\.environment)
    #expect(Set(variables).count == variables.count)
    #expect(Set(Config.keys.map(\.path)).count == Config.keys.count)
    #expect(variables.allSatisfy { $0.hasPrefix("ROBOGRATOR_") })
  }
}
