import Synchronization

/// A counting semaphore for participant processes whose waiters are served first come, first
/// served, and which a waiter leaves when its call is cancelled.
final class ConcurrencyLimit: Sendable {
  private struct Waiter {
    let id: UInt64
    let continuation: CheckedContinuation<Bool, Never>
  }

  private struct State {
    var limit: Int
    /// Free slots; below zero after the limit was lowered while calls ran.
    var available: Int
    var waiters: [Waiter] = []
    var nextID: UInt64 = 0
  }

  private let state: Mutex<State>

  /// The number of slots.
  var limit: Int { state.withLock { $0.limit } }

  init(limit: Int) {
    precondition(limit > 0, "the participant concurrency limit must be at least 1")
    self.state = Mutex(State(limit: limit, available: limit))
  }

  /// Changes the number of slots (a configuration reload). Raising it starts
  /// waiting callers at once; lowering it lets running calls finish, and new
  /// ones start only when fewer than the new limit run.
  func setLimit(_ limit: Int) {
    precondition(limit > 0, "the participant concurrency limit must be at least 1")
    let woken = state.withLock { state -> [Waiter] in
      state.available += limit - state.limit
      state.limit = limit
      var woken: [Waiter] = []
      while state.available > 0 && !state.waiters.isEmpty {
        state.available -= 1
        woken.append(state.waiters.removeFirst())
      }
      return woken
    }
    for waiter in woken { waiter.continuation.resume(returning: true) }
  }

  /// Slots held now (calls running).
  var inUse: Int { state.withLock { $0.limit - $0.available } }

  /// Number of callers queued for a slot (for metrics and tests).
  var queued: Int { state.withLock { $0.waiters.count } }

  /// Takes a slot, queueing behind earlier callers. Returns `false` without a slot when
  /// `cancellation` fires or the task is cancelled while waiting.
  func acquire(cancellation: ParticipantCancellation) async -> Bool {
    let id: UInt64? = state.withLock { state in
      if state.available > 0 && state.waiters.isEmpty {
        state.available -= 1
        return nil
      }
      defer { state.nextID += 1 }
      return state.nextID
    }
    guard let id else { return true }

    let handlerID = cancellation.addHandler { [self] in self.abandon(id) }
    defer { handlerID.map(cancellation.removeHandler) }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let enqueued = state.withLock { state -> Bool in
          // A slot may have been released between reserving the id and getting here.
          if state.available > 0 && state.waiters.isEmpty {
            state.available -= 1
            return false
          }
          state.waiters.append(Waiter(id: id, continuation: continuation))
          return true
        }
        if !enqueued {
          continuation.resume(returning: true)
        } else if cancellation.isCancelled || Task.isCancelled {
          // Cancelled before the waiter was queued: the handlers above could not find it.
          abandon(id)
        }
      }
    } onCancel: {
      abandon(id)
    }
  }

  /// Gives a slot back: to the longest-waiting caller, or to the pool.
  func release() {
    let next = state.withLock { state -> Waiter? in
      if state.waiters.isEmpty || state.available < 0 {
        state.available += 1
        precondition(state.available <= state.limit, "ConcurrencyLimit released more often than acquired")
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.continuation.resume(returning: true)
  }

  /// Removes a queued waiter and wakes it without a slot; does nothing if it already got one.
  private func abandon(_ id: UInt64) {
    let waiter = state.withLock { state -> Waiter? in
      guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
      return state.waiters.remove(at: index)
    }
    waiter?.continuation.resume(returning: false)
  }
}
