import Synchronization

/// Paces one replica's calls to at most `callsPerSecond`, evenly spaced (a token bucket holding one token): a caller
/// takes the next free slot and sleeps until it comes.
final class CallRate: Sendable {
    private let interval: Duration
    private let nextSlot = Mutex<ContinuousClock.Instant?>(nil)
    private let clock = ContinuousClock()

    /// `nil` when `callsPerSecond` is not positive (no limit).
    init?(callsPerSecond: Double) {
        guard callsPerSecond > 0, callsPerSecond.isFinite else { return nil }
        interval = .nanoseconds(Int64((1e9 / callsPerSecond).rounded(.up)))
    }

    /// Waits for this caller's slot. Throws `CancellationError` when the task is cancelled.
    func wait() async throws {
        let now = clock.now
        let slot = nextSlot.withLock { next -> ContinuousClock.Instant in
            let slot = max(next ?? now, now)
            next = slot + interval
            return slot
        }
        if slot > now { try await Task.sleep(until: slot, clock: clock) }
    }
}
