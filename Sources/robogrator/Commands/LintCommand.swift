import ArgumentParser
import Foundation
import OrderedJSON
import ProcessStore

struct LintCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint",
    abstract: "Check the process store for mistakes.",
    discussion: """
      Reports broken symlinks, symlink loops, links that resolve outside the store, \
      invalid confs, directory names that cannot be OBS project names, labels OBS never \
      emits, files that look like definitions but never launch, and definitions no \
      project links. Exit status: 0 clean, 1 findings, 2 the store cannot be read.
      """
  )

  @OptionGroup var storeOptions: StoreOptions

  @Flag(name: .long, help: "Print JSON: [{\"severity\", \"file\", \"line\", \"column\", \"message\"}].")
  var json = false

  func run() throws {
    try runReportingFailures {
      let report: StoreLint.Report
      do {
        report = try StoreLint.run(root: storeOptions.storeDirectory)
      } catch {
        throw UsageFailure("\(error)")
      }
      if json {
        let value = JSONValue.array(
          report.findings.map { finding in
            .object(
              JSONObject([
                ("severity", .string(finding.severity.rawValue)), ("file", .string(finding.file)),
                ("line", finding.line.map(JSONValue.int) ?? .null),
                ("column", finding.column.map(JSONValue.int) ?? .null),
                ("message", .string(finding.message)),
              ]))
          })
        print(value.serialized(pretty: true))
      } else if report.findings.isEmpty {
        print(
          "\(URL(fileURLWithPath: storeOptions.storeDirectory).standardized.path): no problems found (\(report.definitions.count) definitions checked)"
        )
      } else {
        report.findings.forEach { print($0) }
        let errors = report.findings.filter { $0.severity == .error }.count
        print(
          "\(errors) error\(errors == 1 ? "" : "s"), \(report.findings.count - errors) warning\(report.findings.count - errors == 1 ? "" : "s")"
        )
      }
      return report.findings.isEmpty ? 0 : 1
    }
  }
}
