import OrderedJSON

// participant
//
//     participant :ref => '${v:check}'
//     participant 'req_changed_${ev.id}'
//
// Always a participant, never a subprocess: the name is `:ref` or the
// positional text, substituted. The workitem goes out with `params` (every
// attribute, substituted) and comes back as the participant's reply.
enum ParticipantCall: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    guard let name = try step.text("ref", positional: true, fields: fields), !name.isEmpty else {
      throw ProcessFault("`participant` without a name: write participant :ref => 'name'")
    }
    var params = try step.substitutedAttributes(fields: fields)
    params["__children__"] = try step.substitutedChildren(fields: fields)
    step.dispatch(participant: name, fields: fields, params: params)
  }
}

// ref, subprocess, and calls by name
//
//     notify_irc :msg => 'SR#${ev.id} accepted'     # participant, unless a subprocess has that name
//     do_prechecks :msg => 'Running checks'         # subprocess defined in the file
//     ref 'built_${project}'
//     subprocess :ref => 'do_${v:task}'
//
// The name (substituted) is looked up in the variables first: a string is an
// alias followed to another name, a `define`d tree is run as a subprocess
// with the call's attributes as its variables; otherwise it is a participant.
// `subprocess` insists on a subprocess.
enum RefCall: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    var fields = step.expression.applied
    let node = step.expression.tree
    let isImplicit = step.expression.kind == "implicit"
    let requested: String
    if isImplicit {
      requested = node.name
    } else {
      guard let name = try step.text("ref", positional: true, fields: fields), !name.isEmpty else {
        throw ProcessFault("`\(node.name)` without a name: write \(node.name) :ref => 'name'")
      }
      requested = name
    }
    var attributes = try step.substitutedAttributes(fields: fields)
    // Variables first: string values are aliases, trees are subprocesses.
    var name = requested
    var binding = step.variable(name)
    var hops = 0
    while case .string(let alias)? = binding, hops < 16 {
      name = alias
      binding = step.variable(alias)
      hops += 1
    }
    if case .array? = binding, let binding {
      var variables = JSONObject()
      for (key, value) in attributes {
        let (prefix, bare) = split(key)
        // Only `f:` and `field:` set a field; any other prefix is dropped (`fld:x` binds x) [run].
        if let prefix, prefix == "f" || prefix == "field" {
          JSONPaths.set(bare, to: value, in: &fields)
        } else {
          variables[bare] = value
        }
      }
      if isImplicit { variables["ref"] = .string(requested) }
      variables["tree"] = node.children.first?.toJSON() ?? .null
      try step.applySubprocess(binding, name: name, variables: variables, fields: fields)
      return
    }
    if node.name == "subprocess" { throw ProcessFault("no subprocess named '\(name)' found") }
    if name != requested {
      // ruote rewrote an aliased call as {ref: target, original_ref: name, ...}.
      attributes["ref"] = nil
      attributes = JSONObject([("ref", .string(name)), ("original_ref", .string(requested))]).merging(attributes)
    } else if isImplicit {
      attributes["ref"] = .string(name)
    } else if attributes["ref"] == nil {
      // `ref 'x'` sends both `x: null` and `ref: "x"` [run].
      attributes["ref"] = .string(name)
    }
    attributes["__children__"] = try step.substitutedChildren(fields: fields)
    step.dispatch(participant: name, fields: fields, params: attributes)
  }

  /// `v:x` → ("v", "x"); `x` → (nil, "x").
  static func split(_ key: String) -> (prefix: String?, name: String) {
    guard let colon = key.firstIndex(of: ":") else { return (nil, key) }
    return (String(key[..<colon]), String(key[key.index(after: colon)...]))
  }
}

extension JSONObject {
  /// This object's pairs followed by `other`'s (later keys win).
  func merging(_ other: JSONObject) -> JSONObject {
    var merged = self
    merged.merge(other)
    return merged
  }
}
