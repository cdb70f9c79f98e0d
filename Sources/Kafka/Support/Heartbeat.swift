import DurationConversions
import Synchronization

/// When something last showed it was alive (the consumer's poll loop going round, the pipeline finishing an event):
/// one relaxed atomic store per beat, read by the liveness check.
public final class Heartbeat: Sendable {
    private let origin = ContinuousClock.now
    /// Nanoseconds after `origin` of the last beat; -1 before the first beat and after ``stopped()``.
    private let lastBeat = Atomic<Int64>(-1)

    public init() {}

    public func beat() {
        lastBeat.store((ContinuousClock.now - origin).wholeNanoseconds, ordering: .relaxed)
    }

    /// Not running any more: ``sinceLastBeat`` is `nil` until the next beat.
    public func stopped() {
        lastBeat.store(-1, ordering: .relaxed)
    }

    /// How long ago the last beat was; `nil` before the first beat and after ``stopped()``.
    public var sinceLastBeat: Duration? {
        let beat = lastBeat.load(ordering: .relaxed)
        guard beat >= 0 else { return nil }
        return (ContinuousClock.now - origin) - .nanoseconds(beat)
    }
}
