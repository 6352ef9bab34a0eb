import ArgumentParser
import Foundation
import OrderedJSON
import ProcessStore
import Robogrator

struct LintCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint",
    abstract: "Check the process store and its definitions for mistakes.",
    discussion: """
      Store: broken symlinks, symlink loops, links that resolve outside the store, \
      invalid confs, directory names that cannot be OBS project names, labels OBS never \
      emits, files that look like definitions but never launch, definitions no project \
      links. Definitions (every one a link reaches, read once): parse errors, refused \
      constructs (${r:...}, given/that/of), calls to names that are neither an \
      expression, a subprocess of the file, a built-in nor a participant in the \
      participants folder (it may be served remotely), conditions that are always \
      false or depend on unquoted values, and places where the old engine behaved \
      differently. Each finding names FILE:LINE:COLUMN. Exit status: 0 clean (hints \
      only), 1 errors or warnings, 2 the store cannot be read.
      """
  )

  @OptionGroup var options: CommonOptions

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The participants folder whose names count as known. Defaults to <root>/participants.", valueName: "dir"))
  var participants: String?

  @Flag(name: .long, help: "Print JSON: [{\"severity\", \"file\", \"line\", \"column\", \"message\"}].")
  var json = false

  @Flag(name: .long, help: "Also show hints (severity info), such as _if blocks whose second child is the else branch.")
  var hints = false

  func run() throws {
    try runReportingFailures {
      let store = URL(fileURLWithPath: try options.settings().storeDirectory).standardized.path
      let report: StoreLint.Report
      do {
        report = try StoreLint.run(root: store)
      } catch {
        throw UsageFailure("\(error)")
      }
      let participantNames = DefinitionLint.participants(
        in: try participants ?? options.settings().participantsDirectory)
      var findings = report.findings
      for definition in report.definitions {
        guard let data = FileManager.default.contents(atPath: definition.resolvedPath) else { continue }
        let name =
          definition.resolvedPath.hasPrefix(store + "/")
          ? String(definition.resolvedPath.dropFirst(store.count + 1)) : definition.resolvedPath
        findings += DefinitionLint.check(
          text: String(decoding: data, as: UTF8.self), file: name, participants: participantNames)
      }
      findings.sort()
      if !hints { findings.removeAll { $0.severity == .info } }
      if json {
        let value = JSONValue.array(
          findings.map { finding in
            .object(
              JSONObject([
                ("severity", .string(finding.severity.rawValue)), ("file", .string(finding.file)),
                ("line", finding.line.map(JSONValue.int) ?? .null),
                ("column", finding.column.map(JSONValue.int) ?? .null),
                ("message", .string(finding.message)),
              ]))
          })
        print(value.serialized(pretty: true))
      } else {
        findings.forEach { print($0) }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        if errors + warnings == 0 {
          print("\(store): no problems found (\(report.definitions.count) definitions checked)")
        } else {
          print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
      }
      return findings.contains(where: \.isProblem) ? 1 : 0
    }
  }
}
