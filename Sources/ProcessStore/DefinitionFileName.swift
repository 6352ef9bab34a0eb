import OBSEvents

/// What a file name in the process store means for routing.
///
/// `LABEL` is a legacy definition, `LABEL.<name>.pdef` a named one with its
/// `LABEL.<name>.conf`; everything else is not a definition for any label.
public enum DefinitionFileName: Sendable, Equatable {
  case legacy(label: String)
  case named(label: String, name: String)
  case conf(label: String, name: String)
  /// Starts with `LABEL.` but is neither `.pdef` nor `.conf` (an editor backup, a typo).
  case strayForLabel(label: String)
  case other

  public init(_ fileName: String) {
    if EventLabel.isValid(fileName) {
      self = .legacy(label: fileName)
      return
    }
    guard let dot = fileName.firstIndex(of: "."), EventLabel.isValid(String(fileName[..<dot])) else {
      self = .other
      return
    }
    let label = String(fileName[..<dot])
    let rest = fileName[fileName.index(after: dot)...]
    for (suffix, isPdef) in [(".pdef", true), (".conf", false)]
    where rest.hasSuffix(suffix) && rest.count > suffix.count {
      let name = String(rest.dropLast(suffix.count))
      self = isPdef ? .named(label: label, name: name) : .conf(label: label, name: name)
      return
    }
    self = .strayForLabel(label: label)
  }

  /// The label this file belongs to, if any.
  public var label: String? {
    switch self {
    case .legacy(let label), .named(let label, _), .conf(let label, _), .strayForLabel(let label): label
    case .other: nil
    }
  }

  /// The conf file name that goes with a named definition.
  public static func confName(label: String, name: String) -> String { "\(label).\(name).conf" }
  /// The file name of a named definition.
  public static func pdefName(label: String, name: String) -> String { "\(label).\(name).pdef" }
}

/// The name of the folder whose definitions serve every subproject of its parent.
public let anySubprojectFolder = "_any"
