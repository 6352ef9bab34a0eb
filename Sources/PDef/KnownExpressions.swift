extension PDefNode {
  /// Every expression name spec §3 describes, after the DSL drops leading
  /// underscores (`_if` is `if`). A name outside this set is a participant
  /// or subprocess call.
  ///
  /// `given`, `that` and `of` are included because the spec describes them;
  /// `PDefLint` refuses them separately. Names the spec only lists as never
  /// used and does not describe (`filter`, `await`, `once`, `cron`, `redo`)
  /// are not included.
  public static let knownExpressionNames: Set<String> = [
    // §3.1–3.2
    "sequence", "let", "define", "process_definition", "workflow_definition",
    // §3.3–3.6
    "participant", "ref", "subprocess", "apply",
    // §3.7–3.10
    "set", "unset", "rset", "inc", "dec", "increment", "decrement", "push", "pop", "echo", "wait", "sleep",
    // §3.11–3.13
    "if", "given", "that", "of", "equals",
    // §3.14 and the commands
    "cursor", "repeat", "loop", "break", "stop", "over", "rewind", "continue", "reset", "skip", "back", "jump",
    // §3.15–3.18
    "iterator", "cancel_process", "terminate", "kill_process", "error", "on_error",
    // §3.19–3.22
    "listen", "receive", "intercept", "concurrence", "concurrent_iterator", "citerator", "forget", "lose", "undo",
    "cancel", "kill", "noop",
  ]
}
