import Foundation
import Logging
import Synchronization
import Testing

@testable import ContactSync

/// A budget whose store fails the first `failures` spends, then counts in memory.
private final class FlakyBudget: CallBudget {
    private let failuresLeft: Mutex<Int>
    private let store = InMemoryStore()

    init(failures: Int) { failuresLeft = Mutex(failures) }

    struct Down: Error {}

    func spendCall(in window: BudgetWindow, limit: Int) async throws -> CallSpend {
        let fail = failuresLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if fail { throw Down() }
        return try await store.spendCall(in: window, limit: limit)
    }

    func callsUsed(windowStart: Date) async throws -> Int { try await store.callsUsed(windowStart: windowStart) }
    func pruneBudget(before cutoff: Date) async throws -> Int { 0 }
}

@Suite("Call budget at the gate")
struct CallBudgetGateTests {
    private static var logger: Logger {
        var logger = Logger(label: "budget-test")
        logger.logLevel = .critical
        return logger
    }

    private static func limiter(_ budget: any CallBudget, limit: Int, period: Duration) -> CallLimiter {
        CallLimiter(
            budget: budget, settings: CallBudgetSettings(dailyQuota: limit, schedule: BudgetSchedule(period: period)))
    }

    /// The windows from the one containing `from` to the one containing `to`.
    private static func windows(_ schedule: BudgetSchedule, from: Date, to: Date) -> [BudgetWindow] {
        var windows = [schedule.window(containing: from)]
        while let last = windows.last, last.end <= to { windows.append(schedule.window(containing: last.end)) }
        return windows
    }

    @Test("calls wait for the reset, go after it, and never as probes")
    func spentBudgetWaitsForTheReset() async throws {
        let store = InMemoryStore()
        let limiter = Self.limiter(store, limit: 3, period: .seconds(1))
        let gate = KometCallGate(limiter: limiter, logger: Self.logger)
        let started = Date()
        let passes = try await withThrowingTaskGroup(of: (KometCallGate.Pass, Date).self) { group in
            for _ in 0..<8 { group.addTask { (try await gate.enter(), Date()) } }
            var passes: [(KometCallGate.Pass, Date)] = []
            for try await pass in group { passes.append(pass) }
            return passes
        }
        let finished = Date()
        #expect(passes.allSatisfy { !$0.0.isProbe })
        let windows = Self.windows(limiter.settings.schedule, from: started, to: finished)
        var total = 0
        for window in windows {
            let used = try await store.callsUsed(windowStart: window.start)
            #expect(used <= 3, "\(used) calls in \(window)")
            total += used
        }
        #expect(total == 8)
        #expect(windows.count >= 3)
        // Passes of a later window came after that window began, i.e. after a reset.
        let first = limiter.settings.schedule.window(containing: started)
        let late = passes.filter { $0.1 >= first.end }
        #expect(late.count >= 8 - 3)
        #expect(gate.pauseReason == nil || gate.pauseReason == .quota)
    }

    @Test("the pause is .quota while the budget is spent, and ends by itself at the reset")
    func pauseReasonFollowsTheBudget() async throws {
        let store = InMemoryStore()
        // Windows of 4 s, entered with at least 2.5 s left: the pause outlasts a busy machine's scheduling delays.
        let limiter = Self.limiter(store, limit: 1, period: .seconds(4))
        let gate = KometCallGate(limiter: limiter, logger: Self.logger)
        let changes = Task { () -> [PauseReason?] in
            var seen: [PauseReason?] = []
            for await change in gate.changes {
                seen.append(change)
                if seen.count == 2 { break }
            }
            return seen
        }
        // Start early in a window, then spend its only call, so the next caller finds the budget gone.
        while limiter.currentWindow().end.timeIntervalSinceNow < 2.5 { try await Task.sleep(for: .milliseconds(10)) }
        let window = limiter.currentWindow()
        #expect(try await store.spendCall(in: window, limit: 1) == .granted(used: 1))
        let waiter = Task { try await gate.enter() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while gate.pauseReason != .quota, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(gate.pauseReason == .quota)
        let pass = try await waiter.value
        gate.finishChanges()
        #expect(!pass.isProbe)
        #expect(Date() >= window.end)
        #expect(gate.pauseReason == nil)
        #expect(await changes.value == [.quota, nil])
    }

    @Test("a store error costs no call: the caller backs off and spends again")
    func storeErrorsAreRetried() async throws {
        let budget = FlakyBudget(failures: 3)
        let limiter = Self.limiter(budget, limit: 10, period: BudgetSchedule.day)
        let gate = KometCallGate(
            settings: KometCallGate.Settings(
                outageBackoff: Backoff(baseDelay: .milliseconds(5), maxDelay: .milliseconds(20), jitter: .none)),
            limiter: limiter, logger: Self.logger)
        let pass = try await gate.enter()
        #expect(!pass.isProbe)
        #expect(try await budget.callsUsed(windowStart: limiter.currentWindow().start) == 1)
    }

    @Test("Komet's own quota answer pauses until the probe interval or the budget's reset, whichever is first")
    func kometQuotaPause() {
        let daily = KometCallGate(
            limiter: Self.limiter(InMemoryStore(), limit: 10, period: BudgetSchedule.day), logger: Self.logger)
        let short = KometCallGate(
            limiter: Self.limiter(InMemoryStore(), limit: 10, period: .seconds(2)), logger: Self.logger)
        let none = KometCallGate(logger: Self.logger)
        let daylong = daily.quotaPause(probeInterval: .seconds(600))
        #expect(daylong > .zero && daylong <= .seconds(600))
        #expect(short.quotaPause(probeInterval: .seconds(600)) <= .seconds(2))
        #expect(short.quotaPause(probeInterval: .milliseconds(100)) <= .milliseconds(100))
        #expect(none.quotaPause(probeInterval: .seconds(600)) == .seconds(600))
    }

    @Test("processors sharing one store never call past the budget, and every event is created after the resets")
    func processorsShareTheBudget() async throws {
        let store = InMemoryStore()
        let komet = FakeKomet()
        let limit = 3
        let harnesses = (0..<2).map { _ in
            PipelineHarness(komet: komet, store: store, limiter: Self.limiter(store, limit: limit, period: .seconds(1)))
        }
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, harness) in harnesses.enumerated() {
                let messages = (0..<4).map { offset in
                    PipelineHarness.message(
                        partition: Int32(index), offset: Int64(offset), key: "k\(index)-\(offset)",
                        value: PipelineHarness.event(name: "N\(index)x\(offset)"))
                }
                group.addTask {
                    try await harness.run(messages, partitions: [Int32(index)], timeout: .seconds(20))
                }
            }
            try await group.waitForAll()
        }
        let finished = Date()
        let outcomes = harnesses.flatMap { $0.sink.records }
        #expect(outcomes.count == 8)
        #expect(outcomes.allSatisfy { $0.topic == "contacts.komet.succeeded" })
        #expect(komet.addCalls == 8)
        let schedule = BudgetSchedule(period: .seconds(1))
        var spent = 0
        for window in Self.windows(schedule, from: started, to: finished) {
            let used = try await store.callsUsed(windowStart: window.start)
            #expect(used <= limit)
            spent += used
        }
        #expect(spent == komet.addCalls + komet.listCalls)
    }
}
