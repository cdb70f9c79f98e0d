import Kafka
import Synchronization
import Testing

@testable import ContactSync

/// The `maxInFlight` slots alone: the limit, arrival order, cancellation and a revoke's withdrawal.
@Suite struct CallSlotsTests {
    static let p0 = TopicPartition(topic: "contacts.created", partition: 0)
    static let p1 = TopicPartition(topic: "contacts.created", partition: 1)

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    struct TimedOut: Error {}

    /// Takes the one slot of `slots` (for partition 0) in a task of its own and keeps it until `observed.open`.
    static func holdTheOnlySlot(of slots: CallSlots, until observed: Observed) async throws -> Task<Void, any Error> {
        let holder = Task {
            try await slots.withSlot(for: p0) {
                while !observed.open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
        try await eventually { slots.inUse == 1 }
        return holder
    }

    /// What the holders of the slots saw.
    final class Observed: Sendable {
        let open = Mutex(false)
        let order = Mutex<[Int]>([])
        let peak = Mutex((now: 0, max: 0))
    }

    @Test(.timeLimit(.minutes(1)))
    func neverMoreThanTheLimitAndWaitersAreServedInArrivalOrder() async throws {
        let slots = CallSlots(limit: 2)
        let observed = Observed()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await slots.withSlot(for: Self.p0) {
                        observed.peak.withLock {
                            $0.now += 1; $0.max = max($0.max, $0.now)
                        }
                        observed.order.withLock { $0.append(index) }
                        while !observed.open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
                        observed.peak.withLock { $0.now -= 1 }
                    }
                }
                // Each task holds a slot or waits in the queue before the next one starts: arrival order is index order.
                try await Self.eventually { slots.inUse + slots.waiting == index + 1 }
            }
            try await Self.eventually { observed.order.withLock { $0.count } == 2 }
            #expect(slots.inUse == 2)
            #expect(observed.order.withLock { $0 } == [0, 1])
            observed.open.withLock { $0 = true }
            try await group.waitForAll()
        }
        #expect(observed.peak.withLock { $0.max } == 2)
        #expect(observed.order.withLock { $0 } == [0, 1, 2, 3, 4, 5])
        #expect(slots.inUse == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledWaiterLeavesTheQueueAndTheSlotGoesToTheNext() async throws {
        let slots = CallSlots(limit: 1)
        let observed = Observed()
        let holder = try await Self.holdTheOnlySlot(of: slots, until: observed)
        let cancelled = Task { try await slots.withSlot(for: Self.p0) { "ran" } }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let next = Task { try await slots.withSlot(for: Self.p0) { "next ran" } }
        observed.open.withLock { $0 = true }
        try await holder.value
        #expect(try await next.value == "next ran")
        #expect(slots.inUse == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWithdrawnPartitionsWaitersEndAtOnceAndOthersKeepWaiting() async throws {
        let slots = CallSlots(limit: 1)
        let observed = Observed()
        let holder = try await Self.holdTheOnlySlot(of: slots, until: observed)
        let revoked = Task { try await slots.withSlot(for: Self.p1) { "revoked ran" } }
        let kept = Task { try await slots.withSlot(for: Self.p0) { "kept ran" } }
        try await Task.sleep(for: .milliseconds(20))
        slots.withdraw([Self.p1])
        await #expect(throws: CancellationError.self) { try await revoked.value }
        // While the revoke lasts, a new event of the partition gets no slot either, even a free one.
        await #expect(throws: CancellationError.self) { try await slots.withSlot(for: Self.p1) { "late" } }
        observed.open.withLock { $0 = true }
        try await holder.value
        #expect(try await kept.value == "kept ran")
        slots.restore([Self.p1])
        #expect(try await slots.withSlot(for: Self.p1) { "after the revoke" } == "after the revoke")
    }
}
