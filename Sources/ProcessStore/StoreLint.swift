import Lint
import OBSEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Checks a process store for the mistakes that make events launch nothing,
/// launch the wrong thing, or fail: broken and looping links, links leaving
/// the store, invalid confs, directory names OBS cannot produce, labels OBS
/// never emits, and definitions no project links.
public enum StoreLint {
  /// A definition file found by the walk, for checks that read definitions.
  public struct DefinitionFile: Sendable, Equatable {
    /// Path relative to the store.
    public var relativePath: String
    /// The real file it resolves to (absolute).
    public var resolvedPath: String
  }

  public struct Report: Sendable {
    public var findings: [LintFinding] = []
    /// Every readable definition reachable for routing (label files), deduplicated by target.
    public var definitions: [DefinitionFile] = []
  }

  public static func run(root: String) throws(StoreError) -> Report {
    let root = FileSystem.absolute(root)
    switch FileSystem.kindFollowing(root) {
    case .directory: break
    case .missing: throw .missingRoot(root)
    default: throw .rootNotADirectory(root)
    }
    let realRoot = FileSystem.realPath(root) ?? root
    var report = Report()
    var linkedTargets = Set<String>()
    var rootDefinitions: [(relative: String, real: String)] = []
    var seenDefinitions = Set<String>()
    var pending: [String] = [""]

    func add(_ severity: LintFinding.Severity, _ file: String, _ message: String) {
      report.findings.append(LintFinding(severity: severity, file: file, message: message))
    }

    while let directory = pending.popLast() {
      let absoluteDirectory = directory.isEmpty ? root : root + "/" + directory
      guard let entries = FileSystem.entries(absoluteDirectory) else {
        add(.error, directory.isEmpty ? "." : directory, "cannot list this directory: \(FileError(errno: errno))")
        continue
      }
      let names = Set(entries.map(\.name))
      let inAnyFolder = directory == anySubprojectFolder || directory.hasSuffix("/" + anySubprojectFolder)
      for (name, _) in entries.sorted(by: { $0.name < $1.name }) where !name.hasPrefix(".") {
        let relative = StoreIndex.join(directory, name)
        let absolute = root + "/" + relative
        let kind = FileSystem.kindNoFollow(absolute)
        var resolvedKind = kind
        if kind == .symlink {
          let target = FileSystem.readLink(absolute) ?? "?"
          var info = stat()
          if stat(absolute, &info) != 0 {
            if errno == ELOOP {
              add(.error, relative, "symlink loop: \(relative) -> \(target) never reaches a file")
            } else {
              add(.error, relative, "broken symlink: \(target) does not exist")
            }
            continue
          }
          guard let real = FileSystem.realPath(absolute) else { continue }
          if real != realRoot && !real.hasPrefix(realRoot + "/") {
            add(
              .warning, relative,
              "links outside the store (\(target) resolves to \(real)); copy the definition into the store")
          }
          resolvedKind = FileSystem.kindFollowing(absolute)
          if resolvedKind == .file { linkedTargets.insert(real) }
          if resolvedKind == .directory {
            add(.warning, relative, "is a symlink to a directory; robogrator does not follow linked directories")
            continue
          }
        }
        if resolvedKind == .directory {
          if name == anySubprojectFolder {
            if inAnyFolder { add(.error, relative, "an _any folder inside an _any folder is never used") }
          } else if inAnyFolder {
            add(.error, relative, "directories inside an _any folder are never used; _any holds definitions only")
          } else if !ProjectName.isValidComponent(name) {
            let rule = ProjectName.brokenRule(name) ?? "it contains ':'"
            add(
              .error, relative,
              "directory \"\(name)\" cannot be part of an OBS project name (\(rule)), so no event reaches it")
          }
          pending.append(relative)
          continue
        }
        let parsed = DefinitionFileName(name)
        if directory.isEmpty, parsed.label != nil, name.hasSuffix(".pdef") || parsed == .legacy(label: name) {
          // Files at the store root are what projects link to, not routing entries.
          if kind == .file { rootDefinitions.append((relative, FileSystem.realPath(absolute) ?? absolute)) }
          continue
        }
        if let label = parsed.label, EventLabel(uncheckedKnown: label) == nil {
          add(
            .warning, relative,
            "OBS never emits the label \(label); this file never launches (see robogrator(1) for the labels)")
        }
        switch parsed {
        case .legacy, .named:
          switch FileSystem.read(absolute) {
          case .success:
            let real = FileSystem.realPath(absolute) ?? absolute
            if seenDefinitions.insert(real).inserted {
              report.definitions.append(DefinitionFile(relativePath: relative, resolvedPath: real))
            }
          case .failure(let error):
            add(.error, relative, "cannot be read: \(error); events skip it")
          }
        case .conf(let label, let definition):
          if !names.contains(DefinitionFileName.pdefName(label: label, name: definition)) {
            add(
              .warning, relative,
              "no \(DefinitionFileName.pdefName(label: label, name: definition)) beside it: this conf is never used")
          }
          switch FileSystem.read(absolute) {
          case .success(let bytes):
            do { _ = try ConfFile.parse(String(decoding: bytes, as: UTF8.self)) } catch {
              add(.error, relative, "invalid conf: it \(error); launches of its definition fail until it is fixed")
            }
          case .failure(let error):
            add(.error, relative, "cannot read the conf: \(error); launches of its definition fail")
          }
        case .strayForLabel:
          add(.warning, relative, "looks like a definition but does not end in .pdef, so it never launches")
        case .other:
          if name.hasSuffix(".pdef"), kind == .file {
            if directory.isEmpty {
              rootDefinitions.append((relative, FileSystem.realPath(absolute) ?? absolute))
            } else {
              add(.warning, relative, "is not named LABEL.<name>.pdef, so no event launches it")
            }
          }
        }
      }
    }
    for definition in rootDefinitions where !linkedTargets.contains(definition.real) {
      add(
        .warning, definition.relative,
        "no project links this definition (enable it with: robogrator enable PROJECT LABEL \(definition.relative.dropLast(5)))"
      )
    }
    report.findings.sort()
    return report
  }
}

extension EventLabel {
  /// Whether an (already label-shaped) name is one OBS emits.
  init?(uncheckedKnown name: String) {
    guard EventLabel.known.contains(name), let label = try? EventLabel(name) else { return nil }
    self = label
  }
}
