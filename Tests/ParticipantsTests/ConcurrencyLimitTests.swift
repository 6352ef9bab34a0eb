import Synchronization
import Testing

@testable import Participants

struct ConcurrencyLimitTests {
  @Test func waitersAreServedInArrivalOrder() async throws {
    let limit = ConcurrencyLimit(limit: 1)
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    let order = Recorder()
    var waiters: [Task<Void, Never>] = []
    for index in 1...4 {
      waiters.append(
        Task {
          if await limit.acquire(cancellation: ParticipantCancellation()) { order.append(index) }
        })
      while limit.queued < index { try await Task.sleep(for: .milliseconds(1)) }
    }
    for expected in 1...4 {
      limit.release()
      while order.values.count < expected { try await Task.sleep(for: .milliseconds(1)) }
    }
    for waiter in waiters { await waiter.value }
    #expect(order.values == [1, 2, 3, 4])
    limit.release()
  }

  @Test func cancelledWaiterLeavesTheQueueWithoutASlot() async throws {
    let limit = ConcurrencyLimit(limit: 1)
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    let cancellation = ParticipantCancellation()
    let waiter = Task { await limit.acquire(cancellation: cancellation) }
    while limit.queued == 0 { try await Task.sleep(for: .milliseconds(1)) }
    cancellation.cancel()
    #expect(await waiter.value == false)
    #expect(limit.queued == 0)
    // The slot is still held by the first caller, then free again.
    limit.release()
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    limit.release()
  }

  @Test func cancelledTaskLeavesTheQueueWithoutASlot() async throws {
    let limit = ConcurrencyLimit(limit: 1)
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    let waiter = Task { await limit.acquire(cancellation: ParticipantCancellation()) }
    while limit.queued == 0 { try await Task.sleep(for: .milliseconds(1)) }
    waiter.cancel()
    #expect(await waiter.value == false)
    #expect(limit.queued == 0)
    limit.release()
  }

  @Test func alreadyCancelledHandleGetsNoSlotWhenItWouldQueue() async {
    let limit = ConcurrencyLimit(limit: 1)
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    let cancellation = ParticipantCancellation()
    cancellation.cancel()
    #expect(await limit.acquire(cancellation: cancellation) == false)
    limit.release()
  }
}

final class Recorder: Sendable {
  private let storage = Mutex<[Int]>([])
  func append(_ value: Int) { storage.withLock { $0.append(value) } }
  var values: [Int] { storage.withLock { $0 } }

  @Test func raisingTheLimitStartsWaitersAtOnce() async throws {
    let limit = ConcurrencyLimit(limit: 1)
    #expect(await limit.acquire(cancellation: ParticipantCancellation()))
    let started = Recorder()
    var waiters: [Task<Void, Never>] = []
    for index in 1...2 {
      waiters.append(
        Task {
          if await limit.acquire(cancellation: ParticipantCancellation()) { started.append(index) }
        })
      while limit.queued < index { try await Task.sleep(for: .milliseconds(1)) }
    }
    limit.setLimit(3)
    for waiter in waiters { await waiter.value }
    #expect(started.values == [1, 2])
    #expect(limit.limit == 3)
    for _ in 1...3 { limit.release() }
  }

  @Test func loweringTheLimitWaitsForRunningCallsToFinish() async throws {
    let limit = ConcurrencyLimit(limit: 3)
    for _ in 1...3 { #expect(await limit.acquire(cancellation: ParticipantCancellation())) }
    limit.setLimit(1)
    let started = Recorder()
    let waiter = Task {
      if await limit.acquire(cancellation: ParticipantCancellation()) { started.append(1) }
    }
    while limit.queued == 0 { try await Task.sleep(for: .milliseconds(1)) }
    // Two releases bring the running count to the new limit: still no slot.
    limit.release()
    limit.release()
    try await Task.sleep(for: .milliseconds(20))
    #expect(started.values.isEmpty)
    #expect(limit.queued == 1)
    limit.release()
    await waiter.value
    #expect(started.values == [1])
    limit.release()
  }
}
