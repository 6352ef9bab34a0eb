/// Why a definition file could not be read, with the place in the file.
///
/// Renders as `file:line:col: message` so editors and CI logs can jump to it.
/// Messages are written for the release engineer who maintains the
/// definition: they say what is wrong and, where it helps, what to write.
public struct PDefError: Error, Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int
  public var message: String

  public init(file: String, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  init(file: String, at location: SourceLocation, _ message: String) {
    self.init(file: file, line: location.line, column: location.column, message: message)
  }

  public var location: SourceLocation { SourceLocation(line: line, column: column) }

  public var description: String { "\(file):\(line):\(column): \(message)" }
}
