/// The type of an OBS event as BOSS names it (`SRCSRV_REQUEST_CREATE`),
/// validated as `^[A-Z][A-Z0-9_]*$` so it is safe in a file name.
public struct EventLabel: Sendable, Hashable, CustomStringConvertible, Comparable {
  public let name: String

  public init(_ name: String, source: String = "label") throws(NameError) {
    guard EventLabel.isValid(name) else {
      throw NameError(
        kind: .label, value: name, source: source,
        rule: "labels are upper-case letters, digits and '_', starting with a letter (^[A-Z][A-Z0-9_]*$)")
    }
    self.name = name
  }

  public var description: String { name }

  public static func < (lhs: EventLabel, rhs: EventLabel) -> Bool { lhs.name < rhs.name }

  /// True for request events, which route to their actions' target projects.
  public var isRequestEvent: Bool { name.hasPrefix("SRCSRV_REQUEST") }

  /// True when OBS (any era, including the message-bus adapter) emits this label.
  public var isKnown: Bool { EventLabel.known.contains(name) }

  public static func isValid(_ name: String) -> Bool {
    var first = true
    for byte in name.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): break
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): if first { return false }
      default: return false
      }
      first = false
    }
    return !first
  }

  /// Every label OBS emitted to the BOSS plugin (spec obs-events §1.2) and every
  /// label the message-bus adapter produces.
  public static let known: Set<String> = Set([
    "BUILD_SUCCESS", "BUILD_FAIL", "BUILD_UNCHANGED",
    "REPO_PUBLISH_STATE", "REPO_PUBLISHED", "PACKTRACK",
    "SRCSRV_START",
    "SRCSRV_CREATE_PROJECT", "SRCSRV_UPDATE_PROJECT", "SRCSRV_DELETE_PROJECT", "SRCSRV_UNDELETE_PROJECT",
    "SRCSRV_UPDATE_PROJECT_CONFIG",
    "SRCSRV_CREATE_PACKAGE", "SRCSRV_UPDATE_PACKAGE", "SRCSRV_DELETE_PACKAGE", "SRCSRV_UNDELETE_PACKAGE",
    "SRCSRV_COMMIT", "SRCSRV_VERSION_CHANGE", "SRCSRV_UPLOAD", "SRCSRV_BRANCH_COMMAND",
    "SRCSRV_SERVICE_SUCCESS", "SRCSRV_SERVICE_FAIL",
    "SRCSRV_REQUEST_CREATE", "SRCSRV_REQUEST_CHANGE", "SRCSRV_REQUEST_DELETE", "SRCSRV_REQUEST_STATECHANGE",
    "SRCSRV_REQUEST_ACCEPTED", "SRCSRV_REQUEST_DECLINED", "SRCSRV_REQUEST_REJECTED", "SRCSRV_REQUEST_REVOKED",
    "SRCSRV_REQUEST_REVIEWER_ADDED", "SRCSRV_REQUEST_REVIEWER_GROUP_ADDED",
    "SRCSRV_REQUEST_REVIEWER_PROJECT_ADDED", "SRCSRV_REQUEST_REVIEWER_PACKAGE_ADDED",
    "SRCSRV_REVIEW_ACCEPTED", "SRCSRV_REVIEW_DECLINED", "SRCSRV_REVIEW_REVOKED",
  ]).union(MessageBusAdapter.labelsByRoutingSuffix.values).union(MessageBusAdapter.passThroughLabels)
}
