/// Builds a `StoreIndex` by walking the store once (at start, after an inotify
/// queue overflow, and for directories that appear while watching).
enum StoreScanner {
  /// Scans the directory at `relative` below `root` and everything under it into `index`.
  static func scan(root: String, relative: String, into index: inout StoreIndex) {
    index.ensureDirectory(relative)
    var pending = [relative]
    while let directory = pending.popLast() {
      let absolute = directory.isEmpty ? root : root + "/" + directory
      guard let entries = FileSystem.entries(absolute) else { continue }
      for (name, type) in entries where !name.hasPrefix(".") {
        let isDirectory: Bool
        switch type {
        case 4: isDirectory = true  // DT_DIR
        case 8: isDirectory = false  // DT_REG
        case 10:
          // A symlinked directory is not followed (inotify would not see inside it),
          // but a link named like a label must not count as a definition either.
          if FileSystem.kindFollowing(absolute + "/" + name) == .directory { continue }
          isDirectory = false
        default:
          switch FileSystem.kindNoFollow(absolute + "/" + name) {
          case .directory: isDirectory = true
          case .symlink where FileSystem.kindFollowing(absolute + "/" + name) == .directory: continue
          default: isDirectory = false
          }
        }
        index.setFile(directory: directory, fileName: name, isDirectory: isDirectory)
        if isDirectory { pending.append(StoreIndex.join(directory, name)) }
      }
    }
  }

  /// Re-reads one entry after an inotify event: what it is now, or gone.
  static func refresh(root: String, directory: String, name: String, into index: inout StoreIndex) {
    guard !name.hasPrefix(".") else { return }
    let path = (directory.isEmpty ? root : root + "/" + directory) + "/" + name
    switch FileSystem.kindNoFollow(path) {
    case .missing:
      index.removeFile(directory: directory, fileName: name)
    case .directory:
      if index.directories[StoreIndex.join(directory, name)] == nil {
        scan(root: root, relative: StoreIndex.join(directory, name), into: &index)
      }
    case .symlink where FileSystem.kindFollowing(path) == .directory:
      index.removeFile(directory: directory, fileName: name)
    default:
      index.setFile(directory: directory, fileName: name, isDirectory: false)
    }
  }
}
