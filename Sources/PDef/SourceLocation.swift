/// A position in a definition file, for error messages and lint findings.
///
/// Lines and columns are 1-based; a column counts Unicode scalars, so a
/// column reported for a line holding `é` matches what an editor shows.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `line:column`, the form used inside messages ("`do` opened at 3:5").
  public var description: String { "\(line):\(column)" }
}
