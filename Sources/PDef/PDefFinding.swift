/// One problem `PDefLint` found in a definition tree, with where it is.
public struct PDefFinding: Sendable, Hashable, CustomStringConvertible {
  /// How bad it is: `error` refuses the definition, `warning` flags a likely
  /// mistake, `info` points at a legal construct that often surprises.
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
  public var file: String
  /// 1-based; 0 when the tree carries no location (a JSON tree).
  public var line: Int
  public var column: Int
  public var message: String

  public init(severity: Severity, file: String, line: Int, column: Int, message: String) {
    self.severity = severity
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `file:line:col: severity: message` (without `line:col:` when unknown).
  public var description: String {
    let place = line > 0 ? "\(file):\(line):\(column)" : file
    return "\(place): \(severity.rawValue): \(message)"
  }
}
