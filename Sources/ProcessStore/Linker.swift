import OBSEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Enables and disables definitions for projects the way BOSS admins did by
/// hand (`mkdir -p`, `ln -s ../../X.pdef LABEL.X.pdef`), with checks.
public struct Linker: Sendable {
  public let root: String

  public init(root: String) {
    self.root = FileSystem.absolute(root)
  }

  /// What `enable` did, line by line, for the user.
  public struct Outcome: Sendable, Equatable {
    public var actions: [String] = []
  }

  /// The directory (relative to the store) that holds a project's definitions,
  /// or those for all its subprojects.
  public static func directory(for project: ProjectName, subprojects: Bool) -> String {
    subprojects ? project.relativePath + "/" + anySubprojectFolder : project.relativePath
  }

  /// Links `<process>.pdef` from the store root into the project's directory as
  /// `LABEL.<process>.pdef`, creating the directory; copies `conf` beside it.
  public func enable(
    project: ProjectName, label: EventLabel, process: String, confText: String? = nil,
    subprojects: Bool = false, force: Bool = false
  ) throws(LinkError) -> Outcome {
    let process = Linker.processName(process)
    try Linker.validateProcessName(process)
    let definition = root + "/" + process + ".pdef"
    guard FileSystem.kindFollowing(definition) == .file else {
      throw .noSuchDefinition(process: process, path: definition, available: availableDefinitions())
    }
    if let confText {
      do { _ = try ConfFile.parse(confText) } catch { throw .invalidConf(error.description) }
    }
    var outcome = Outcome()
    let relativeDirectory = Linker.directory(for: project, subprojects: subprojects)
    let directory = root + "/" + relativeDirectory
    let depth = relativeDirectory.split(separator: "/").count
    let linkText = String(repeating: "../", count: depth) + process + ".pdef"
    let linkName = DefinitionFileName.pdefName(label: label.name, name: process)
    let linkPath = directory + "/" + linkName
    let confName = DefinitionFileName.confName(label: label.name, name: process)
    let confPath = directory + "/" + confName

    // Every refusal happens before anything changes on disk.
    let linkKind = FileSystem.kindNoFollow(linkPath)
    let linkIsCurrent = linkKind == .symlink && FileSystem.readLink(linkPath) == linkText
    if linkKind != .missing, !linkIsCurrent, !force {
      let existing = FileSystem.readLink(linkPath).map { "a link to \($0)" } ?? "a file that is not a link"
      throw .exists(path: linkPath, what: existing)
    }
    var confIsCurrent = false
    if let confText, case .success(let existing) = FileSystem.read(confPath) {
      confIsCurrent = String(decoding: existing, as: UTF8.self) == confText
      if !confIsCurrent && !force { throw .exists(path: confPath, what: "a different conf") }
    }

    try makeDirectories(relativeDirectory, outcome: &outcome)
    if linkIsCurrent {
      outcome.actions.append("already linked: \(relativeDirectory)/\(linkName) -> \(linkText)")
    } else if linkKind != .missing {
      guard unlink(linkPath) == 0 else { throw .system(path: linkPath, reason: FileError(errno: errno).description) }
      outcome.actions.append("removed the old \(relativeDirectory)/\(linkName) (--force)")
    }
    if FileSystem.kindNoFollow(linkPath) == .missing {
      guard symlink(linkText, linkPath) == 0 else {
        throw .system(path: linkPath, reason: FileError(errno: errno).description)
      }
      outcome.actions.append("linked \(relativeDirectory)/\(linkName) -> \(linkText)")
    }
    if let confText {
      if confIsCurrent {
        outcome.actions.append("conf unchanged: \(relativeDirectory)/\(confName)")
        return outcome
      }
      try write(confText, to: confPath)
      outcome.actions.append("wrote \(relativeDirectory)/\(confName)")
    }
    return outcome
  }

  /// Removes the links for a label (one process, or all) from a project's
  /// directory, then the directories left empty. Regular files are never
  /// deleted; confs only with `purge`.
  public func disable(
    project: ProjectName, label: EventLabel, process: String? = nil, subprojects: Bool = false, purge: Bool = false
  ) throws(LinkError) -> Outcome {
    let process = process.map(Linker.processName)
    if let process { try Linker.validateProcessName(process) }
    let relativeDirectory = Linker.directory(for: project, subprojects: subprojects)
    let directory = root + "/" + relativeDirectory
    let wanted = label.name + (process.map { ".\($0)" } ?? "")
    guard let entries = FileSystem.entries(directory) else { throw .notEnabled(directory: directory, label: wanted) }
    // Decide first, then act: a refusal leaves everything as it was.
    var definitions: [String] = []
    var confs: [String] = []
    for (name, _) in entries.sorted(by: { $0.name < $1.name }) {
      switch DefinitionFileName(name) {
      case .named(label.name, let definitionName) where process == nil || process == definitionName:
        definitions.append(name)
      case .legacy(label.name) where process == nil:
        definitions.append(name)
      case .conf(label.name, let definitionName) where process == nil || process == definitionName:
        confs.append(name)
      default:
        continue
      }
    }
    guard !definitions.isEmpty || (purge && !confs.isEmpty) else {
      if !confs.isEmpty { throw .onlyConfsLeft(directory: directory, label: wanted) }
      throw .notEnabled(directory: directory, label: wanted)
    }
    var outcome = Outcome()
    for name in definitions {
      let path = directory + "/" + name
      guard FileSystem.kindNoFollow(path) == .symlink else {
        outcome.actions.append("kept \(relativeDirectory)/\(name): it is a file, not a link; remove it by hand")
        continue
      }
      guard unlink(path) == 0 else { throw .system(path: path, reason: FileError(errno: errno).description) }
      outcome.actions.append("removed \(relativeDirectory)/\(name)")
    }
    for name in confs {
      guard purge else {
        outcome.actions.append("kept \(relativeDirectory)/\(name) (use --purge to remove confs)")
        continue
      }
      let path = directory + "/" + name
      guard unlink(path) == 0 else { throw .system(path: path, reason: FileError(errno: errno).description) }
      outcome.actions.append("removed \(relativeDirectory)/\(name)")
    }
    removeEmptyDirectories(from: relativeDirectory, outcome: &outcome)
    return outcome
  }

  /// The definition names at the store root that `enable` can link.
  public func availableDefinitions() -> [String] {
    (FileSystem.entries(root) ?? [])
      .map(\.name)
      .filter {
        $0.hasSuffix(".pdef") && DefinitionFileName($0) == .other && FileSystem.kindFollowing(root + "/" + $0) == .file
      }
      .map { String($0.dropLast(5)) }
      .sorted()
  }

  /// `BOSS_handle_SR.pdef` names the same definition as `BOSS_handle_SR`.
  static func processName(_ given: String) -> String {
    given.hasSuffix(".pdef") && given.count > 5 ? String(given.dropLast(5)) : given
  }

  static func validateProcessName(_ process: String) throws(LinkError) {
    let allowed = process.utf8.allSatisfy { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"):
        true
      default: false
      }
    }
    guard allowed, !process.isEmpty else { throw .invalidProcessName(process) }
  }

  private func makeDirectories(_ relative: String, outcome: inout Outcome) throws(LinkError) {
    var current = root
    for component in relative.split(separator: "/") {
      current += "/" + component
      switch FileSystem.kindFollowing(current) {
      case .directory: continue
      case .missing:
        guard mkdir(current, 0o755) == 0 || errno == EEXIST else {
          throw .system(path: current, reason: FileError(errno: errno).description)
        }
        outcome.actions.append("created \(String(current.dropFirst(root.count + 1)))/")
      default:
        throw .system(path: current, reason: "exists and is not a directory")
      }
    }
  }

  private func removeEmptyDirectories(from relative: String, outcome: inout Outcome) {
    var components = relative.split(separator: "/").map(String.init)
    while !components.isEmpty {
      let path = root + "/" + components.joined(separator: "/")
      guard let entries = FileSystem.entries(path), entries.isEmpty, rmdir(path) == 0 else { return }
      outcome.actions.append("removed the empty \(components.joined(separator: "/"))/")
      components.removeLast()
    }
  }

  private func write(_ text: String, to path: String) throws(LinkError) {
    // Write beside, then rename: the watcher never sees a half-written conf.
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .system(path: temporary, reason: FileError(errno: errno).description) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
      if count < 0 {
        if errno == EINTR { continue }
        let reason = FileError(errno: errno).description
        close(fd)
        unlink(temporary)
        throw .system(path: temporary, reason: reason)
      }
      written += count
    }
    close(fd)
    guard rename(temporary, path) == 0 else { throw .system(path: path, reason: FileError(errno: errno).description) }
  }
}

/// Why `enable` or `disable` refused.
public enum LinkError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalidProcessName(String)
  case noSuchDefinition(process: String, path: String, available: [String])
  case invalidConf(String)
  case exists(path: String, what: String)
  case notEnabled(directory: String, label: String)
  case onlyConfsLeft(directory: String, label: String)
  case system(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidProcessName(let name):
      "process name \"\(name)\" is not usable in a file name: use letters, digits, '_', '-' and '+'"
    case .noSuchDefinition(let process, let path, let available):
      "there is no definition \(path) for process \"\(process)\""
        + (available.isEmpty ? "" : "; the store has: " + available.joined(separator: ", "))
    case .invalidConf(let reason):
      "the conf \(reason); nothing was changed"
    case .exists(let path, let what):
      "\(path) already exists as \(what); use --force to replace it"
    case .notEnabled(let directory, let label):
      "nothing is enabled for \(label) in \(directory)"
    case .onlyConfsLeft(let directory, let label):
      "nothing is enabled for \(label) in \(directory), only its confs are left; use --purge to remove them"
    case .system(let path, let reason):
      "\(path): \(reason)"
    }
  }
}
