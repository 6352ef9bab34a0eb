#if canImport(Glibc)
  import Glibc
#endif

/// The few POSIX file operations the store needs, with errors as text a
/// release engineer can act on. Foundation's FileManager is avoided on the
/// scan path: it is several times slower per entry.
enum FileSystem {
  enum Kind: Equatable {
    case file, directory, symlink, other, missing
  }

  /// The kind of the entry itself (symlinks not followed).
  static func kindNoFollow(_ path: String) -> Kind {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    return kind(info.st_mode)
  }

  /// The kind of what the path resolves to (symlinks followed; a broken link is `.missing`).
  static func kindFollowing(_ path: String) -> Kind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    return kind(info.st_mode)
  }

  private static func kind(_ mode: mode_t) -> Kind {
    switch mode & S_IFMT {
    case S_IFREG: .file
    case S_IFDIR: .directory
    case S_IFLNK: .symlink
    default: .other
    }
  }

  /// Names in a directory, without `.`/`..`; nil when it cannot be opened.
  static func entries(_ path: String) -> [(name: String, type: UInt8)]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var result: [(String, UInt8)] = []
    while let entry = readdir(dir) {
      let (name, type) = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: 256) { (String(cString: $0), entry.pointee.d_type) }
      }
      if name == "." || name == ".." { continue }
      result.append((name, type))
    }
    return result
  }

  /// The whole content of a file, or the reason it cannot be read.
  static func read(_ path: String) -> Result<[UInt8], FileError> {
    // O_NONBLOCK: a FIFO named like a definition must not hang routing.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { return .failure(FileError(errno: errno)) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(FileError(errno: errno)) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return .failure(FileError(errno: EISDIR))
    default: return .failure(FileError(notARegularFile: ()))
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .failure(FileError(errno: errno))
      }
      if count == 0 { break }
      bytes.append(contentsOf: chunk[0..<count])
    }
    return .success(bytes)
  }

  static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  static func currentDirectory() -> String {
    guard let pointer = getcwd(nil, 0) else { return "/" }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// An absolute, lexically normalised path (no `.`, `..` or double slashes); symlinks are kept.
  static func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
    var parts: [Substring] = []
    for part in full.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(part)
    }
    return "/" + parts.joined(separator: "/")
  }
}

/// An operating-system error on a file, with the system's own words.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
  public let code: Int32
  init(errno code: Int32) { self.code = code }
  /// For special files (FIFOs, devices, sockets), which are never read.
  init(notARegularFile: Void) { self.code = -1 }
  public var isNotFound: Bool { code == ENOENT }
  public var description: String { code == -1 ? "not a regular file" : String(cString: strerror(code)) }
}
