import Foundation
import Testing

/// The man pages against the code: every setting of `Config.keys` in
/// robogrator.conf(5), every option of every command in robogrator(1), and
/// no page that groff warns about.
@Suite struct ManPageTests {
  static let pages = ["robogrator.1", "robogrator.conf.5", "robogrator-pdef.5", "robogrator-participant.7"]

  // MARK: - robogrator.conf(5) and Config.keys

  @Test func everyConfigurationKeyHasAnEntryInItsTablesSection() throws {
    let page = try ManPage("robogrator.conf.5")
    for key in try ConfigKey.all() {
      let section = try #require(page.section("[\(key.table)]"), "robogrator.conf(5) has no .SS [\(key.table)]")
      #expect(section.entry(key.name) != nil, "robogrator.conf(5) [\(key.table)] has no .TP entry for \(key.name)")
    }
  }

  @Test func everyKeysVariableAndFlagAreInItsEntry() throws {
    let page = try ManPage("robogrator.conf.5")
    for key in try ConfigKey.all() {
      let entry = try #require(page.section("[\(key.table)]")?.entry(key.name), "no entry for \(key.path)")
      if let variable = key.environment {
        #expect(entry.mentions(variable), "robogrator.conf(5): the entry of \(key.path) does not name $\(variable)")
      }
      if let flag = key.flag {
        #expect(
          entry.mentions(ManPage.escape(flag)), "robogrator.conf(5): the entry of \(key.path) does not name \(flag)")
      }
    }
  }

  @Test func everyVariableIsListedUnderEnvironment() throws {
    let page = try ManPage("robogrator.conf.5")
    let environment = try #require(page.section("ENVIRONMENT"))
    let config = try String(contentsOf: ConfigKey.source, encoding: .utf8)
    #expect(config.contains("\"ROBOGRATOR_CONFIG\""), "Config.swift no longer reads $ROBOGRATOR_CONFIG")
    #expect(environment.mentions("ROBOGRATOR_CONFIG"))
    for variable in try ConfigKey.all().compactMap(\.environment) {
      #expect(environment.mentions(variable), "robogrator.conf(5) ENVIRONMENT does not list \(variable)")
    }
  }

  @Test func theAliasesTableHasItsOwnSection() throws {
    let page = try ManPage("robogrator.conf.5")
    let section = try #require(page.section("[participants.aliases]"))
    #expect(section.mentions("\\-\\-alias"))
    #expect(section.text.contains("longest pattern first"))
  }

  @Test func theExampleFilesInRobogratorConfAreValidConfigurations() throws {
    let page = try ManPage("robogrator.conf.5")
    let examples = [
      try #require(page.section("EXAMPLE")?.examples.first, "robogrator.conf(5) EXAMPLE has no .EX block"),
      try #require(page.section("[participants.aliases]")?.examples.first),
    ]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("robogrator-man-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (number, example) in examples.enumerated() {
      let file = folder.appendingPathComponent("example\(number).toml").path
      try Data(example.utf8).write(to: URL(fileURLWithPath: file))
      // links reads the whole configuration, and needs nothing but a store.
      let result = try CLI.run(["links", "--config", file, "--store", folder.path])
      #expect(result.status == 0, "\(example)\n\(result.stderr)")
    }
  }

  // MARK: - robogrator(1) and the commands' --help

  @Test func everyOptionOfEveryCommandIsInItsSynopsisAndDescribed() throws {
    let page = try ManPage("robogrator.1")
    let synopsis = try #require(page.section("SYNOPSIS"))
    let commonOptions = try #require(page.section("COMMANDS"))
    let commands = try Help.commands()
    #expect(commands.count >= 10, "could not read the commands of robogrator --help")
    for command in commands {
      let options = try Help.longOptions(of: command)
      #expect(!options.isEmpty, "could not read the options of robogrator \(command) --help")
      let block = synopsis.synopsis(of: command)
      #expect(block != nil, "robogrator(1) SYNOPSIS has no entry for \(command)")
      let described = page.section(command)
      #expect(described != nil, "robogrator(1) has no .SS \(command)")
      for option in options where option != "--help" && option != "--version" {
        let escaped = ManPage.escape(option)
        #expect(block?.mentions(escaped) == true, "robogrator(1) SYNOPSIS of \(command) lacks \(option)")
        #expect(
          described?.mentions(escaped) == true || commonOptions.entry(escaped, bold: "BI") != nil,
          "robogrator(1) describes \(option) of \(command) neither under \(command) nor with the common options")
      }
    }
    #expect(page.text.mentions("\\-\\-help") && page.text.mentions("\\-\\-version"))
  }

  // MARK: - groff

  @Test(
    .enabled(
      if: Groff.path != nil,
      "groff is not installed (Debian: apt-get install groff-base); the man pages were not checked for warnings"),
    arguments: pages)
  func groffFormatsThePageWithoutAWarning(_ name: String) throws {
    let groff = try #require(Groff.path)
    let page = ManPage.folder.appendingPathComponent(name).path
    let source = try String(contentsOfFile: page, encoding: .utf8)
    // man(1) runs the preprocessors a page names on its first line ('\" t: tbl).
    var arguments = ["-man", "-Tutf8", "-ww", "-z"]
    if source.hasPrefix("'\\\" t") { arguments.insert("-t", at: 0) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: groff)
    process.arguments = arguments + [page]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let warnings = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(warnings.isEmpty, "groff \(arguments.joined(separator: " ")) \(name):\n\(warnings)")
  }
}

// MARK: - Helpers

/// One setting of `Config.keys`, read from the text of Config.swift (this
/// test target runs the executable and cannot import the Robogrator module).
struct ConfigKey {
  static let source = CLI.repository.appendingPathComponent("Sources/Robogrator/Config.swift")

  let table: String
  let name: String
  let environment: String?
  let flag: String?
  var path: String { table + "." + name }

  static func all() throws -> [ConfigKey] {
    let text = try String(contentsOf: source, encoding: .utf8)
    let pattern =
      #/Key\(\s*table:\s*"(?<table>[^"]*)",\s*name:\s*"(?<name>[^"]*)",\s*environment:\s*(?:nil|"(?<environment>[^"]*)"),\s*flag:\s*(?:nil|"(?<flag>[^"]*)")/#
    let keys = text.matches(of: pattern).map { match in
      ConfigKey(
        table: String(match.table), name: String(match.name), environment: match.environment.map(String.init),
        flag: match.flag.map(String.init))
    }
    // Every `Key(` must have been read: a change of its layout must not make this test pass empty.
    let written = text.matches(of: #/\bKey\(/#).count
    #expect(!keys.isEmpty && keys.count == written, "read \(keys.count) of the \(written) Key( in Config.swift")
    return keys
  }
}

/// A man page's source, and its sections.
struct ManPage {
  static let folder = CLI.repository.appendingPathComponent("man")

  let text: Text

  init(_ name: String) throws {
    text = Text(try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8))
  }

  /// How `-` is written in the pages' source.
  static func escape(_ option: String) -> String { option.replacingOccurrences(of: "-", with: "\\-") }

  /// The text under `.SH heading` or `.SS heading`, up to the next heading.
  func section(_ heading: String) -> Text? {
    let lines = text.text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == ".SH \(heading)" || $0 == ".SS \(heading)" }) else {
      return nil
    }
    let end = lines[(start + 1)...].firstIndex { $0.hasPrefix(".SH ") || $0.hasPrefix(".SS ") } ?? lines.endIndex
    return Text(lines[start..<end].joined(separator: "\n") + "\n")
  }

  /// A piece of groff source.
  struct Text {
    let text: String
    init(_ text: String) { self.text = text }

    /// Whether `word` occurs as a whole word (not as part of a longer name or option).
    func mentions(_ word: String) -> Bool {
      var rest = text[...]
      while let range = rest.range(of: word) {
        let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
        let after = text[range.upperBound...]
        // `\-` continues an option (`\-\-max` is not `\-\-max\-event\-size`).
        if !Self.continues(before) && !Self.continues(after.first) && !after.hasPrefix("\\-") { return true }
        rest = after
      }
      return false
    }

    private static func continues(_ character: Character?) -> Bool {
      guard let character else { return false }
      return character.isLetter || character.isNumber || character == "_"
    }

    /// A `.TP` entry tagged `.B name` (or `.BI name ...`): its text up to the next `.TP`.
    func entry(_ name: String, bold: String = "B") -> Text? {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      for index in lines.indices.dropFirst() where lines[index - 1] == ".TP" {
        let tag = lines[index]
        guard tag == ".\(bold) \(name)" || tag.hasPrefix(".\(bold) \(name) ") else { continue }
        let end = lines[(index + 1)...].firstIndex { $0 == ".TP" } ?? lines.endIndex
        return Text(lines[index..<end].joined(separator: "\n"))
      }
      return nil
    }

    /// The `.SY robogrator` ... `.YS` block of a command.
    func synopsis(of command: String) -> Text? {
      let blocks = text.components(separatedBy: ".SY robogrator\n").dropFirst()
      return blocks.first { $0.hasPrefix(".B \(command)\n") }.map { Text($0.components(separatedBy: ".YS\n")[0]) }
    }

    /// The `.EX` ... `.EE` blocks, as a reader copies them from the rendered page.
    var examples: [String] {
      text.components(separatedBy: "\n.EX\n").dropFirst().map { block in
        let body = block.components(separatedBy: "\n.EE")[0]
        return
          body
          .replacingOccurrences(of: "\\-", with: "-")
          .replacingOccurrences(of: "\\(dq", with: "\"")
          .replacingOccurrences(of: "\\(aq", with: "'")
          .replacingOccurrences(of: "\\(ga", with: "`")
          .replacingOccurrences(of: "\\&", with: "")
          .replacingOccurrences(of: "\\e", with: "\\") + "\n"
      }
    }
  }
}

/// Failure messages name the section or entry, not its whole source.
extension ManPage.Text: CustomTestStringConvertible {
  var testDescription: String {
    let lines = text.split(separator: "\n")
    return "\"\(lines.first ?? "")\" (\(lines.count) lines)"
  }
}

/// What `robogrator --help` and `robogrator COMMAND --help` print.
enum Help {
  /// The subcommands listed by `robogrator --help`.
  static func commands() throws -> [String] {
    let help = try CLI.run(["--help"])
    #expect(help.status == 0)
    let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
    return lines[(start + 1)...].compactMap { line in
      line.wholeMatch(of: #/  (?<name>[a-z][a-z-]*)(?: .*)?/#).map { String($0.name) }
    }
  }

  /// The long options `robogrator COMMAND --help` lists under OPTIONS.
  static func longOptions(of command: String) throws -> [String] {
    let help = try CLI.run([command, "--help"])
    #expect(help.status == 0, "robogrator \(command) --help: \(help.stderr)")
    let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(of: "OPTIONS:") else { return [] }
    // Option lines are indented by two spaces; their help text and its continuations by more.
    return lines[(start + 1)...].compactMap { line in
      line.prefixMatch(of: #/  (?:-[a-zA-Z], )?(?<option>--[a-z0-9][a-z0-9-]*)/#).map { String($0.option) }
    }
  }
}

/// groff, if it is installed (Debian's groff-base; man-db needs it).
enum Groff {
  static let path: String? = {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return folders.map { "\($0)/groff" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()
}
