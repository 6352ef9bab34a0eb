/// Why a `${...}` substitution could not be done; the message is meant for release engineers.
public enum SubstitutionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// `${r:...}` (any prefix starting with `r`, such as `ruby:` or `res:`) asks for Ruby evaluation.
  case rubyEvaluationUnsupported(key: String)
  /// Re-expansion did not settle: a value keeps producing new `${...}` (it refers to itself).
  case expansionLimitExceeded(text: String, steps: Int, bytes: Int)

  public var description: String {
    switch self {
    case .rubyEvaluationUnsupported(let key):
      return "${\(key)} asks for Ruby evaluation, which robogrator does not support "
        + "(ruote refused it too: 'ruby_eval_allowed' is false); compute the value in a participant "
        + "and read it with ${f:...}"
    case .expansionLimitExceeded(let text, let steps, let bytes):
      let head = text.count > 80 ? String(text.prefix(80)) + "..." : text
      return "substitution of '\(head)' did not finish after \(steps) steps (\(bytes) bytes): "
        + "a substituted value probably contains a ${...} that refers back to itself"
    }
  }
}
