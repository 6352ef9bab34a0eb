import OrderedJSON
import Testing

@testable import Workflow

/// A context with the given fields and variables, as the engine would present them.
func context(
  _ fields: JSONValue = [:], variables: JSONValue = [:], reserved: [ReservedName: JSONValue] = [:]
) -> StaticSubstitutionContext {
  StaticSubstitutionContext(fields: fields, variables: variables, reserved: reserved)
}

/// Substitutes `text` against `fields`.
func sub(_ text: String, _ fields: JSONValue = [:], variables: JSONValue = [:]) throws -> String {
  try Dollar.substitute(text, in: context(fields, variables: variables))
}

/// Evaluates an already substituted condition (nil when it raises).
func cond(_ text: String) -> Bool? {
  Condition.explain(substituted: text).value
}

/// The route an already substituted condition takes.
func route(_ text: String) -> Condition.Route {
  Condition.explain(substituted: text).route
}

extension Condition.Route {
  var isLexerError: Bool {
    if case .lexerError = self { return true }
    return false
  }

  var isGrammarError: Bool {
    if case .grammarError = self { return true }
    return false
  }

  var isEvaluationError: Bool {
    if case .evaluationError = self { return true }
    return false
  }
}

/// One condition with the fields it is evaluated against and the expected result.
struct ConditionCase: Sendable, CustomTestStringConvertible {
  let condition: String
  let fields: JSONValue
  let variables: JSONValue
  let expected: Bool

  init(_ condition: String, _ fields: JSONValue = [:], variables: JSONValue = [:], _ expected: Bool) {
    self.condition = condition
    self.fields = fields
    self.variables = variables
    self.expected = expected
  }

  init(_ condition: String, _ expected: Bool) {
    self.init(condition, [:], expected)
  }

  var testDescription: String { "\(condition) with \(fields.serialized()) → \(expected)" }
}
