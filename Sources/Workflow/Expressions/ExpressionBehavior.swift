import OrderedJSON

/// What one kind of expression does when its parent applies it and when one
/// of its children replies. Each kind lives in its own file, starting with a
/// comment that shows it in a definition.
protocol ExpressionBehavior: Sendable {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault)
  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
}

extension ExpressionBehavior {
  /// By default a child's reply ends the expression with the child's workitem.
  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    step.reply(fields)
  }
}

/// Which behaviour runs which expression name. A new expression is a new file
/// and one line here; a name not listed is a participant or subprocess call.
enum ExpressionRegistry {
  static let behaviors: [String: any ExpressionBehavior.Type] = [
    "define": Define.self, "process_definition": Define.self, "workflow_definition": Define.self,
    "sequence": Sequence.self, "let": Let.self,
    "participant": ParticipantCall.self, "ref": RefCall.self, "subprocess": RefCall.self,
    "set": SetExpression.self, "rset": SetExpression.self, "unset": UnsetExpression.self,
    "echo": Echo.self,
    "if": If.self,
    "error": ErrorExpression.self,
    "noop": Noop.self,
    "cursor": Cursor.self, "repeat": Cursor.self, "loop": Cursor.self,
    "break": CommandExpression.self, "stop": CommandExpression.self, "over": CommandExpression.self,
    "rewind": CommandExpression.self, "continue": CommandExpression.self, "reset": CommandExpression.self,
    "skip": CommandExpression.self, "back": CommandExpression.self, "jump": CommandExpression.self,
    "iterator": Iterator.self,
    "concurrence": Concurrence.self, "concurrent_iterator": ConcurrentIterator.self,
    "citerator": ConcurrentIterator.self,
    "terminate": Terminate.self, "cancel_process": Terminate.self, "kill_process": Terminate.self,
    "apply": Apply.self,
    "wait": Wait.self, "sleep": Wait.self,
    "on_error": OnError.self,
    "listen": Listen.self, "receive": Listen.self, "intercept": Listen.self,
    "forget": Forget.self, "lose": Lose.self,
    "undo": Undo.self, "cancel": Undo.self, "kill": Undo.self,
    "equals": Equals.self,
    "inc": Inc.self, "increment": Inc.self, "dec": Inc.self, "decrement": Inc.self, "push": Inc.self, "pop": Inc.self,
  ]

  /// The kind an expression name runs as: itself when known, else an implicit call.
  static func kind(of name: String) -> String {
    behaviors[name] == nil ? "implicit" : name
  }

  static func behavior(for kind: String) -> any ExpressionBehavior.Type {
    if kind == "implicit" { return RefCall.self }
    return behaviors[kind] ?? Noop.self
  }
}

/// `noop`: replies at once with the workitem it got.
enum Noop: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    step.reply(step.expression.applied)
  }
}
