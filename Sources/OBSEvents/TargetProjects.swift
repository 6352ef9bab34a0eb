import OrderedJSON

/// The projects an event routes to, with a note for everything left out and why.
public struct RoutingTargets: Sendable, Equatable {
  /// Valid target projects, in first-seen order, without duplicates.
  public var projects: [ProjectName] = []
  /// Names that were offered as targets but are not valid OBS project names.
  public var rejected: [NameError] = []
  /// Why candidates were skipped (missing targets, duplicates), or why nothing routes.
  public var notes: [String] = []
}

extension OBSEvent {
  /// The request actions: the `actions` list, or for OBS 2.3 without
  /// multi-action support, the flat action keys read as one action.
  public var actions: [JSONObject] {
    if let list = fields["actions"] {
      guard case .array(let elements) = list else { return [] }
      return elements.compactMap(\.objectValue)
    }
    var flat = JSONObject()
    for key in OBSEvent.flatActionKeys {
      if let value = fields[key] { flat[key] = value }
    }
    return flat.isEmpty ? [] : [flat]
  }

  static let flatActionKeys = [
    "sourceproject", "sourcepackage", "sourcerevision", "targetproject", "targetpackage",
    "deleteproject", "deletepackage", "person", "role",
  ]

  /// The projects to route on (spec obs-events §2.5 with robogrator's decisions):
  /// a truthy `project` alone; else, for request events, each distinct
  /// `targetproject` (or legacy `deleteproject`) of the actions; else none.
  public func targetProjects() -> RoutingTargets {
    var targets = RoutingTargets()
    if let project {
      do {
        targets.projects.append(try ProjectName(project, source: "ev.project"))
      } catch {
        targets.rejected.append(error)
      }
      return targets
    }
    if let value = fields["project"], value.isTruthy {
      targets.rejected.append(
        NameError(kind: .project, value: value.serialized(), source: "ev.project", rule: "it is not a string"))
      return targets
    }
    guard label.isRequestEvent else {
      targets.notes.append("no project or actions in this \(label) event: nothing to route")
      return targets
    }
    if let list = fields["actions"], list.arrayValue == nil {
      targets.notes.append(
        "ev.actions is \(list.typeName == "string" ? "text (the OBS 2.4 encoding)" : "a \(list.typeName)"), not a list: "
          + "nothing to route")
      return targets
    }
    let actions = self.actions
    if actions.isEmpty {
      targets.notes.append("the \(label) event has no actions: nothing to route")
      return targets
    }
    var seen = Set<String>()
    let isBus: Bool = if case .messageBus = shape { true } else { false }
    for (index, action) in actions.enumerated() {
      let position = fields["actions"] == nil ? "flat request fields" : "actions[\(index)]"
      var candidate: (key: String, value: String)?
      // Python's `a or b`: an empty string or null target falls through to deleteproject.
      for key in isBus ? ["targetproject"] : ["targetproject", "deleteproject"] {
        if case .string(let s)? = action[key], !s.isEmpty {
          candidate = (key, s)
          break
        }
      }
      guard let candidate else {
        let type = action["type"]?.stringValue.map { " (\($0))" } ?? ""
        targets.notes.append("\(position)\(type) has no target project: skipped")
        continue
      }
      guard seen.insert(candidate.value).inserted else { continue }
      do {
        targets.projects.append(try ProjectName(candidate.value, source: "\(position).\(candidate.key)"))
      } catch {
        targets.rejected.append(error)
      }
    }
    return targets
  }
}

extension JSONValue {
  /// Python's truthiness, which the BOSS router used for `project` and targets.
  var isTruthy: Bool {
    switch self {
    case .null: false
    case .bool(let b): b
    case .int(let i): i != 0
    case .double(let d): d != 0
    case .string(let s): !s.isEmpty
    case .array(let a): !a.isEmpty
    case .object(let o): !o.isEmpty
    }
  }
}
