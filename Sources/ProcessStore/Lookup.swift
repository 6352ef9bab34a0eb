import OBSEvents

/// A definition file that launches for a label and project.
public struct DefinitionMatch: Sendable, Hashable {
  /// The directory holding the file, relative to the store (`Chalk/Trunk`, `boss/Chalk/Trunk/testing/_any`).
  public let directory: String
  public let entry: DefinitionEntry
  public let label: String
  /// Found in an ancestor's `_any` folder rather than in the project's own directory.
  public let isForSubprojects: Bool

  /// The file's path relative to the store.
  public var relativePath: String { StoreIndex.join(directory, entry.fileName) }
}

extension StoreIndex {
  /// The definitions that launch for `label` in `project`, in launch order.
  ///
  /// Exact, as in BOSS: the project's own directory when it has any definition
  /// for the label; otherwise the nearest ancestor's `_any` folder that has
  /// one. A parent's own definitions never apply to its subprojects. No disk
  /// access: this is the routing hot path.
  public func lookup(label: EventLabel, project: ProjectName) -> [DefinitionMatch] {
    guard labelCounts[label.name] != nil else { return [] }
    let directory = project.relativePath
    if let own = directories[directory]?.definitions[label.name] {
      return own.map { DefinitionMatch(directory: directory, entry: $0, label: label.name, isForSubprojects: false) }
    }
    return nearestAnyFolder(label: label.name, projectDirectory: directory)?.matches ?? []
  }

  /// The `_any` folder of the closest ancestor that has definitions for the label.
  func nearestAnyFolder(label: String, projectDirectory: String) -> (folder: String, matches: [DefinitionMatch])? {
    guard let parents = anyFolderParents[label] else { return nil }
    let depth = projectDirectory.utf8.reduce(1) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
    var best: String?
    if parents.count <= 16 * depth {
      // Few _any folders: compare prefixes, no allocation. The longest proper
      // ancestor wins (the root, "", is everyone's).
      for parent in parents.keys where StoreIndex.isProperAncestor(parent, of: projectDirectory) {
        if best == nil || parent.utf8.count > best!.utf8.count { best = parent }
      }
    } else {
      // Many: probe each ancestor, nearest first.
      var ancestor = Substring(projectDirectory)
      while best == nil {
        guard let slash = ancestor.lastIndex(of: "/") else {
          if parents[""] != nil { best = "" }
          break
        }
        ancestor = ancestor[..<slash]
        if parents[String(ancestor)] != nil { best = String(ancestor) }
      }
    }
    guard let best else { return nil }
    return anyMatches(label: label, folder: best.isEmpty ? anySubprojectFolder : best + "/" + anySubprojectFolder)
  }

  /// `a/b` is a proper ancestor of `a/b/c`, not of `a/bc` nor of `a/b` itself; "" is of everything.
  static func isProperAncestor(_ parent: String, of path: String) -> Bool {
    if parent.isEmpty { return true }
    let parentBytes = parent.utf8
    let pathBytes = path.utf8
    guard pathBytes.count > parentBytes.count, pathBytes.starts(with: parentBytes) else { return false }
    return pathBytes[pathBytes.index(pathBytes.startIndex, offsetBy: parentBytes.count)] == UInt8(ascii: "/")
  }

  private func anyMatches(label: String, folder: String) -> (folder: String, matches: [DefinitionMatch])? {
    guard let entries = directories[folder]?.definitions[label], !entries.isEmpty else { return nil }
    return (folder, entries.map { DefinitionMatch(directory: folder, entry: $0, label: label, isForSubprojects: true) })
  }

  /// Why files near the project do not launch, for `robogrator route`: stray
  /// names, a legacy name taken by a subproject, `_any` definitions that the
  /// project's own definitions override.
  public func explainSkipped(label: EventLabel, project: ProjectName) -> [IgnoredEntry] {
    let directory = project.relativePath
    var skipped: [IgnoredEntry] = []
    if let listing = directories[directory] {
      for ignored in listing.ignored[label.name] ?? [] {
        skipped.append(IgnoredEntry(fileName: StoreIndex.join(directory, ignored.fileName), reason: ignored.reason))
      }
      if listing.subdirectories.contains(label.name) {
        skipped.append(
          IgnoredEntry(
            fileName: StoreIndex.join(directory, label.name),
            reason: "is a directory (a subproject named like the label), not a legacy definition"))
      }
      if listing.definitions[label.name] != nil,
        let shadowed = nearestAnyFolder(label: label.name, projectDirectory: directory)
      {
        for match in shadowed.matches {
          skipped.append(
            IgnoredEntry(
              fileName: match.relativePath,
              reason: "the project has its own \(label) definitions, which replace those for every subproject"))
        }
      }
    }
    return skipped
  }
}
