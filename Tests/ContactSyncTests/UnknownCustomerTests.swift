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

    @Test func theMemoryCanBeTurnedOffAndOtherRefusalsAreNotRemembered() {
        let off = UnknownCustomers(settings: UnknownCustomerSettings(memory: .zero))
        off.noteRefusal(of: 1, message: "Customer not found")
        #expect(off.refusal(of: 1) == nil)
        let on = UnknownCustomers(settings: UnknownCustomerSettings(memory: .seconds(60), patterns: ["CUSTOMER NOT"]))
        on.noteRefusal(of: 2, message: "Contact type is not registered")
        #expect(on.refusal(of: 2) == nil)
        on.noteRefusal(of: 3, message: "Customer not found")
        #expect(on.refusal(of: 3) == "Customer not found")
        let brief = UnknownCustomers(settings: UnknownCustomerSettings(memory: .milliseconds(1)))
        brief.noteRefusal(of: 4, message: "customer not found")
        Thread.sleep(forTimeInterval: 0.01)
        #expect(brief.refusal(of: 4) == nil)
    }
}
