import Foundation
import PDef
import Workflow

/// The process-definition language: parsing a large definition, evaluating BOSS conditions.
enum LanguageBenchmark {
  static func run() -> String {
    let path = "examples/processes/large_700_lines.pdef"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      return "## Language\n\nfailed: \(path) not found (run make bench from the repository root)\n"
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    _ = PDefBenchmark.parsesPerSecond(text: text, seconds: 0.3)  // warm-up
    let parses = PDefBenchmark.parsesPerSecond(text: text, seconds: 3)
    let conditions: ConditionBenchmark.Result
    do {
      _ = try ConditionBenchmark.run(seconds: 0.3)
      conditions = try ConditionBenchmark.run(seconds: 3)
    } catch {
      return "## Language\n\nfailed: \(error)\n"
    }
    return """
      ## Language: parsing definitions, evaluating conditions

      | measure | result | target |
      |---|---|---|
      | parses/s of `\(path)` (\(lines) lines) | \(format(parses)) | ≥ 1,000 |
      | condition evaluations/s (\(ConditionBenchmark.conditions.count) BOSS conditions, with `${}` substitution) | \(format(conditions.evaluationsPerSecond)) | ≥ 200,000 |

      A parse reads the Ruby DSL text into the canonical tree (lexing, parsing,
      building attribute maps), no caching between runs. A condition evaluation
      substitutes `${...}`, matches the special forms, and parses and evaluates
      the Ruby-expression subset, no caching of results; the conditions are the
      §5.5 patterns of the language spec, traps included.
      """
  }
}
