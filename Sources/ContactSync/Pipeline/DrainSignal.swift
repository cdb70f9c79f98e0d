import DurationConversions
import Foundation

/// Lets the poll thread sleep until a running event of a partition being revoked ends, instead of polling.
///
/// The poll thread is not a Swift task (it runs librdkafka's blocking calls), so it waits on a condition variable.
/// ``wait(until:running:)`` reads the count under the condition's lock, and ``signal()`` takes that lock after the
/// count changed, so no wake-up is lost between the check and the wait.
final class DrainSignal: Sendable {
    private let condition = NSCondition()

    /// Waits until `running()` is zero or `deadline` passes; returns the last count read (the events left running).
    func wait(until deadline: ContinuousClock.Instant, running: () -> Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        var count = running()
        while count > 0 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            _ = condition.wait(until: Date().addingTimeInterval(left.timeInterval))
            count = running()
        }
        return count
    }

    /// A running event ended: wake the waiting revoke, if any.
    func signal() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
