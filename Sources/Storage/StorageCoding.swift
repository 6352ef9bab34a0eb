import OrderedJSON
import PDef
import Workflow

/// Why a stored JSON column could not be read back: the column and what was wrong in it.
public struct StorageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The JSON form of every engine value the store keeps in a text column.
///
/// One file so the on-disk format can be read at a glance: changing a key
/// here changes the schema and needs a migration.
enum StorageCoding {
  // MARK: - FlowExpressionID

  /// ruote's storage id, `expid!subid!wfid`: one string, a third of the object's size and work.
  static func encode(_ id: FlowExpressionID) -> JSONValue { .string(id.description) }

  /// Reads `expid!subid!wfid`, or the `{wfid, expid, subid}` object written before.
  static func decodeID(_ value: JSONValue?, _ what: String) throws(StorageDecodingError) -> FlowExpressionID {
    if case .string(let text)? = value {
      let parts = text.split(separator: "!", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
        throw StorageDecodingError("\(what): expected expid!subid!wfid, found \(describe(value))")
      }
      return FlowExpressionID(wfid: String(parts[2]), expid: String(parts[0]), subid: String(parts[1]))
    }
    guard let object = value?.objectValue, let wfid = object["wfid"]?.stringValue,
      let expid = object["expid"]?.stringValue, let subid = object["subid"]?.stringValue
    else {
      throw StorageDecodingError("\(what): expected expid!subid!wfid, found \(describe(value))")
    }
    return FlowExpressionID(wfid: wfid, expid: expid, subid: subid)
  }

  // MARK: - FlowExpression

  /// The expression minus its id (the id is the row's key).
  ///
  /// When the expression runs the node at its own expid in `processTree`
  /// (nearly always), `tree_at` names it instead of copying the subtree: a
  /// step of a sequence would otherwise rewrite the whole definition.
  static func encodeBody(_ expression: FlowExpression, processTree: PDefNode? = nil) -> JSONValue {
    var object = JSONObject()
    object.reserveCapacity(10)
    object["parent"] = expression.parent.map(encode) ?? .null
    object["kind"] = .string(expression.kind)
    object["status"] = .string(expression.status.rawValue)
    encodeTree(expression.tree, expid: expression.id.expid, processTree: processTree, into: &object)
    object["applied"] = .object(expression.applied)
    object["variables"] = expression.variables.map { .object($0) } ?? .null
    object["children"] = .array(expression.children.map(encode))
    object["state"] = .object(expression.state)
    object["error"] = expression.error.map { .string($0) } ?? .null
    object["subprocess_depth"] = .int(expression.subprocessDepth)
    return .object(object)
  }

  static func decodeExpression(
    id: FlowExpressionID, body: JSONValue, processTree: (String) -> PDefNode? = { _ in nil }
  ) throws(StorageDecodingError) -> FlowExpression {
    let object = try requireObject(body, "expression \(id)")
    let parent = try optional(object["parent"]).map { (value) throws(StorageDecodingError) in
      try decodeID(value, "expression \(id) parent")
    }
    guard let kind = object["kind"]?.stringValue else { throw missing("kind", in: "expression \(id)") }
    guard let statusText = object["status"]?.stringValue, let status = FlowExpression.Status(rawValue: statusText)
    else { throw StorageDecodingError("expression \(id): unknown status \(describe(object["status"]))") }
    var expression = FlowExpression(
      id: id, parent: parent,
      tree: try decodeTree(in: object, wfid: id.wfid, processTree: processTree, "expression \(id) tree"), kind: kind,
      applied: try requireObject(object["applied"], "expression \(id) applied"),
      variables: try optionalObject(object["variables"], "expression \(id) variables"))
    expression.status = status
    guard let children = object["children"]?.arrayValue else { throw missing("children", in: "expression \(id)") }
    for child in children { expression.children.append(try decodeID(child, "expression \(id) child")) }
    expression.state = try requireObject(object["state"], "expression \(id) state")
    expression.error = try optionalString(object["error"], "expression \(id) error")
    guard case .int(let depth) = object["subprocess_depth"] else {
      throw missing("subprocess_depth", in: "expression \(id)")
    }
    expression.subprocessDepth = depth
    return expression
  }

  // MARK: - EngineMessage

  static func encode(_ message: EngineMessage, processTree: PDefNode? = nil) -> JSONValue {
    var object = JSONObject()
    switch message {
    case .apply(let apply):
      object["type"] = "apply"
      object["id"] = encode(apply.id)
      object["parent"] = apply.parent.map(encode) ?? .null
      encodeTree(apply.tree, expid: apply.id.expid, processTree: processTree, into: &object)
      object["fields"] = .object(apply.fields)
      object["variables"] = apply.variables.map { .object($0) } ?? .null
      object["subprocess_depth"] = .int(apply.subprocessDepth)
      if apply.forget { object["forget"] = true }
    case .reply(let to, let from, let fields):
      object["type"] = "reply"
      object["to"] = encode(to)
      object["from"] = encode(from)
      object["fields"] = .object(fields)
    case .cancel(let id, let flavour):
      object["type"] = "cancel"
      object["id"] = encode(id)
      object["flavour"] = .string(flavour.rawValue)
    case .timer(let id, let kind):
      object["type"] = "timer"
      object["id"] = encode(id)
      object["kind"] = .string(kind.rawValue)
    case .command(let to, let fields):
      object["type"] = "command"
      object["to"] = encode(to)
      object["fields"] = .object(fields)
    case .receive(let id, .success(let fields)):
      object["type"] = "receive"
      object["id"] = encode(id)
      object["fields"] = .object(fields)
    case .receive(let id, .failure(let error)):
      object["type"] = "receive"
      object["id"] = encode(id)
      object["error"] = .string(error.message)
      if let errorClass = error.errorClass { object["error_class"] = .string(errorClass) }
      if !error.trace.isEmpty { object["error_trace"] = .array(error.trace.map(JSONValue.string)) }
      if let details = error.details { object["error_details"] = .string(details) }
      if let fields = error.fields { object["error_fields"] = .object(fields) }
    }
    return .object(object)
  }

  static func decodeMessage(
    _ value: JSONValue, processTree: (String) -> PDefNode? = { _ in nil }
  ) throws(StorageDecodingError) -> EngineMessage {
    let object = try requireObject(value, "message")
    switch object["type"]?.stringValue {
    case "apply":
      guard case .int(let depth) = object["subprocess_depth"] else { throw missing("subprocess_depth", in: "apply") }
      let parent = try optional(object["parent"]).map { (value) throws(StorageDecodingError) in
        try decodeID(value, "apply parent")
      }
      let id = try decodeID(object["id"], "apply id")
      var apply = EngineMessage.Apply(
        id: id, parent: parent,
        tree: try decodeTree(in: object, wfid: id.wfid, processTree: processTree, "apply tree"),
        fields: try requireObject(object["fields"], "apply fields"),
        variables: try optionalObject(object["variables"], "apply variables"), subprocessDepth: depth)
      apply.forget = object["forget"] == .bool(true)
      return .apply(apply)
    case "reply":
      return .reply(
        to: try decodeID(object["to"], "reply to"), from: try decodeID(object["from"], "reply from"),
        fields: try requireObject(object["fields"], "reply fields"))
    case "cancel":
      let flavour = object["flavour"]?.stringValue.flatMap(CancelFlavour.init(rawValue:)) ?? .plain
      return .cancel(try decodeID(object["id"], "cancel id"), flavour)
    case "timer":
      guard let kind = object["kind"]?.stringValue.flatMap(TimerKind.init(rawValue:)) else {
        throw StorageDecodingError("timer message: unknown kind \(describe(object["kind"]))")
      }
      return .timer(try decodeID(object["id"], "timer id"), kind)
    case "command":
      return .command(
        to: try decodeID(object["to"], "command to"), fields: try requireObject(object["fields"], "command fields"))
    case "receive":
      let id = try decodeID(object["id"], "receive id")
      if let error = object["error"] {
        guard let message = error.stringValue else { throw StorageDecodingError("receive error: not a string") }
        return .receive(
          id,
          .failure(
            ParticipantError(
              message, errorClass: object["error_class"]?.stringValue,
              trace: object["error_trace"]?.arrayValue?.compactMap(\.stringValue) ?? [],
              details: object["error_details"]?.stringValue, fields: object["error_fields"]?.objectValue)))
      }
      return .receive(id, .success(try requireObject(object["fields"], "receive fields")))
    default:
      throw StorageDecodingError("message: unknown type \(describe(object["type"]))")
    }
  }

  // MARK: - ProcessRecord (history lives in its own table)

  static func encodeTree(_ tree: PDefNode) -> String { tree.toJSON().serialized() }

  static func encodeErrors(_ errors: [String]) -> String { JSONValue.array(errors.map { .string($0) }).serialized() }

  static func decodeErrors(_ value: JSONValue, _ what: String) throws(StorageDecodingError) -> [String] {
    guard let array = value.arrayValue else { throw StorageDecodingError("\(what): expected an array of strings") }
    var errors: [String] = []
    for element in array {
      guard let text = element.stringValue else { throw StorageDecodingError("\(what): expected strings") }
      errors.append(text)
    }
    return errors
  }

  // MARK: - Shared pieces

  static func parse(_ text: String, _ what: String) throws(StorageDecodingError) -> JSONValue {
    do {
      return try JSONValue.parse(text)
    } catch {
      throw StorageDecodingError("\(what): not JSON (\(error))")
    }
  }

  /// Writes `tree` as `tree_at` when it is the node at `expid` of the process's tree, else in full.
  static func encodeTree(_ tree: PDefNode, expid: String, processTree: PDefNode?, into object: inout JSONObject) {
    if let processTree, let node = processTree.node(atExpid: expid), node == tree {
      object["tree_at"] = .string(expid)
    } else {
      object["tree"] = tree.toJSON()
    }
  }

  /// Reads `tree`, or the process tree's node named by `tree_at`.
  static func decodeTree(
    in object: JSONObject, wfid: String, processTree: (String) -> PDefNode?, _ what: String
  ) throws(StorageDecodingError) -> PDefNode {
    guard let at = object["tree_at"] else { return try decodeTree(object["tree"], what) }
    guard let expid = at.stringValue else { throw StorageDecodingError("\(what): tree_at is not a string") }
    guard let root = processTree(wfid) else {
      throw StorageDecodingError("\(what): refers to node \(expid) of process \(wfid), whose tree is not stored")
    }
    guard let node = root.node(atExpid: expid) else {
      throw StorageDecodingError("\(what): the tree of process \(wfid) has no node \(expid)")
    }
    return node
  }

  static func decodeTree(_ value: JSONValue?, _ what: String) throws(StorageDecodingError) -> PDefNode {
    guard let value else { throw StorageDecodingError("\(what): missing") }
    do {
      return try PDefNode(json: value, file: what)
    } catch {
      throw StorageDecodingError("\(what): \(error)")
    }
  }

  static func requireObject(_ value: JSONValue?, _ what: String) throws(StorageDecodingError) -> JSONObject {
    guard let object = value?.objectValue else {
      throw StorageDecodingError("\(what): expected an object, found \(describe(value))")
    }
    return object
  }

  private static func optional(_ value: JSONValue?) -> JSONValue? {
    guard let value, !value.isNull else { return nil }
    return value
  }

  private static func optionalObject(_ value: JSONValue?, _ what: String) throws(StorageDecodingError) -> JSONObject? {
    guard let value = optional(value) else { return nil }
    return try requireObject(value, what)
  }

  private static func optionalString(_ value: JSONValue?, _ what: String) throws(StorageDecodingError) -> String? {
    guard let value = optional(value) else { return nil }
    guard let text = value.stringValue else { throw StorageDecodingError("\(what): expected a string") }
    return text
  }

  private static func missing(_ key: String, in what: String) -> StorageDecodingError {
    StorageDecodingError("\(what): missing or mistyped `\(key)`")
  }

  private static func describe(_ value: JSONValue?) -> String {
    guard let value else { return "nothing" }
    let text = value.serialized()
    return text.count > 60 ? String(text.prefix(60)) + "..." : text
  }
}

extension PDefNode {
  /// The node at a ruote expid (`0` the root, `0_2_1` its third child's second child).
  func node(atExpid expid: String) -> PDefNode? {
    var parts = expid.split(separator: "_", omittingEmptySubsequences: false)[...]
    guard parts.popFirst() == "0" else { return nil }
    var node = self
    for part in parts {
      guard let index = Int(part), index >= 0, index < node.children.count else { return nil }
      node = node.children[index]
    }
    return node
  }
}
