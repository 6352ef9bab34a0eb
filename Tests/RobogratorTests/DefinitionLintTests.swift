import Foundation
import ProcessStore
import Robogrator
import Testing

@Suite struct DefinitionLintTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardized

  static func definitions(in folder: String) -> [String] {
    let directory = repository.appendingPathComponent(folder).path
    return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0.hasSuffix(".pdef") }.sorted().map { directory + "/" + $0 }
  }

  /// The participants the examples expect (examples/processes/PARTICIPANTS) and srv-layout's own.
  static let participants: Set<String> = {
    let listed =
      (try? String(
        contentsOfFile: repository.appendingPathComponent("examples/processes/PARTICIPANTS").path, encoding: .utf8))
      ?? ""
    let names = listed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    return Set(names).union(
      DefinitionLint.participants(in: repository.appendingPathComponent("srv-layout/participants").path))
  }()

  static let files = definitions(in: "examples/processes") + definitions(in: "srv-layout/processes")

  @Test func thereAreExamplesAndLayoutDefinitionsToCheck() {
    #expect(Self.files.count >= 8)
    #expect(Self.participants.contains("notify_irc"))
    #expect(Self.participants.contains("check_valid_changes"))
  }

  @Test(arguments: files)
  func definitionLintsWithoutErrorsOrWarnings(path: String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let problems = DefinitionLint.check(text: text, file: path, participants: Self.participants).filter(\.isProblem)
    #expect(problems.isEmpty, "\(problems.map(\.description))")
  }

  @Test func parseErrorIsReportedWithLineAndColumn() {
    let findings = DefinitionLint.check(
      text: "Ruote.process_definition 'x' do\n  echo 'unterminated\nend\n", file: "x.pdef", participants: [])
    #expect(findings.count == 1)
    #expect(findings.first?.severity == .error)
    #expect(findings.first?.line != nil && findings.first?.column != nil)
    #expect(findings.first?.message.contains("unterminated string") == true)
  }

  @Test func conditionTrapsAreWarnedAtTheirExpression() {
    let text = """
      Ruote.process_definition 'x' do
        sequence do
          notify :if => 'qa-vote in ${stages}'
          _if '${f:status} != "SUCCESS"' do
            notify
          end
          _break :if => '${v:check} empty'
        end
      end
      """
    let findings = DefinitionLint.check(text: text, file: "x.pdef", participants: ["notify"]).filter(\.isProblem)
    #expect(findings.contains { $0.line == 3 && $0.message.contains("qa-vote") })
    #expect(findings.contains { $0.line == 4 && $0.message.contains("${f:status}") })
    #expect(findings.contains { $0.line == 7 })
  }

  @Test func refusedConstructsAreErrors() {
    let text = """
      Ruote.process_definition 'x' do
        echo '${r:1 + 1}'
        given '${v:check}' do
          of 'a' do
            echo 'x'
          end
        end
      end
      """
    let errors = DefinitionLint.check(text: text, file: "x.pdef", participants: []).filter { $0.severity == .error }
    #expect(errors.contains { $0.line == 2 })
    #expect(errors.contains { $0.line == 3 && $0.message.contains("given") })
  }

  @Test func quirkTheOldEngineHandledDifferentlyIsReported() {
    let text = "Ruote.process_definition 'x' do\n  echo 'a } ${n}'\nend\n"
    let findings = DefinitionLint.check(text: text, file: "x.pdef", participants: [])
    #expect(findings.contains { $0.line == 2 && $0.isProblem })
  }

  @Test func participantsAreNamesOfExecutablesWithoutTheirExtension() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "robogrator-participants-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for name in ["notify_irc.py", "obsticket_helper", "README"] {
      _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data())
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/notify_irc.py")
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/obsticket_helper")
    #expect(DefinitionLint.participants(in: directory) == ["notify_irc", "obsticket_helper"])
  }
}

@Suite struct DefinitionLintReportsOnceTests {
  @Test func rubyEvaluationIsReportedOnce() {
    let findings = DefinitionLint.check(
      text: "Ruote.process_definition 'x' do\n  echo '${r:1 + 1}'\nend\n", file: "x.pdef", participants: [])
    #expect(findings.filter { $0.severity == .error }.count == 1)
  }
}
