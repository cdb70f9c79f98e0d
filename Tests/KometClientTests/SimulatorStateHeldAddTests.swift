import Foundation
import Testing

@testable import KometSimulator

@Suite("SimulatorState: fault draws and held adds, without I/O")
struct SimulatorStateHeldAddTests {
    private let day: Int64 = 20_000

    private func makeState(seed: UInt64 = 7, faults: KometFaults = .none) -> SimulatorState {
        var state = SimulatorState(
            configuration: KometSimulatorConfiguration(token: testToken, customers: 1...100, seed: seed), day: day)
        state.faults = faults.normalized
        return state
    }

    private func body(name: String = "Joe Smith", token: String = testToken) throws -> AddContactBody {
        let object: [String: Any] = ["authenticationToken": token, "customerId": 17, "name": name, "type": "Buyer"]
        return try JSONDecoder().decode(AddContactBody.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test("with the new rates at 0 a seed draws the fault sequence it drew before late answers and spikes existed")
    func ratesZeroKeepTheSequence() {
        // Drawn by the fault chain as it was before the late fault and spikes (seed 7, four rates of 0.2).
        let before: [SimulatedFault] = [
            .throttle(retryAfterSeconds: 1), .throttle(retryAfterSeconds: 1), .ambiguous, .none, .ambiguous, .none,
            .throttle(retryAfterSeconds: 1), .none, .none, .serverError, .serverError, .none, .serverError,
            .timeout(sleepMs: 30_000), .timeout(sleepMs: 30_000), .none, .timeout(sleepMs: 30_000),
            .throttle(retryAfterSeconds: 1), .none, .none, .timeout(sleepMs: 30_000), .timeout(sleepMs: 30_000),
            .timeout(sleepMs: 30_000), .none,
        ]
        let faults = KometFaults(
            serverErrorRate: 0.2, throttleRate: 0.2, timeoutRate: 0.2, ambiguousRate: 0.2,
            lateRate: 0, lateDelayMs: 1, spikeRate: 0, spikeMinMs: 1, spikeMaxMs: 2)
        var state = makeState(faults: faults)
        let drawn = before.indices.map { index in state.beginCall(index.isMultiple(of: 2) ? .add : .list) }
        #expect(drawn == before)
        #expect(state.stats.late == 0 && state.stats.spikes == 0)
    }

    @Test("the late fault applies to adds only, and its share is skipped for lists")
    func lateIsForAdds() {
        var state = makeState(faults: KometFaults(lateRate: 1, lateDelayMs: 2_500))
        let add = state.beginCall(.add)
        let list = state.beginCall(.list)
        #expect(add == .late(delayMs: 2_500))
        #expect(list == SimulatedFault.none)
        #expect(state.stats.late == 1)
        #expect(SimulatedFault.late(delayMs: 2_500).holdMs == 2_500)
        #expect(SimulatedFault.ambiguous.holdMs == nil)
    }

    @Test("spike delays are drawn from the range, the same for the same seed")
    func spikeDelaysSeeded() {
        func delays(seed: UInt64) -> [Int] {
            var state = makeState(seed: seed, faults: KometFaults(spikeRate: 0.5, spikeMinMs: 3_500, spikeMaxMs: 4_500))
            return (0..<40).compactMap { _ in
                if case .spike(let delayMs) = state.beginCall(.list) { delayMs } else { nil }
            }
        }
        let first = delays(seed: 11)
        #expect(first == delays(seed: 11))
        #expect(first.count > 5 && first.count < 35)
        #expect(first.allSatisfy { (3_500...4_500).contains($0) })
        #expect(Set(first).count > 1)
    }

    @Test("a held add lands at its due time, not before, and its waiting handler gets the outcome")
    func heldAddLandsWhenDue() throws {
        var state = makeState()
        let start = ContinuousClock.now
        let ticket = state.hold(try body(), until: start + .seconds(1))
        #expect(state.stats.heldAdds == 1)

        state.settle(now: start + .milliseconds(999), day: day)
        #expect(state.contacts.isEmpty)
        let notYet = state.takeHeldOutcome(ticket: ticket)
        #expect(notYet == nil)
        #expect(state.stats.quotaUsed == 0)

        state.settle(now: start + .seconds(1), day: day)
        #expect(state.contacts[17]?.map(\.name) == ["Joe Smith"])
        #expect(state.stats.heldAdds == 0 && state.stats.contacts == 1 && state.stats.created == 1)
        #expect(state.stats.quotaUsed == 1)
        let answered = state.takeHeldOutcome(ticket: ticket)
        #expect(answered == .created(contactId: 1001))
        let takenTwice = state.takeHeldOutcome(ticket: ticket)
        #expect(takenTwice == nil)
    }

    @Test("an abandoned held add still lands, unanswered")
    func abandonedHeldAddLands() throws {
        var state = makeState()
        let start = ContinuousClock.now
        let ticket = state.hold(try body(), until: start + .seconds(1))
        state.abandon(ticket: ticket)
        state.settle(now: start + .seconds(2), day: day)
        #expect(state.contacts[17]?.count == 1)
        #expect(state.stats.contacts == 1 && state.stats.created == 0 && state.stats.heldAdds == 0)
        let unanswered = state.takeHeldOutcome(ticket: ticket)
        #expect(unanswered == nil)
    }

    @Test("held adds land in the order of their due times, checked as calls arriving then")
    func heldAddsInDueOrder() throws {
        var state = makeState()
        let start = ContinuousClock.now
        let later = state.hold(try body(name: "Later"), until: start + .seconds(2))
        let sooner = state.hold(try body(name: "Sooner"), until: start + .seconds(1))
        let badToken = state.hold(try body(name: "Refused", token: "tok-WRONG"), until: start + .milliseconds(1_500))
        state.settle(now: start + .seconds(3), day: day)
        #expect(state.contacts[17]?.map(\.name) == ["Sooner", "Later"])
        let soonerOutcome = state.takeHeldOutcome(ticket: sooner)
        #expect(soonerOutcome == .created(contactId: 1001))
        let laterOutcome = state.takeHeldOutcome(ticket: later)
        #expect(laterOutcome == .created(contactId: 1002))
        let refused = state.takeHeldOutcome(ticket: badToken)
        #expect(refused == .failed(message: SimulatorState.invalidTokenMessage))
        #expect(state.stats.authFailures == 1 && state.stats.quotaUsed == 2)
    }

    @Test("a reset drops the held adds")
    func resetDropsHeldAdds() throws {
        var state = makeState()
        let start = ContinuousClock.now
        let ticket = state.hold(try body(), until: start + .seconds(1))
        state.reset()
        #expect(state.stats.heldAdds == 0)
        state.settle(now: start + .seconds(2), day: day)
        #expect(state.contacts.isEmpty)
        let dropped = state.takeHeldOutcome(ticket: ticket)
        #expect(dropped == nil)
    }
}
