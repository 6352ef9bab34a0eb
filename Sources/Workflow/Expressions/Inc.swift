import OrderedJSON

// inc (increment), dec (decrement), push, pop
//
//     set 'v:sourceprojects' => []
//     inc 'v:sourceprojects', :val => '${v:action.sourceproject}'
//     inc 'f:retries'
//
// Numbers: the current value (or 0) plus `:val` (default 1; a text that
// reads as a number counts as one). Arrays: `:val` appended (`:pos =>
// 'head'` prepends); nothing there and a value that is not a number starts
// a list. `dec`/`pop` remove from a list (the last element, or `:val`) and
// put what they removed in `__result__` (or in the `:to`/`:to_v`/`:to_f`
// target); on numbers they subtract. `push`/`pop` always work on lists.
// `inc` leaves `__result__` alone; `inc 'x' => 2` is a shorthand (spec §3.8).
enum Inc: ExpressionBehavior {
  /// Attributes that are not a shorthand `'target' => amount`.
  static let optionAttributes: Set<String> = SetExpression.commonAttributes.union([
    "val", "value", "pos", "to", "to_v", "to_var", "to_variable", "to_f", "to_fld", "to_field",
  ])

  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let name = step.expression.tree.name
    let decrements = name == "dec" || name == "decrement" || name == "pop"
    let forcesList = name == "push" || name == "pop"
    var target: String?
    var value = try step.attribute("val", fields: fields)
    if value == nil { value = try step.attribute("value", fields: fields) }
    if let variable = try step.firstText(["v", "var", "variable"], fields: fields) {
      target = "v:" + variable
    } else if let field = try step.firstText(["f", "fld", "field"], fields: fields) {
      target = field
    } else if let positional = try step.text(nil, positional: true, fields: fields) {
      target = positional
    } else if let (key, amount) = step.expression.tree.attributes.first(where: { !optionAttributes.contains($0.key) }) {
      // Shorthand: `inc 'x' => 2`.
      do {
        target = try Dollar.substituteKey(key, in: step.scope(fields: fields))
        if value == nil { value = try Dollar.substituteAttribute(amount, in: step.scope(fields: fields)) }
      } catch {
        throw ProcessFault("\(error)")
      }
    }
    guard let target else { throw ProcessFault("`\(name)` names nothing: write \(name) 'v:name' or \(name) 'field'") }
    let (prefix, bare) = RefCall.split(target)
    let isVariable = !(prefix == nil || prefix!.hasPrefix("f"))
    let current = isVariable ? step.variable(bare) : Dollar.lookupPath(bare, in: .object(fields))
    let atHead = try step.text("pos", fields: fields) == "head"
    var updated: JSONValue
    var removed: JSONValue?
    switch current {
    case .array(var list)?:
      if decrements {
        if let value, let index = list.lastIndex(of: value) {
          removed = list.remove(at: index)
        } else if !list.isEmpty {
          removed = atHead ? list.removeFirst() : list.removeLast()
        }
      } else if let value {
        if atHead { list.insert(value, at: 0) } else { list.append(value) }
      }
      updated = .array(list)
    case nil, .null?:
      if forcesList {
        updated = .array(name == "push" ? value.map { [$0] } ?? [] : [])
      } else if let value, number(value) == nil, !decrements {
        updated = .array([value])
      } else {
        updated = add(.int(0), value.flatMap(number) ?? .int(1), subtract: decrements)
      }
    case let existing?:
      guard !forcesList, let base = number(existing) else {
        throw ProcessFault("cannot \(name) \(target): it holds \(RubyInspect.render(existing)), not a number or a list")
      }
      updated = add(base, value.flatMap(number) ?? .int(1), subtract: decrements)
    }
    if isVariable {
      step.setVariable(bare, updated)
    } else {
      JSONPaths.set(bare, to: updated, in: &fields)
    }
    if decrements, let removed {
      // What `dec` removed goes to `:to`/`:to_v`/`:to_f` when given, else to `__result__`.
      if let variable = try step.firstText(["to_v", "to_var", "to_variable"], fields: fields) {
        step.setVariable(variable, removed)
      } else if let field = try step.firstText(["to_f", "to_fld", "to_field"], fields: fields) {
        JSONPaths.set(field, to: removed, in: &fields)
      } else if let to = try step.text("to", fields: fields) {
        let (prefix, bare) = RefCall.split(to)
        if prefix == nil || prefix!.hasPrefix("f") {
          JSONPaths.set(bare, to: removed, in: &fields)
        } else {
          step.setVariable(bare, removed)
        }
      } else {
        fields["__result__"] = removed
      }
    }
    step.reply(fields)
  }

  /// A number, or a text that reads as one.
  static func number(_ value: JSONValue) -> JSONValue? {
    switch value {
    case .int, .double: return value
    case .string(let text):
      if let int = Int(text) { return .int(int) }
      if let double = Double(text) { return .double(double) }
      return nil
    default: return nil
    }
  }

  static func add(_ a: JSONValue, _ b: JSONValue, subtract: Bool) -> JSONValue {
    switch (a, b) {
    case (.int(let x), .int(let y)): .int(subtract ? x - y : x + y)
    case (.int(let x), .double(let y)): .double(subtract ? Double(x) - y : Double(x) + y)
    case (.double(let x), .int(let y)): .double(subtract ? x - Double(y) : x + Double(y))
    case (.double(let x), .double(let y)): .double(subtract ? x - y : x + y)
    default: a
    }
  }
}
