/// The `listen` expressions waiting for events, indexed by what they wait
/// for: a participant name, a `/regex/`, or `errors`. Both stores keep one,
/// so delivering an event costs a hash probe, not a scan of every listener
/// (10,000 waiting processes are a normal day for BOSS).
public struct TrackerIndex: Sendable {
  private var keyByListener: [FlowExpressionID: String] = [:]
  private var listenersByKey: [String: [FlowExpressionID]] = [:]
  private var arrival: [FlowExpressionID: Int] = [:]
  private var nextArrival = 0
  /// The `/regex/` keys, kept apart: every event is matched against them, and
  /// listing every key for that cost as much as the listeners.
  private var patternKeys: Set<String> = []

  public init() {}

  public mutating func add(_ listener: FlowExpressionID, key: String) {
    remove(listener)
    keyByListener[listener] = key
    listenersByKey[key, default: []].append(listener)
    if key.hasPrefix("/") { patternKeys.insert(key) }
    arrival[listener] = nextArrival
    nextArrival += 1
  }

  /// Forgets a listener; false when it was not listening.
  @discardableResult
  public mutating func remove(_ listener: FlowExpressionID) -> Bool {
    guard let key = keyByListener.removeValue(forKey: listener) else { return false }
    arrival[listener] = nil
    listenersByKey[key]?.removeAll { $0 == listener }
    if listenersByKey[key]?.isEmpty == true {
      listenersByKey[key] = nil
      patternKeys.remove(key)
    }
    return true
  }

  /// Listeners waiting for `key`, in the order they started.
  public func listeners(forKey key: String) -> [FlowExpressionID] { listenersByKey[key] ?? [] }

  /// Every key some listener waits for.
  public var keys: [String] { Array(listenersByKey.keys) }

  /// The `/regex/` keys some listener waits for.
  public var regexKeys: Set<String> { patternKeys }

  public func key(of listener: FlowExpressionID) -> String? { keyByListener[listener] }

  /// Every listener, in the order they started.
  public var all: [FlowExpressionID] { arrival.sorted { $0.value < $1.value }.map(\.key) }

  public var count: Int { keyByListener.count }
}
