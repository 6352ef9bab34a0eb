/// A storage failure, naming the database file and what to do about it.
public struct StorageError: Error, Sendable, CustomStringConvertible {
  public let path: String
  public let message: String

  public init(path: String, _ message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { "engine database \(path): \(message)" }

  static func opening(_ path: String, _ error: any Error) -> StorageError {
    StorageError(
      path: path,
      "cannot open or migrate it (\(error)); check that the directory exists and is writable, "
        + "and that the file is a robogrator database")
  }

  static func corrupt(_ path: String, table: String, key: String, _ error: StorageDecodingError) -> StorageError {
    StorageError(
      path: path,
      "row \(key) of table `\(table)` cannot be read back: \(error.message); "
        + "restore the file from a backup or remove the row with the sqlite3 shell")
  }
}
