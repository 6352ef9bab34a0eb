import OrderedJSON
import Workflow

/// The built-in `obsticket` participant: named locks with a durable FIFO of waiters.
///
///     obsticket :action => 'get', :lock_project => '${project}'
///     apply
///     obsticket :action => 'release', :lock_project => '${project}'
///
/// `get` answers at once when the lock is free (or already held by the same
/// process), else when the holder releases it, waiters in arrival order.
/// `release` frees it and wakes the next waiter. `require` takes a free lock
/// without waiting and says whether it did in `__result__`. A process that
/// ends or is cancelled releases what it held and leaves the queues. The
/// lock name is `:lock_project`, `:lock` or `:name`, else field `project`.
/// The state lives in the engine's store, so it survives restarts.
public enum Obsticket {
  public static let name = "obsticket"
  static let stateKey = "obsticket"

  /// A participant that must be answered now: the expression and its fields.
  public typealias Answer = (id: FlowExpressionID, result: Result<JSONObject, ParticipantError>)

  /// Handles one `obsticket` call; returns the calls to answer now (this one, and any waiter it woke).
  public static func handle(_ dispatch: Dispatch, store: EngineStore) -> [Answer] {
    var fields = dispatch.workitem["fields"]?.objectValue ?? JSONObject()
    let params = fields["params"]?.objectValue ?? JSONObject()
    let action = params["action"]?.stringValue ?? "get"
    let lock = lockName(params: params, fields: fields)
    let wfid = dispatch.expression.wfid
    var locks = store.builtInState(stateKey)?.objectValue ?? JSONObject()
    var entry = locks[lock]?.objectValue ?? JSONObject()
    let holder = entry["holder"]?.stringValue
    var answers: [Answer] = []
    switch action {
    case "get":
      if holder == nil || holder == wfid {
        entry["holder"] = .string(wfid)
        fields["__result__"] = true
        answers.append((dispatch.expression, .success(fields)))
      } else {
        var waiters = entry["waiters"]?.arrayValue ?? []
        waiters.append(.object(["fei": dispatch.expression.json, "fields": .object(fields)]))
        entry["waiters"] = .array(waiters)
      }
    case "release":
      if holder == wfid { answers += handOver(&entry) }
      fields["__result__"] = true
      answers.insert((dispatch.expression, .success(fields)), at: 0)
    case "require":
      let free = holder == nil || holder == wfid
      if free { entry["holder"] = .string(wfid) }
      fields["__result__"] = .bool(free)
      answers.append((dispatch.expression, .success(fields)))
    default:
      answers.append(
        (
          dispatch.expression,
          .failure(ParticipantError("obsticket: unknown action \"\(action)\"; use get, release or require"))
        ))
    }
    locks[lock] = entry.isEmpty ? nil : .object(entry)
    store.setBuiltInState(stateKey, locks.isEmpty ? nil : .object(locks))
    return answers
  }

  /// A waiting `get` was cancelled: it leaves its queue.
  public static func cancelled(_ dispatch: Dispatch, store: EngineStore) {
    _ = update(store) { _, entry in
      let waiters = (entry["waiters"]?.arrayValue ?? []).filter {
        $0["fei"].flatMap(FlowExpressionID.init(json:)) != dispatch.expression
      }
      entry["waiters"] = waiters.isEmpty ? nil : .array(waiters)
      return []
    }
  }

  /// A process ended: its locks are released (waking the next waiters) and its waits dropped.
  public static func processEnded(_ wfid: String, store: EngineStore) -> [Answer] {
    update(store) { _, entry in
      let waiters = (entry["waiters"]?.arrayValue ?? []).filter { $0["fei"]?["wfid"]?.stringValue != wfid }
      entry["waiters"] = waiters.isEmpty ? nil : .array(waiters)
      return entry["holder"]?.stringValue == wfid ? handOver(&entry) : []
    }
  }

  /// Who holds which lock, and who waits (for `robogrator show` and tests).
  public static func locks(in store: EngineStore) -> JSONObject {
    store.builtInState(stateKey)?.objectValue ?? JSONObject()
  }

  static func update(_ store: EngineStore, _ body: (String, inout JSONObject) -> [Answer]) -> [Answer] {
    var locks = store.builtInState(stateKey)?.objectValue ?? JSONObject()
    var answers: [Answer] = []
    for name in locks.keys {
      var entry = locks[name]?.objectValue ?? JSONObject()
      answers += body(name, &entry)
      locks[name] = entry.isEmpty ? nil : .object(entry)
    }
    store.setBuiltInState(stateKey, locks.isEmpty ? nil : .object(locks))
    return answers
  }

  /// Frees the lock and gives it to the first waiter, if any.
  static func handOver(_ entry: inout JSONObject) -> [Answer] {
    var waiters = entry["waiters"]?.arrayValue ?? []
    entry["holder"] = nil
    guard !waiters.isEmpty else {
      entry["waiters"] = nil
      return []
    }
    let next = waiters.removeFirst()
    entry["waiters"] = waiters.isEmpty ? nil : .array(waiters)
    guard let id = next["fei"].flatMap(FlowExpressionID.init(json:)) else { return [] }
    entry["holder"] = .string(id.wfid)
    var fields = next["fields"]?.objectValue ?? JSONObject()
    fields["__result__"] = true
    return [(id, .success(fields))]
  }

  static func lockName(params: JSONObject, fields: JSONObject) -> String {
    for key in ["lock_project", "lock", "name"] {
      if case .string(let name)? = params[key], !name.isEmpty { return name }
    }
    return fields["project"]?.stringValue ?? "default"
  }
}
