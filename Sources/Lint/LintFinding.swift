/// One problem a lint found, tied to a file and, when known, a line and column.
///
/// Shared by the store lint (ProcessStore), the tree lint (PDef) and the
/// condition and `${}` lints (Workflow), so `robogrator lint` reports them alike.
public struct LintFinding: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// How bad it is: `error` refuses the definition or breaks routing, `warning`
  /// flags a likely mistake, `info` points at a legal construct that often surprises.
  public enum Severity: String, Sendable, Hashable, Comparable {
    case info, warning, error

    private var rank: Int {
      switch self {
      case .info: 0
      case .warning: 1
      case .error: 2
      }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
  }

  public var severity: Severity
  /// The file, relative to the store root where there is one.
  public var file: String
  /// 1-based line and column, when the finding is about a place in the file's text.
  public var line: Int?
  public var column: Int?
  public var message: String

  public init(severity: Severity, file: String, line: Int? = nil, column: Int? = nil, message: String) {
    self.severity = severity
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// Whether this finding should fail a lint run (hints do not).
  public var isProblem: Bool { severity != .info }

  /// `file:line:col`, or as much of it as is known.
  public var location: String {
    guard let line else { return file }
    return "\(file):\(line)" + (column.map { ":\($0)" } ?? "")
  }

  /// `file:line:col: severity: message`.
  public var description: String { "\(location): \(severity.rawValue): \(message)" }

  /// By place in the file, so a report reads top to bottom.
  public static func < (lhs: LintFinding, rhs: LintFinding) -> Bool {
    (lhs.file, lhs.line ?? 0, lhs.column ?? 0, lhs.message) < (rhs.file, rhs.line ?? 0, rhs.column ?? 0, rhs.message)
  }
}
