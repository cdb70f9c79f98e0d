import Foundation
import KometClient
import Testing

@testable import ContactSync

/// Komet's "customer not found" is remembered: later events for that customer cost no call.
@Suite struct UnknownCustomerTests {
    typealias H = PipelineHarness

    static func notFoundForCustomer999() -> FakeKomet {
        FakeKomet { request, _ in
            request.customerId == 999
                ? .failure(
                    KometError(failureClass: .rejected, code: .rejected, httpStatus: 200, message: "Customer not found")
                )
                : .success(())
        }
    }

    @Test func repeatedEventsForAnUnknownCustomerCostOneCallInAll() async throws {
        let komet = Self.notFoundForCustomer999()
        let harness = H(komet: komet, maxInFlight: 1)
        let unknown = (0..<5).map {
            H.message(offset: $0, key: "u\($0)", value: H.event(name: "U\($0)", customer: 999))
        }
        let known = H.message(offset: 5, key: "k", value: H.event(name: "Known", customer: 7))
        try await harness.run(unknown + [known])
        #expect(komet.addCalls == 2)  // one for customer 999, one for customer 7
        let reasons = harness.sink.records.compactMap { $0.header("komet-sync.reason") }
        #expect(reasons == Array(repeating: "komet_rejected", count: 5))
        let details = harness.sink.records.compactMap { $0.header("komet-sync.detail") }
        #expect(details.dropFirst().allSatisfy { $0.contains("no call made") }, "\(details)")
        for offset in 0..<5 { #expect(try await harness.store.entry(key: "u\(offset)") == nil) }
    }

    @Test func theMemoryCanBeTurnedOffAndOtherRefusalsAreNotRemembered() async throws {
        let off = UnknownCustomers(settings: UnknownCustomerSettings(memory: .zero))
        await off.noteRefusal(of: 1, message: "Customer not found")
        #expect(await off.refusal(of: 1) == nil)
        let on = UnknownCustomers(settings: UnknownCustomerSettings(memory: .seconds(60), patterns: ["CUSTOMER NOT"]))
        await on.noteRefusal(of: 2, message: "Contact type is not registered")
        #expect(await on.refusal(of: 2) == nil)
        await on.noteRefusal(of: 3, message: "Customer not found")
        #expect(await on.refusal(of: 3) == "Customer not found")
        let brief = UnknownCustomers(settings: UnknownCustomerSettings(memory: .milliseconds(1)))
        await brief.noteRefusal(of: 4, message: "customer not found")
        try await Task.sleep(for: .milliseconds(10))
        #expect(await brief.refusal(of: 4) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func aRefusalOneReplicaLearntReachesTheOthersThroughTheStore(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let settings = UnknownCustomerSettings(memory: .seconds(60))
            let learner = UnknownCustomers(settings: settings, store: store)
            let other = UnknownCustomers(settings: settings, store: store)
            #expect(await other.refusal(of: 999) == nil)
            await learner.noteRefusal(of: 999, message: "Customer not found")
            // `other` asked the store a moment ago; it asks again once the recheck interval has passed, but a
            // replica that never asked sees the refusal at once.
            let fresh = UnknownCustomers(settings: settings, store: store)
            #expect(await fresh.refusal(of: 999) == "Customer not found")
            #expect(await fresh.refusal(of: 7) == nil)
            #expect(try await store.refusal(customerId: 999, now: Date()) == "Customer not found")
            #expect(try await store.refusal(customerId: 999, now: Date().addingTimeInterval(120)) == nil)
            #expect(try await store.pruneRefusals(before: Date().addingTimeInterval(120)) == 1)
            #expect(try await store.refusal(customerId: 999, now: Date()) == nil)
        }
    }
}
