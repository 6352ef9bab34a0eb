import Foundation
import OrderedJSON

// iterator
//
//     iterator :on_field => 'ev.actions', :to => 'v:action' do
//       inc 'v:sourceprojects', :val => '${v:action.sourceproject}'
//     end
//
// Runs its children as a sequence once per element, the workitem carried from
// one iteration to the next. The list comes from `:on_field` (a field path),
// `:on_var`, `:on`/`:on_val` (the value; `'$f:x'` gives the raw array) or
// `:times`; a text list is split on `,` (or `:sep`), a hash gives [key, value]
// pairs. Each element goes to `:to_v`/`:to_f`/`:to` (`v:x` a variable, `f:x`
// or a bare name a field, default variable `i`), its index to variable `ii`,
// both in the enclosing scope (they outlive the loop). A null element ends
// the loop. Commands: break, rewind/continue, skip n, jump n (spec §3.15).
enum Iterator: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let list = try elements(of: step, fields: fields)
    step.expression.state["list"] = .array(list)
    guard !step.expression.tree.children.isEmpty else {
      step.reply(fields)
      return
    }
    // Commands (`:break_if`, ...) are looked for before the first element too.
    if let command = try Commands.take(from: &fields, step: step) {
      try obey(command, &step, after: -1, fields: fields)
    } else {
      try start(&step, element: 0, fields: fields)
    }
  }

  static func reply(_ step: inout ExpressionStep, from child: FlowExpressionID, fields: JSONObject) throws(ProcessFault)
  {
    var fields = fields
    if case .object(let stored)? = step.expression.state.removeValue(forKey: "command_fields") { fields = stored }
    let element = (step.expression.state["element"].flatMap { if case .int(let i) = $0 { i } else { nil } }) ?? 0
    if let command = try Commands.take(from: &fields, step: step) {
      try obey(command, &step, after: element, fields: fields)
      return
    }
    let next = step.childIndex(of: child) + 1
    if next < step.expression.tree.children.count {
      step.applyChild(next, fields: fields)
    } else {
      try start(&step, element: element + 1, fields: fields)
    }
  }

  /// Obeys a command after element `element` (-1: before the first). Like
  /// ruote, skip and back count from the next position.
  static func obey(
    _ command: (name: String, argument: String?), _ step: inout ExpressionStep, after element: Int,
    fields: JSONObject
  ) throws(ProcessFault) {
    var next = element + 1
    switch command.name {
    case "break", "stop", "over":
      step.reply(fields)
      return
    case "rewind", "continue", "reset":
      next = 0
    case "skip":
      next += Int(command.argument ?? "") ?? 1
    case "back":
      next = max(0, next - (Int(command.argument ?? "") ?? 1))
    case "jump":
      next = Int(command.argument ?? "") ?? next
    default:
      break
    }
    try start(&step, element: next, fields: fields)
  }

  /// Starts iteration `element`, or replies when the list is over (or the element is null).
  static func start(_ step: inout ExpressionStep, element: Int, fields: JSONObject) throws(ProcessFault) {
    let list = step.expression.state["list"]?.arrayValue ?? []
    guard element >= 0, element < list.count, !list[element].isNull else {
      step.reply(fields)
      return
    }
    var fields = fields
    step.expression.state["element"] = .int(element)
    let (target, isField) = try target(of: step, fields: fields)
    if isField {
      fields[target] = list[element]
    } else {
      step.setVariable(target, list[element])
    }
    step.setVariable("ii", .int(element))
    step.applyChild(0, fields: fields)
  }

  /// The list to iterate (spec §3.15).
  static func elements(of step: ExpressionStep, fields: JSONObject) throws(ProcessFault) -> [JSONValue] {
    let attributes = step.expression.tree.attributes
    var value: JSONValue?
    if let path = try step.firstText(["on_field", "on_f", "on_fld"], fields: fields) {
      value = Dollar.lookupPath(path, in: .object(fields))
    } else if let name = try step.firstText(["on_var", "on_v", "on_variable"], fields: fields) {
      value = step.variable(name)
    } else if let key = ["on", "on_val", "on_value"].first(where: { attributes[$0] != nil }) {
      value = try step.attribute(key, fields: fields)
    } else if let times = try step.firstText(["times", "branches"], fields: fields) {
      value = .array((0..<max(0, Int(times) ?? 0)).map { .int($0) })
    }
    return list(from: value, separator: try step.firstText(["sep", "separator"], fields: fields))
  }

  static func list(from value: JSONValue?, separator: String?) -> [JSONValue] {
    switch value {
    case .array(let elements)?:
      return elements
    case .object(let object)?:
      return object.map { .array([.string($0.key), $0.value]) }
    case .string(let text)?:
      let separator = separator ?? ","
      return text.components(separatedBy: separator).map { .string($0.trimmingCharacters(in: .whitespaces)) }
    case nil, .null?:
      return []
    case let other?:
      return [other]
    }
  }

  /// Where each element goes: a field name (true) or a variable name (false).
  static func target(of step: ExpressionStep, fields: JSONObject) throws(ProcessFault) -> (String, Bool) {
    for key in ["to_v", "to_var", "to_variable"] {
      if let name = try step.text(key, fields: fields) { return (name, false) }
    }
    for key in ["to_f", "to_fld", "to_field"] {
      if let name = try step.text(key, fields: fields) { return (name, true) }
    }
    if let to = try step.text("to", fields: fields) {
      let (prefix, bare) = RefCall.split(to)
      guard let prefix else { return (bare, true) }
      return (bare, prefix.hasPrefix("f"))
    }
    return ("i", false)
  }
}
