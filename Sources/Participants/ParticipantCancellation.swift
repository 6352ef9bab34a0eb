import Synchronization

/// A one-shot cancel signal for one participant call; the engine calls `cancel()` when the
/// participant expression is cancelled (cancel, kill or timeout flavour).
///
/// Cancelling a call that is still queued behind the concurrency limit drops it without starting
/// the program; cancelling a running call terminates its whole process group (TERM, then KILL).
public final class ParticipantCancellation: Sendable {
  private struct State {
    var isCancelled = false
    var nextHandlerID: UInt64 = 0
    var handlers: [UInt64: @Sendable () -> Void] = [:]
  }

  private let state = Mutex(State())

  public init() {}

  /// Whether `cancel()` has been called.
  public var isCancelled: Bool { state.withLock { $0.isCancelled } }

  /// Cancels the call. Idempotent; safe from any thread.
  public func cancel() {
    let handlers = state.withLock { state -> [@Sendable () -> Void] in
      guard !state.isCancelled else { return [] }
      state.isCancelled = true
      defer { state.handlers.removeAll() }
      return Array(state.handlers.values)
    }
    for handler in handlers { handler() }
  }

  /// Registers `handler` to run once on cancellation. Returns `nil` (and does not keep the
  /// handler) when already cancelled; the caller must check for that case itself.
  func addHandler(_ handler: @escaping @Sendable () -> Void) -> UInt64? {
    state.withLock { state in
      guard !state.isCancelled else { return nil }
      let id = state.nextHandlerID
      state.nextHandlerID += 1
      state.handlers[id] = handler
      return id
    }
  }

  func removeHandler(_ id: UInt64) {
    _ = state.withLock { $0.handlers.removeValue(forKey: id) }
  }

  /// Suspends until `cancel()` is called (returns `true`) or the current task is cancelled
  /// (returns `false`).
  func waitUntilCancelled() async -> Bool {
    let slot = OneShot<Bool>()
    let id = addHandler { slot.resolve(true) }
    guard let id else { return true }
    defer { removeHandler(id) }
    return await withTaskCancellationHandler {
      await slot.value()
    } onCancel: {
      slot.resolve(false)
    }
  }
}

/// A value that is resolved once and awaited once; resolving before the wait starts is fine.
final class OneShot<Value: Sendable>: Sendable {
  private enum State {
    case pending
    case waiting(CheckedContinuation<Value, Never>)
    case resolved(Value)
    case consumed
  }

  private let state = Mutex(State.pending)

  /// Resolves the value; later calls are ignored.
  func resolve(_ value: Value) {
    let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
      switch state {
      case .pending:
        state = .resolved(value)
        return nil
      case .waiting(let continuation):
        state = .consumed
        return continuation
      case .resolved, .consumed:
        return nil
      }
    }
    continuation?.resume(returning: value)
  }

  func value() async -> Value {
    await withCheckedContinuation { continuation in
      let ready = state.withLock { state -> Value? in
        switch state {
        case .pending:
          state = .waiting(continuation)
          return nil
        case .resolved(let value):
          state = .consumed
          return value
        case .waiting, .consumed:
          preconditionFailure("OneShot awaited twice")
        }
      }
      if let ready { continuation.resume(returning: ready) }
    }
  }
}
