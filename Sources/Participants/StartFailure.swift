import Subprocess

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Explains why a participant program could not be started, in terms a release engineer can act
/// on. swift-subprocess reports a missing and a non-executable file alike ("not found", ENOENT),
/// so the file is examined again here, only on this failure path.
enum StartFailure {
  static func message(for error: any Error, path: String, workingDirectory: String?) -> String {
    let prefix = "cannot start participant \(path)"
    if let error = error as? SubprocessError, error.code == .failedToChangeWorkingDirectory {
      let directory = workingDirectory ?? "?"
      return "\(prefix): working directory \(directory): \(problem(with: directory) ?? "\(error)")"
    }
    if let problem = problem(withExecutable: path) { return "\(prefix): \(problem)" }
    if let error = error as? SubprocessError, let errno = error.underlyingError {
      let code = errno.rawValue
      let hint = code == ENOEXEC ? " (does the script start with a #! line?)" : ""
      return "\(prefix): \(errnoText(code))\(hint)"
    }
    return "\(prefix): \(error)"
  }

  /// What is wrong with `path` as a program, or `nil` if it looks runnable.
  private static func problem(withExecutable path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return errnoText(errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR { return errnoText(EISDIR) }
    if access(path, X_OK) != 0 {
      let code = errno
      return code == EACCES ? "\(errnoText(code)) (the file is not executable: chmod +x it)" : errnoText(code)
    }
    return nil
  }

  /// What is wrong with `path` as a working directory, or `nil` if nothing obvious is.
  private static func problem(with directory: String) -> String? {
    var info = stat()
    guard stat(directory, &info) == 0 else { return errnoText(errno) }
    if (info.st_mode & S_IFMT) != S_IFDIR { return errnoText(ENOTDIR) }
    if access(directory, X_OK) != 0 { return errnoText(errno) }
    return nil
  }

  /// "No such file or directory (ENOENT)"-style text for an errno value.
  static func errnoText(_ code: Int32) -> String {
    let names: [Int32: String] = [
      ENOENT: "ENOENT", EACCES: "EACCES", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", ENOEXEC: "ENOEXEC",
      ELOOP: "ELOOP", ENAMETOOLONG: "ENAMETOOLONG", E2BIG: "E2BIG", ENOMEM: "ENOMEM", EAGAIN: "EAGAIN",
      EMFILE: "EMFILE", ENFILE: "ENFILE", ETXTBSY: "ETXTBSY", EPERM: "EPERM",
    ]
    let text = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    return "\(text) (\(names[code] ?? "errno \(code)"))"
  }
}
