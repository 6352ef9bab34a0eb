import Lint

/// One finding of ``SubstitutionLint`` or ``ConditionLint``: what is wrong and how to write it instead.
public struct TextFinding: Sendable, Equatable, CustomStringConvertible {
  /// How bad it is: `error` is refused at launch, `warning` changes what the process does, `info` is a hint.
  public typealias Severity = LintFinding.Severity

  public let severity: Severity
  /// A stable identifier, e.g. `unquoted-substitution`.
  public let code: String
  public let message: String
  /// Offset in the linted text, in characters (nil when the finding is about the whole text).
  public let offset: Int?

  public init(severity: Severity, code: String, message: String, offset: Int?) {
    self.severity = severity
    self.code = code
    self.message = message
    self.offset = offset
  }

  public var description: String {
    "\(severity.rawValue): \(message)" + (offset.map { " (at character \($0 + 1))" } ?? "") + " [\(code)]"
  }
}

/// A finding about a condition.
public typealias ConditionFinding = TextFinding
/// A finding about `${...}` substitution.
public typealias SubstitutionFinding = TextFinding

extension Array where Element == UInt8 {
  /// The character offset of a byte offset (for lint positions).
  func characterOffset(ofByte byteOffset: Int) -> Int {
    String(decoding: self[..<Swift.min(byteOffset, count)], as: UTF8.self).count
  }
}
