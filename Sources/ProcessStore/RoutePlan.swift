import OBSEvents
import OrderedJSON

/// Everything routing decided for one event: per target project, what
/// launches with which fields, what was skipped and why, what failed.
public struct RoutePlan: Sendable {
  public var event: OBSEvent
  public var targets: [TargetPlan]
  /// Problems with the event's targets as a whole (invalid project names).
  public var errors: [NameError]
  /// Why nothing (or less) routes: no project, no actions, targetless actions.
  public var notes: [String]

  public var launchCount: Int { targets.reduce(0) { $0 + $1.launches.count } }
  public var hasErrors: Bool { !errors.isEmpty || targets.contains { !$0.errors.isEmpty } }
}

/// The plan for one target project.
public struct TargetPlan: Sendable {
  public var project: ProjectName
  /// The project's directory (absolute).
  public var directory: String
  public var directoryExists: Bool
  public var launches: [PlannedLaunch] = []
  public var skipped: [SkippedFile] = []
  public var errors: [LaunchFailure] = []
}

/// A definition that launches, with the fields its process starts with.
public struct PlannedLaunch: Sendable {
  /// The definition's path (absolute, as found in the store, before following links).
  public var definition: String
  /// Where the definition's symlink points, as written in the link.
  public var linkTarget: String?
  /// The definition's text, read when the route was planned.
  public var definitionText: String
  /// The conf that was merged (absolute path), if one exists.
  public var conf: String?
  /// What the conf held, as read.
  public var confFields: JSONObject?
  /// `{"project": P, "ev": {...}}` overlaid by the conf.
  public var fields: JSONObject
  /// Found in an ancestor's `_any` folder.
  public var isForSubprojects: Bool
  public var label: String
  /// The `<name>` of `LABEL.<name>.pdef`; nil for a legacy file.
  public var name: String?
}

/// A file that could have launched but did not, and why.
public struct SkippedFile: Sendable, Equatable {
  public var file: String
  public var reason: String
}

/// A launch that failed and must be fixed and replayed (an unreadable or invalid conf).
public struct LaunchFailure: Sendable, Equatable {
  public var file: String
  public var message: String
}

extension ProcessStore {
  /// Routes an event: target projects (spec obs-events §2.5), the definitions
  /// each one has, and for every definition its text and launch fields. Reads
  /// only the matched definitions and their confs.
  public func plan(_ event: OBSEvent) -> RoutePlan {
    let targets = event.targetProjects()
    var plans: [TargetPlan] = []
    for project in targets.projects {
      plans.append(plan(event: event, project: project))
    }
    return RoutePlan(event: event, targets: plans, errors: targets.rejected, notes: targets.notes)
  }

  func plan(event: OBSEvent, project: ProjectName) -> TargetPlan {
    let directory = project.relativePath
    let found = withIndex { index in
      (
        exists: index.directories[directory] != nil,
        matches: index.lookup(label: event.label, project: project),
        skipped: index.explainSkipped(label: event.label, project: project)
      )
    }
    var target = TargetPlan(project: project, directory: path(directory), directoryExists: found.exists)
    for ignored in found.skipped {
      target.skipped.append(SkippedFile(file: path(ignored.fileName), reason: ignored.reason))
    }
    for match in found.matches {
      let definitionPath = path(match.relativePath)
      let text: String
      switch FileSystem.read(definitionPath) {
      case .success(let bytes):
        text = String(decoding: bytes, as: UTF8.self)
      case .failure(let error):
        let link = FileSystem.readLink(definitionPath)
        let detail = error.isNotFound && link != nil ? "broken link to \(link!)" : error.description
        target.skipped.append(SkippedFile(file: definitionPath, reason: "cannot read the definition: \(detail)"))
        continue
      }
      var fields = JSONObject()
      fields["project"] = .string(project.name)
      fields["ev"] = .object(event.fields)
      var confPath: String?
      var confFields: JSONObject?
      if let name = match.entry.name {
        let candidate = path(
          StoreIndex.join(match.directory, DefinitionFileName.confName(label: match.label, name: name)))
        switch FileSystem.read(candidate) {
        case .success(let bytes):
          do {
            let parsed = try ConfFile.parse(String(decoding: bytes, as: UTF8.self))
            fields.merge(parsed)
            confPath = candidate
            confFields = parsed
          } catch {
            target.errors.append(LaunchFailure(file: candidate, message: "the conf \(error)"))
            continue
          }
        case .failure(let error) where !error.isNotFound:
          target.errors.append(LaunchFailure(file: candidate, message: "the conf cannot be read: \(error)"))
          continue
        case .failure:
          break
        }
      }
      target.launches.append(
        PlannedLaunch(
          definition: definitionPath, linkTarget: FileSystem.readLink(definitionPath), definitionText: text,
          conf: confPath, confFields: confFields, fields: fields, isForSubprojects: match.isForSubprojects,
          label: match.label, name: match.entry.name))
    }
    return target
  }
}
