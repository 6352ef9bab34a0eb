/// One file that can launch for a label in one directory.
public struct DefinitionEntry: Sendable, Hashable, Comparable {
  /// The file name in its directory (`SRCSRV_REQUEST_CREATE.BOSS_handle_SR.pdef`, or `REPO_PUBLISHED`).
  public let fileName: String
  /// The `<name>` part, nil for a legacy file named after the label.
  public let name: String?

  public static func < (lhs: DefinitionEntry, rhs: DefinitionEntry) -> Bool {
    lhs.fileName.utf8.lexicographicallyPrecedes(rhs.fileName.utf8)
  }
}

/// A file that looks related to a label but cannot launch, and why.
public struct IgnoredEntry: Sendable, Hashable {
  public let fileName: String
  public let reason: String
}

/// What the index knows about one directory of the store.
public struct DirectoryListing: Sendable, Equatable {
  /// Definitions by label, sorted by file name (the launch order).
  public internal(set) var definitions: [String: [DefinitionEntry]] = [:]
  /// Files next to definitions that look meant for a label but cannot launch.
  public internal(set) var ignored: [String: [IgnoredEntry]] = [:]
  /// Names of the subdirectories.
  public internal(set) var subdirectories: Set<String> = []
}

/// The in-memory picture of the process store: one listing per directory,
/// keyed by the path relative to the store root ("" is the root itself).
///
/// Pure data: the scanner fills it, the watcher patches it, lookups read it.
public struct StoreIndex: Sendable {
  public internal(set) var directories: [String: DirectoryListing] = [:]
  /// How many definition files exist for each label anywhere; a label with
  /// none answers every lookup at once.
  var labelCounts: [String: Int] = [:]
  /// For each label, the directories whose `_any` folder has definitions for
  /// it (with how many): a project without its own definitions is matched
  /// against these few prefixes instead of probing every ancestor.
  var anyFolderParents: [String: [String: Int]] = [:]
  /// Bumped on every change, so callers can tell that the index moved.
  public internal(set) var generation: UInt64 = 0

  public init() {}

  public var definitionCount: Int { labelCounts.values.reduce(0, +) }

  mutating func ensureDirectory(_ path: String) {
    if directories[path] == nil {
      directories[path] = DirectoryListing()
      if let (parent, name) = StoreIndex.split(path) {
        ensureDirectory(parent)
        directories[parent]?.subdirectories.insert(name)
      }
      generation &+= 1
    }
  }

  /// Records what `fileName` in `directory` is (`kind` from a stat), replacing what was known.
  mutating func setFile(directory: String, fileName: String, isDirectory: Bool) {
    removeFile(directory: directory, fileName: fileName)
    ensureDirectory(directory)
    if isDirectory {
      ensureDirectory(StoreIndex.join(directory, fileName))
      return
    }
    let parsed = DefinitionFileName(fileName)
    switch parsed {
    case .legacy(let label):
      insertDefinition(directory: directory, label: label, DefinitionEntry(fileName: fileName, name: nil))
    case .named(let label, let name):
      insertDefinition(directory: directory, label: label, DefinitionEntry(fileName: fileName, name: name))
    case .strayForLabel(let label):
      directories[directory]?.ignored[label, default: []].append(
        IgnoredEntry(fileName: fileName, reason: "does not end in .pdef, so it never launches"))
    case .conf, .other:
      break
    }
    generation &+= 1
  }

  private mutating func insertDefinition(directory: String, label: String, _ entry: DefinitionEntry) {
    var list = directories[directory]?.definitions[label] ?? []
    let position = list.firstIndex { entry < $0 } ?? list.count
    list.insert(entry, at: position)
    directories[directory]?.definitions[label] = list
    labelCounts[label, default: 0] += 1
    if let parent = StoreIndex.parentOfAnyFolder(directory) {
      anyFolderParents[label, default: [:]][parent, default: 0] += 1
    }
  }

  /// For `a/b/_any`, `a/b`; for `_any` (the store root's), ""; nil for other directories.
  static func parentOfAnyFolder(_ directory: String) -> String? {
    if directory == anySubprojectFolder { return "" }
    guard directory.hasSuffix("/" + anySubprojectFolder) else { return nil }
    return String(directory.dropLast(anySubprojectFolder.count + 1))
  }

  /// Forgets one file (or, if it was a directory, the whole subtree).
  mutating func removeFile(directory: String, fileName: String) {
    guard var listing = directories[directory] else { return }
    if listing.subdirectories.contains(fileName) {
      listing.subdirectories.remove(fileName)
      directories[directory] = listing
      removeSubtree(StoreIndex.join(directory, fileName))
      generation &+= 1
      return
    }
    guard let label = DefinitionFileName(fileName).label else { return }
    if var list = listing.definitions[label], let index = list.firstIndex(where: { $0.fileName == fileName }) {
      list.remove(at: index)
      listing.definitions[label] = list.isEmpty ? nil : list
      decrement(label, in: directory)
    }
    if var ignored = listing.ignored[label] {
      ignored.removeAll { $0.fileName == fileName }
      listing.ignored[label] = ignored.isEmpty ? nil : ignored
    }
    directories[directory] = listing
    generation &+= 1
  }

  /// Forgets a directory and everything below it.
  mutating func removeSubtree(_ path: String) {
    guard let listing = directories.removeValue(forKey: path) else { return }
    for (label, entries) in listing.definitions {
      for _ in entries { decrement(label, in: path) }
    }
    for child in listing.subdirectories { removeSubtree(StoreIndex.join(path, child)) }
    if let (parent, name) = StoreIndex.split(path) { directories[parent]?.subdirectories.remove(name) }
    generation &+= 1
  }

  private mutating func decrement(_ label: String, in directory: String) {
    let count = (labelCounts[label] ?? 1) - 1
    labelCounts[label] = count > 0 ? count : nil
    if let parent = StoreIndex.parentOfAnyFolder(directory) {
      let anyCount = (anyFolderParents[label]?[parent] ?? 1) - 1
      anyFolderParents[label]?[parent] = anyCount > 0 ? anyCount : nil
      if anyFolderParents[label]?.isEmpty == true { anyFolderParents[label] = nil }
    }
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.isEmpty ? name : directory + "/" + name
  }

  static func split(_ path: String) -> (parent: String, name: String)? {
    guard !path.isEmpty else { return nil }
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    return (String(path[..<slash]), String(path[path.index(after: slash)...]))
  }
}
