import OrderedJSON

// cursor, repeat (loop), and the commands that steer them
//
//     cursor :break_if => '${f:status} != SUCCESS' do
//       alpha
//       bravo
//       rewind :if => '${f:again}'
//       charly
//     end
//
//     repeat :timeout => '4h', :on_timeout => 'error' do
//       wait '1m'
//       is_repo_published
//       _break :if => '${f:__result__}'
//     end
//
// A cursor is a sequence that, before each child (the first one included),
// looks for a command: the `__command__` field a command child left (removed
// when read), else its `break_if`/`rewind_if`/... attributes evaluated on the
// current workitem. `repeat`/`loop` start over after the last child instead
// of replying. Commands: break/stop/over reply, rewind/continue go back to the
// first child, reset restarts with the original workitem, skip/back move by
// n (`skip :step => 2` or `skip '2'`), jump goes to a named or numbered
// child (`jump :to => 'charly'`, `jump 'charly'`) (spec §3.14).
enum Cursor: ExpressionBehavior {
  /// The `*_if` / `*_unless` attributes a loop checks, in ruote's order (spec §3.14).
  static let commandAttributes = ["break", "rewind", "reset", "over", "stop"]

  /// Every command a loop obeys (from a command expression, `__command__` or `:on_timeout`).
  static let commandNames: Set<String> = [
    "break", "stop", "over", "rewind", "continue", "reset", "skip", "back", "jump",
  ]

  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    try move(&step, after: -1, fields: step.expression.applied)
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    var fields = fields
    if case .object(let stored)? = step.expression.state.removeValue(forKey: "command_fields") { fields = stored }
    try move(&step, after: step.childIndex(of: child), fields: fields)
  }

  /// Decides what comes after child `index` (-1: before the first).
  static func move(_ step: inout ExpressionStep, after index: Int, fields: JSONObject) throws(ProcessFault) {
    var fields = fields
    let count = step.expression.tree.children.count
    let command = try Commands.take(from: &fields, step: step)
    var next = index + 1
    switch command?.name {
    case "break", "stop", "over":
      step.reply(fields)
      return
    case "rewind", "continue":
      next = 0
    case "reset":
      next = 0
      fields = step.expression.applied
    case "skip":
      next = index + 1 + (Int(command?.argument ?? "") ?? 1)
    case "back":
      next = index + 1 - (Int(command?.argument ?? "") ?? 1)
    case "jump":
      next = jumpTarget(command?.argument, in: step) ?? index + 1
    default:
      break
    }
    let loops = step.expression.kind == "repeat" || step.expression.kind == "loop"
    if next >= count {
      guard loops, count > 0 else {
        step.reply(fields)
        return
      }
      next = 0
    }
    guard count > 0 else {
      step.reply(fields)
      return
    }
    step.applyChild(max(0, next), fields: fields)
  }

  /// `jump to x`: a child whose name, `:ref`, `:tag` or positional text is x, or an index.
  static func jumpTarget(_ argument: String?, in step: ExpressionStep) -> Int? {
    guard var target = argument else { return nil }
    if target.hasPrefix("to ") { target.removeFirst(3) }
    if let number = Int(target) { return number }
    return step.expression.tree.children.firstIndex { child in
      child.name == target || child.attributes["ref"]?.stringValue == target
        || child.attributes["tag"]?.stringValue == target || child.positionalText == target
    }
  }
}

/// The command a loop obeys next: the `__command__` field (consumed), else its `*_if`/`*_unless` attributes.
enum Commands {
  static func take(from fields: inout JSONObject, step: ExpressionStep) throws(ProcessFault) -> (
    name: String, argument: String?
  )? {
    if case .array(let command)? = fields.removeValue(forKey: "__command__"), case .string(let name)? = command.first {
      // A participant may leave the argument as a number (`["skip", 2]`).
      let argument: String? =
        switch command.count > 1 ? command[1] : .null {
        case .string(let text): text
        case .int(let number): String(number)
        default: nil
        }
      return (name, argument)
    }
    for attribute in Cursor.commandAttributes {
      if let value = step.expression.tree.attributes["\(attribute)_if"],
        try step.condition(value, fields: fields) == true
      {
        return (attribute, nil)
      }
      if let value = step.expression.tree.attributes["\(attribute)_unless"],
        try step.condition(value, fields: fields) == false
      {
        return (attribute, nil)
      }
    }
    return nil
  }
}

// _break, rewind, skip, jump, ... (command expressions)
//
//     iterator :on_field => 'prechecks', :to => 'v:check' do
//       sequence do
//         _break :if => '"${v:check}" == ""'
//         participant :ref => '${v:check}'
//       end
//     end
//
// Leave `__command__ = [name, argument]` for the nearest enclosing cursor,
// loop or iterator (across subprocess calls). When that loop is the direct
// parent the command simply replies to it; when it is further up, the loop
// is told, cancels its current child, and obeys once that child is back.
// With no enclosing loop the command does nothing.
enum CommandExpression: ExpressionBehavior {
  static let loopKinds: Set<String> = ["cursor", "repeat", "loop", "iterator"]

  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    // `skip :step => 2`, `jump :to => 'charly'`, or the positional text.
    let name = step.expression.tree.name
    let named = name == "jump" ? ["to"] : name == "skip" || name == "back" ? ["step"] : []
    let argument = try step.firstText(named, positional: true, fields: fields)
    fields["__command__"] = .array([.string(step.expression.tree.name), argument.map(JSONValue.string) ?? .null])
    var ancestor = step.expression.parent.flatMap(step.engine.store.expression)
    while let candidate = ancestor, !loopKinds.contains(candidate.kind) {
      ancestor = candidate.parent.flatMap(step.engine.store.expression)
    }
    guard let loop = ancestor else {
      step.reply(step.expression.applied)
      return
    }
    if loop.id == step.expression.parent {
      step.reply(fields)
    } else {
      step.engine.store.enqueue(.command(to: loop.id, fields: fields))
    }
  }
}
