import Foundation

/// A process store in a fresh temporary directory, removed when the test ends.
final class TemporaryStore {
  let root: String

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("robogrator-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  func path(_ relative: String) -> String { root + "/" + relative }

  /// Writes a file, creating its directories.
  @discardableResult
  func write(_ relative: String, _ text: String = "Ruote.process_definition 'x' do\nend\n") throws -> String {
    let full = path(relative)
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    return full
  }

  /// Creates a symlink at `relative` whose text is `target`.
  func link(_ relative: String, to target: String) throws {
    let full = path(relative)
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
  }

  func mkdir(_ relative: String) throws {
    try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
  }

  func remove(_ relative: String) throws {
    try FileManager.default.removeItem(atPath: path(relative))
  }
}

/// Polls until `condition` holds or `seconds` pass; the store's watcher
/// thread applies changes asynchronously.
func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(2_000)
  }
  return condition()
}
