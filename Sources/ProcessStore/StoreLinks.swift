import OBSEvents

/// One definition file in a project directory, as `robogrator links` shows it.
public struct LinkedDefinition: Sendable, Equatable {
  public var fileName: String
  public var label: String
  /// Where the file's symlink points (nil for a regular file).
  public var linkTarget: String?
  /// Whether a `.conf` sits beside it.
  public var hasConf: Bool
}

/// A directory of the store that holds definitions.
public struct LinkedDirectory: Sendable, Equatable {
  /// Relative to the store: `Chalk/Trunk`, `boss/Chalk/Trunk/testing/_any`.
  public var directory: String
  /// The project it serves (`Chalk:Trunk`), or for an `_any` folder, the parent whose subprojects it serves.
  public var project: String
  public var isForSubprojects: Bool
  public var definitions: [LinkedDefinition]
}

extension ProcessStore {
  /// Every directory below `project` (or the whole store) with definitions in it, sorted by path.
  public func links(under project: ProjectName? = nil) -> [LinkedDirectory] {
    let prefix = project?.relativePath
    let listings = withIndex { index in
      index.directories.filter { key, listing in
        guard !listing.definitions.isEmpty, !key.isEmpty else { return false }
        guard let prefix else { return true }
        return key == prefix || key.hasPrefix(prefix + "/")
      }
    }
    return listings.keys.sorted().compactMap { key -> LinkedDirectory? in
      guard let listing = listings[key] else { return nil }
      let isAny = key == anySubprojectFolder || key.hasSuffix("/" + anySubprojectFolder)
      let projectPath = isAny ? String(key.dropLast(anySubprojectFolder.count + 1)) : key
      var definitions: [LinkedDefinition] = []
      for label in listing.definitions.keys.sorted() {
        for entry in listing.definitions[label] ?? [] {
          let absolute = path(StoreIndex.join(key, entry.fileName))
          var hasConf = false
          if let name = entry.name {
            hasConf =
              FileSystem.kindFollowing(
                path(StoreIndex.join(key, DefinitionFileName.confName(label: label, name: name)))) == .file
          }
          definitions.append(
            LinkedDefinition(
              fileName: entry.fileName, label: label, linkTarget: FileSystem.readLink(absolute), hasConf: hasConf))
        }
      }
      return LinkedDirectory(
        directory: key, project: projectPath.replacingOccurrences(of: "/", with: ":"), isForSubprojects: isAny,
        definitions: definitions)
    }
  }
}

extension String {
  func replacingOccurrences(of target: Character, with replacement: Character) -> String {
    String(map { $0 == target ? replacement : $0 })
  }
}

/// Renders `links` as a directory tree, the way `robogrator links` prints it.
public enum LinksTree {
  public static func render(_ directories: [LinkedDirectory], storeRoot: String) -> String {
    guard !directories.isEmpty else { return "\(storeRoot): no definitions linked here" }
    var lines = [storeRoot + "/"]
    var printed = Set<String>()
    for directory in directories {
      let components = directory.directory.split(separator: "/").map(String.init)
      for depth in 0..<components.count {
        let path = components[0...depth].joined(separator: "/")
        guard printed.insert(path).inserted else { continue }
        let indent = String(repeating: "  ", count: depth + 1)
        var line = indent + components[depth] + "/"
        if depth == components.count - 1 {
          if !directory.isForSubprojects {
            line += "    (\(directory.project))"
          } else if directory.project.isEmpty {
            line += "    (every project)"
          } else {
            line += "    (every subproject of \(directory.project))"
          }
        }
        lines.append(line)
      }
      let indent = String(repeating: "  ", count: components.count + 1)
      for definition in directory.definitions {
        var line = indent + definition.fileName
        if let target = definition.linkTarget { line += " -> " + target }
        if definition.hasConf { line += "  [conf]" }
        lines.append(line)
      }
    }
    return lines.joined(separator: "\n")
  }
}
