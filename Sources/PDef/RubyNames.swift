/// Words that Ruby itself answers inside a ruote `do ... end` block, so they
/// never became process expressions under ruote — and are refused here with
/// a message saying what to write instead.
enum RubyNames {
  /// Ruby keywords: they cannot be method names at all, hence ruote's `_if`, `_break`.
  static let keywords: Set<String> = [
    "alias", "and", "begin", "BEGIN", "break", "case", "class", "def", "do", "else", "elsif", "end",
    "END", "ensure", "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo", "rescue", "retry",
    "return", "self", "super", "then", "true", "undef", "unless", "until", "when", "while", "yield",
    "__FILE__", "__LINE__", "__ENCODING__", "__method__",
  ]

  /// Statement modifiers and operators that may follow a call on the same line.
  static let modifiers: Set<String> = ["if", "unless", "while", "until", "rescue", "and", "or"]

  /// Kernel methods whose output ruote silently dropped.
  static let printing: Set<String> = ["p", "pp", "puts", "print", "printf", "putc", "display"]

  /// Names ruote's tree checker refused, or that run something outside the
  /// process (a program, a file, the interpreter).
  static let dangerous: Set<String> = [
    "system", "exec", "spawn", "fork", "exit", "exit!", "abort", "at_exit", "trap", "require", "require_relative",
    "load", "autoload", "eval", "instance_eval", "class_eval", "module_eval", "instance_exec", "binding", "send",
    "__send__", "public_send", "syscall", "open", "set_trace_func", "trace_var", "define_method", "method_missing",
    "instance_variable_get", "instance_variable_set", "const_get", "const_set", "remove_const", "caller",
  ]

  /// Other Kernel and Object methods that Ruby answers instead of ruote.
  static let answeredByRuby: Set<String> = [
    "sleep", "loop", "format", "sprintf", "rand", "srand", "select", "test", "fail", "raise", "warn", "gets",
    "readline", "readlines", "catch", "throw", "lambda", "proc", "clone", "dup", "freeze", "hash", "inspect",
    "method", "methods", "object_id", "tap", "to_s", "itself", "extend", "instance_variables", "singleton_class",
  ]

  /// Every refused word, so the common case (not refused) costs one lookup.
  private static let refused: Set<String> = keywords.union(printing).union(dangerous).union(answeredByRuby)

  /// Why `word`, written as a statement, is not a process expression; nil when it is fine.
  static func refusal(for word: String) -> String? {
    guard refused.contains(word) else { return nil }
    let expressionHint =
      PDefNode.knownExpressionNames.contains(word)
      ? "write `_\(word)` for the process expression `\(word)`"
      : "write `_\(word)` if you mean a participant or subprocess named \(word)"
    if keywords.contains(word) {
      return "`\(word)` is a Ruby keyword, not a process expression: \(expressionHint)"
    }
    if printing.contains(word) {
      return "`\(word)` is Ruby, not a process expression (ruote printed nothing and dropped it): "
        + "use `echo '...'` to log a text, or \(expressionHint)"
    }
    if dangerous.contains(word) {
      return "`\(word)` is Ruby, not a process expression: definitions are never run as Ruby "
        + "(ruote refused such a definition); \(expressionHint)"
    }
    if answeredByRuby.contains(word) {
      return "`\(word)` is Ruby, not a process expression (under ruote Ruby ran it instead of "
        + "making a node): \(expressionHint)"
    }
    return nil
  }
}
