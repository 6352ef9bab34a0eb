import OrderedJSON
import PDef

/// The identity of one applied expression: its process (`wfid`), its place in
/// the tree (`expid`, `0_1_2`), and which application it is (`subid`, fresh at
/// every apply, so two runs of one subprocess are told apart).
public struct FlowExpressionID: Hashable, Sendable, CustomStringConvertible {
  public let wfid: String
  public let expid: String
  public let subid: String

  public init(wfid: String, expid: String, subid: String) {
    self.wfid = wfid
    self.expid = expid
    self.subid = subid
  }

  /// Reads back a `fei` object written by `json`.
  public init?(json: JSONValue) {
    guard case .string(let wfid)? = json["wfid"], case .string(let expid)? = json["expid"],
      case .string(let subid)? = json["subid"]
    else { return nil }
    self.init(wfid: wfid, expid: expid, subid: subid)
  }

  /// ruote's storage id, `expid!subid!wfid` (what `${fei}` renders).
  public var description: String { "\(expid)!\(subid)!\(wfid)" }

  /// As a workitem's `fei` object.
  public var json: JSONValue {
    .object(
      JSONObject(
        [
          ("engine_id", "engine"), ("wfid", .string(wfid)), ("subid", .string(subid)), ("expid", .string(expid)),
        ] as [(String, JSONValue)]))
  }
}

/// One live expression of a process instance: the node it runs, the workitem
/// it was applied with, its scope if it opens one, and its own progress.
///
/// This is all the engine keeps between messages; storage persists it as is.
public struct FlowExpression: Sendable {
  public enum Status: String, Sendable {
    case active
    /// A cancel reached it; it replies once its children have.
    case cancelling
    /// An error stopped it; it waits for a replay or a cancel.
    case failed
  }

  public let id: FlowExpressionID
  public var parent: FlowExpressionID?
  /// The node being run, children included.
  public var tree: PDefNode
  /// The behaviour running it (`sequence`, `participant`, ...), resolved at apply.
  public var kind: String
  /// The workitem fields it was applied with.
  public var applied: JSONObject
  /// Its own variable scope (process root, subprocess instance), if it opens one.
  public var variables: JSONObject?
  public var status: Status = .active
  /// Children applied and not yet replied.
  public var children: [FlowExpressionID] = []
  /// Expression-specific progress (the next child, the loop index, ...).
  public var state: JSONObject = JSONObject()
  /// Why it failed, when `status` is `.failed`.
  public var error: String?
  /// How many subprocess instances enclose it (bounds runaway recursion).
  public var subprocessDepth: Int = 0

  public init(
    id: FlowExpressionID, parent: FlowExpressionID?, tree: PDefNode, kind: String, applied: JSONObject,
    variables: JSONObject? = nil
  ) {
    self.id = id
    self.parent = parent
    self.tree = tree
    self.kind = kind
    self.applied = applied
    self.variables = variables
  }
}
