import Foundation
import OrderedJSON
import PDef

/// Where a process instance stands.
public enum ProcessStatus: String, Sendable {
  case running
  /// The root replied: the process ran to its end.
  case completed
  /// `terminate` / `cancel_process` ended it.
  case terminated
  /// A branch stopped on an unhandled error and waits for a replay or a cancel.
  case error
  /// An operator cancelled it.
  case cancelled
}

/// What the engine knows about one process instance besides its expressions.
public struct ProcessRecord: Sendable {
  public let wfid: String
  public var name: String
  public var revision: String?
  /// The definition as launched (a snapshot: editing the file later changes nothing).
  public var tree: PDefNode
  public var status: ProcessStatus
  /// The workitem fields the process ended with.
  public var fields: JSONObject?
  /// Unhandled errors, oldest first.
  public var errors: [String] = []
  /// `echo` lines and what happened, in order.
  public var history: [String] = []
  /// What launched it: the event, the definition file and the conf used
  /// (`{"event", "definition", "link_target", "conf", "conf_fields"}`), or
  /// the command line. Written once, at launch.
  public var origin: JSONObject?

  public init(
    wfid: String, name: String, revision: String? = nil, tree: PDefNode, status: ProcessStatus,
    fields: JSONObject? = nil, errors: [String] = [], history: [String] = [], origin: JSONObject? = nil
  ) {
    self.wfid = wfid
    self.name = name
    self.revision = revision
    self.tree = tree
    self.status = status
    self.fields = fields
    self.errors = errors
    self.history = history
    self.origin = origin
  }
}

/// The engine's state, behind a protocol so the same step function runs on
/// memory (tests) and on SQLite (the daemon). Every method is called from the
/// engine's one thread.
public protocol EngineStore: AnyObject {
  func expression(_ id: FlowExpressionID) -> FlowExpression?
  func save(_ expression: FlowExpression)
  func remove(_ id: FlowExpressionID)
  func expressions(of wfid: String) -> [FlowExpression]

  func enqueue(_ message: EngineMessage)
  func dequeue() -> EngineMessage?

  func process(_ wfid: String) -> ProcessRecord?
  func save(_ process: ProcessRecord)

  func addDispatch(_ dispatch: Dispatch)
  func removeDispatch(_ id: FlowExpressionID) -> Dispatch?
  var dispatches: [Dispatch] { get }

  func addTimer(_ timer: EngineTimer)
  /// Removes and returns the timers due at `date`, earliest first.
  func takeTimers(dueAt date: Date) -> [EngineTimer]
  func removeTimers(of id: FlowExpressionID)
  /// When the next timer is due, if any.
  var nextTimerDue: Date? { get }

  /// `listen` expressions waiting for events, indexed by what they wait for
  /// (a participant name, a `/regex/`, or `errors`); their conditions live in their state.
  func addTracker(_ listener: FlowExpressionID, key: String)
  func removeTracker(_ listener: FlowExpressionID)
  var trackers: TrackerIndex { get }

  /// Durable state of built-in participants (obsticket's locks), by name.
  func builtInState(_ name: String) -> JSONValue?
  func setBuiltInState(_ name: String, _ value: JSONValue?)

  /// A participant call started (its record is `running`); the dispatcher tells.
  func callStarted(_ call: ParticipantCallReport)
  /// A participant call ended: the open call of `call.expression` takes `call`'s end
  /// (see `ParticipantCallReport.ended(as:)`). Ignored when no call of that expression
  /// is open: its end is recorded already.
  func callEnded(_ call: ParticipantCallReport)

  /// Makes every change since the last flush durable at once (a no-op in memory).
  func flush() throws
}

/// An `EngineStore` in memory, for tests and for running a definition once.
public final class InMemoryEngineStore: EngineStore {
  private var expressionsByWfid: [String: [FlowExpressionID: FlowExpression]] = [:]
  private var queue: [EngineMessage] = []
  private var queueHead = 0
  private var processes: [String: ProcessRecord] = [:]
  /// Pending dispatches by expression, with their order of arrival.
  private var pending: [FlowExpressionID: (order: Int, dispatch: Dispatch)] = [:]
  private var nextDispatchOrder = 0
  private var timers: [EngineTimer] = []
  private var listeners = TrackerIndex()
  private var builtIns: [String: JSONValue] = [:]
  /// Participant calls, in the order they started.
  public private(set) var calls: [ParticipantCallReport] = []
  private var openCalls: [FlowExpressionID: Int] = [:]

  public init() {}

  public func expression(_ id: FlowExpressionID) -> FlowExpression? { expressionsByWfid[id.wfid]?[id] }
  public func save(_ expression: FlowExpression) {
    expressionsByWfid[expression.id.wfid, default: [:]][expression.id] = expression
  }
  public func remove(_ id: FlowExpressionID) {
    expressionsByWfid[id.wfid]?[id] = nil
    if expressionsByWfid[id.wfid]?.isEmpty == true { expressionsByWfid[id.wfid] = nil }
  }
  public func expressions(of wfid: String) -> [FlowExpression] {
    (expressionsByWfid[wfid].map { Array($0.values) } ?? []).sorted { $0.id.expid < $1.id.expid }
  }

  public func enqueue(_ message: EngineMessage) { queue.append(message) }
  public func dequeue() -> EngineMessage? {
    guard queueHead < queue.count else { return nil }
    defer {
      queueHead += 1
      if queueHead > 1024 && queueHead * 2 > queue.count {
        queue.removeFirst(queueHead)
        queueHead = 0
      }
    }
    return queue[queueHead]
  }

  public func process(_ wfid: String) -> ProcessRecord? { processes[wfid] }
  public func save(_ process: ProcessRecord) { processes[process.wfid] = process }

  public func addDispatch(_ dispatch: Dispatch) {
    pending[dispatch.expression] = (nextDispatchOrder, dispatch)
    nextDispatchOrder += 1
  }
  public func removeDispatch(_ id: FlowExpressionID) -> Dispatch? { pending.removeValue(forKey: id)?.dispatch }
  public var dispatches: [Dispatch] { pending.values.sorted { $0.order < $1.order }.map(\.dispatch) }

  public func addTimer(_ timer: EngineTimer) {
    let position = timers.firstIndex { $0.due > timer.due } ?? timers.count
    timers.insert(timer, at: position)
  }
  public func takeTimers(dueAt date: Date) -> [EngineTimer] {
    let due = timers.prefix { $0.due <= date }
    timers.removeFirst(due.count)
    return Array(due)
  }
  public func removeTimers(of id: FlowExpressionID) { timers.removeAll { $0.expression == id } }
  public var nextTimerDue: Date? { timers.first?.due }

  public func addTracker(_ listener: FlowExpressionID, key: String) { listeners.add(listener, key: key) }
  public func removeTracker(_ listener: FlowExpressionID) { listeners.remove(listener) }
  public var trackers: TrackerIndex { listeners }

  public func builtInState(_ name: String) -> JSONValue? { builtIns[name] }
  public func setBuiltInState(_ name: String, _ value: JSONValue?) { builtIns[name] = value }

  public func callStarted(_ call: ParticipantCallReport) {
    openCalls[call.expression] = calls.count
    calls.append(call)
  }
  public func callEnded(_ call: ParticipantCallReport) {
    guard let index = openCalls.removeValue(forKey: call.expression) else { return }
    calls[index] = calls[index].ended(as: call)
  }

  public func flush() {}
}
