import OrderedJSON

/// The names `${...}` answers before fields and variables (§4.3), e.g. `${wfid}`.
///
/// They are matched only on the exact, bare key: `${wfid}` is the process id even
/// when a field `wfid` exists (`${f:wfid}` reads the field). `${sub_wfid}` is an
/// old spelling of `${subid}`.
public enum ReservedName: String, Sendable, CaseIterable {
  case wfid
  case expid
  case subid
  case engineID = "engine_id"
  /// The storage id `expid!subid!wfid`.
  case fei
  case mnemoID = "mnemo_id"
  /// All tags the expression sits in (an array).
  case tags
  /// The innermost tag ("" when there is none).
  case tag
  /// The tags joined with `/`.
  case fullTag = "full_tag"

  /// The reserved name a bare key stands for, if any (`sub_wfid` → `.subid`).
  public init?(key: some StringProtocol) {
    guard let name = ReservedName(bytes: Array(key.utf8)[...]) else { return nil }
    self = name
  }

  /// Byte-wise match (condition evaluation checks every key, so no string switch here).
  init?(bytes key: ArraySlice<UInt8>) {
    func equals(_ literal: StaticString) -> Bool {
      literal.withUTF8Buffer { key.elementsEqual($0) }
    }
    switch key.count {
    case 3 where equals("fei"): self = .fei
    case 3 where equals("tag"): self = .tag
    case 4 where equals("wfid"): self = .wfid
    case 4 where equals("tags"): self = .tags
    case 5 where equals("expid"): self = .expid
    case 5 where equals("subid"): self = .subid
    case 8 where equals("sub_wfid"): self = .subid
    case 8 where equals("mnemo_id"): self = .mnemoID
    case 8 where equals("full_tag"): self = .fullTag
    case 9 where equals("engine_id"): self = .engineID
    default: return nil
    }
  }
}

/// What `${...}` substitution and conditions read: the workitem fields, the
/// variables visible from the expression, and the expression's identity.
///
/// The engine implements it. Variables are resolved by the engine because
/// scoping is dynamic (§2.5); the name is passed exactly as written after the
/// prefix, so the engine sees:
/// - `x`, `x.y.0` — a (dotted) variable path; walk the scopes for the first
///   one that has `x`, then descend with ``Dollar/lookupPath(_:in:)``;
/// - `/x` — the root scope of the process instance;
/// - `//x` — an engine variable (read-only for processes).
/// A name found in no scope falls back to the engine variable of that name.
public protocol SubstitutionContext {
  /// The workitem fields (a JSON object; anything else counts as no fields).
  var fields: JSONValue { get }

  /// The variable `name` (see the type's documentation for the name forms), nil when unset.
  func lookupVariable(_ name: String) -> JSONValue?

  /// The value of a reserved name; nil renders as "".
  func reservedValue(_ name: ReservedName) -> JSONValue?
}

/// A fixed ``SubstitutionContext`` for tests, lint and benchmarks: fields, one
/// flat variable scope, engine variables and reserved values given up front.
public struct StaticSubstitutionContext: SubstitutionContext, Sendable {
  public var fields: JSONValue
  /// The process variables (one scope; `/x` reads it too).
  public var variables: JSONValue
  /// Engine variables, read by `//x` and as the fallback of a missing `x`.
  public var engineVariables: JSONValue
  public var reserved: [ReservedName: JSONValue]

  public init(
    fields: JSONValue = .object(JSONObject()),
    variables: JSONValue = .object(JSONObject()),
    engineVariables: JSONValue = .object(JSONObject()),
    reserved: [ReservedName: JSONValue] = [:]
  ) {
    self.fields = fields
    self.variables = variables
    self.engineVariables = engineVariables
    self.reserved = reserved
  }

  public func lookupVariable(_ name: String) -> JSONValue? {
    if name.hasPrefix("//") {
      return Dollar.lookupPath(String(name.dropFirst(2)), in: engineVariables)
    }
    let path = name.hasPrefix("/") ? String(name.dropFirst()) : name
    return Dollar.lookupPath(path, in: variables) ?? Dollar.lookupPath(path, in: engineVariables)
  }

  public func reservedValue(_ name: ReservedName) -> JSONValue? {
    reserved[name]
  }
}
