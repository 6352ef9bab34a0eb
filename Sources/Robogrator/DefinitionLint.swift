import Foundation
import Lint
import OrderedJSON
import PDef
import ProcessStore
import Workflow

/// Lint of process definitions, for `robogrator lint`: parse errors, the
/// tree checks of PDef (refused constructs, unknown names, own-name calls),
/// and the condition and `${}` checks of Workflow, each tied to file:line:col.
public enum DefinitionLint {
  /// Participants every deployment has without a file in `participants/`.
  public static let builtInParticipants: Set<String> = ["obsticket"]

  /// Attributes that hold conditions, by expression (every expression has `if`/`unless`).
  static let loopConditions = [
    "break_if", "break_unless", "rewind_if", "rewind_unless", "reset_if", "reset_unless", "over_if", "over_unless",
    "stop_if", "stop_unless",
  ]
  static let conditionAttributes: [String: [String]] = [
    "cursor": loopConditions, "repeat": loopConditions, "loop": loopConditions, "iterator": loopConditions,
    "concurrence": ["over_if", "over_unless"], "concurrent_iterator": ["over_if", "over_unless"],
    "citerator": ["over_if", "over_unless"], "listen": ["where"], "receive": ["where"], "intercept": ["where"],
  ]

  /// Lints one definition's text. `file` is how findings name it.
  public static func check(text: String, file: String, participants: Set<String>) -> [LintFinding] {
    let root: PDefNode
    do {
      root = try PDefParser.parse(text, file: file)
    } catch {
      return [LintFinding(severity: .error, file: file, line: error.line, column: error.column, message: error.message)]
    }
    var findings = PDefLint.check(
      root, knownExpressions: PDefNode.knownExpressionNames, participants: participants.union(builtInParticipants),
      file: file)
    var stack = [root]
    while let node = stack.popLast() {
      findings += check(node, file: file)
      stack.append(contentsOf: node.children.reversed())
    }
    return findings.sorted()
  }

  /// Condition and substitution findings of one node's attributes.
  static func check(_ node: PDefNode, file: String) -> [LintFinding] {
    var found: [LintFinding] = []
    func add(_ finding: TextFinding, attribute: String, text: String) {
      found.append(
        LintFinding(
          severity: finding.severity, file: file, line: node.location?.line,
          column: node.location?.column, message: "\(node.name) \(attribute) \(describe(text)): \(finding.message)"))
    }
    var conditions = ["if", "unless"] + (conditionAttributes[node.name] ?? [])
    if node.name == "if" {
      // _if's test: :test, else :t, else the positional text.
      if node.attributes["test"] != nil {
        conditions.append("test")
      } else if node.attributes["t"] != nil {
        conditions.append("t")
      } else if let positional = node.positionalText {
        for finding in ConditionLint.findings(for: positional) { add(finding, attribute: "test", text: positional) }
      }
    }
    for name in conditions {
      guard let value = node.attributes[name] else { continue }
      for finding in ConditionLint.findings(forValue: value) {
        add(finding, attribute: ":\(name)", text: value.stringValue ?? value.serialized())
      }
    }
    for (key, value) in node.attributes {
      for text in [key] + strings(in: value) {
        // `${r:...}` is already an error of the tree lint; report it once.
        for finding in SubstitutionLint.findings(for: text) where finding.code != "ruby-evaluation" {
          add(finding, attribute: "text", text: text)
        }
      }
    }
    return found
  }

  static func strings(in value: JSONValue) -> [String] {
    switch value {
    case .string(let text): [text]
    case .array(let elements): elements.flatMap(strings(in:))
    case .object(let object): object.flatMap { [$0.key] + strings(in: $0.value) }
    default: []
    }
  }

  static func describe(_ text: String) -> String {
    let short = text.count > 60 ? String(text.prefix(57)) + "..." : text
    return "'\(short)'"
  }

  /// Participant names served from a participants folder: `NAME` or `NAME.*` executables.
  public static func participants(in directory: String) -> Set<String> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return Set(
      names.filter { !$0.hasPrefix(".") && FileManager.default.isExecutableFile(atPath: directory + "/" + $0) }
        .map { name in name.firstIndex(of: ".").map { String(name[..<$0]) } ?? name })
  }
}
