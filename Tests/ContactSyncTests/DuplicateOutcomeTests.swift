import Foundation
import KometClient
import Testing

@testable import ContactSync

/// A `duplicate` names the key's first contact: its id and its customer (not the duplicate event's), when it was
/// recorded, and whether the duplicate's request differs from the one that created it (issue 10: a key reused by
/// customer 5000's event was answered naming customer 5000 with contact 1120, which belongs to customer 136).
@Suite("duplicate outcomes name the first contact")
struct DuplicateOutcomeTests {
    typealias H = PipelineHarness

    /// The success records of a run, by input offset.
    private func successes(_ harness: H) throws -> [Int64: SuccessRecord] {
        var byOffset: [Int64: SuccessRecord] = [:]
        for record in harness.sink.records where record.topic == "contacts.komet.succeeded" {
            let success = try SuccessRecord.decoded(from: record.value ?? [])
            byOffset[success.source.offset] = success
        }
        return byOffset
    }

    /// `first` with its time as the stores give it back (whole milliseconds, ``StoreTime``): the record's text
    /// `createdAt` parses to the same millisecond, not always to the same `Double`.
    private func wholeMilliseconds(_ first: DuplicateOf?) -> DuplicateOf? {
        first.map { first in
            var first = first
            first.createdAt = StoreTime.truncate(first.createdAt)
            return first
        }
    }

    @Test(
        "a key reused by another customer: the duplicate names customer 136's contact, request differs; a resend does not",
        arguments: StoreFactory.all)
    func reusedKeyByAnotherCustomer(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let harness = H(store: store)
            let ada = H.event(name: "Ada", customer: 136)
            try await harness.run([
                H.message(offset: 0, key: "k", value: ada),
                // The same event sent again (a producer retry): nothing differs.
                H.message(offset: 1, key: "k", value: ada),
                // Another customer's event that reuses the key.
                H.message(offset: 2, key: "k", value: H.event(name: "Grace", customer: 5000)),
                // The first customer, another contact.
                H.message(offset: 3, key: "k", value: H.event(name: "Ada", customer: 136, extra: "Buyer")),
            ])
            #expect(harness.komet.addCalls == 1)
            let records = try successes(harness)
            let created = try #require(records[0])
            #expect(created.status == .created)
            #expect(created.duplicateOf == nil)
            #expect(created.komet.customerId == 136)
            let contactId = created.komet.contactId
            let entry = try #require(try await store.entry(key: "k"))
            guard case .done(let first, let createdAt) = entry.state else {
                Issue.record("k is not done: \(entry)")
                return
            }
            #expect(first == CreatedContact(contactId: contactId, createdBy: created.request))

            let resent = try #require(records[1])
            #expect(resent.status == .duplicate)
            #expect(resent.komet.customerId == 136 && resent.komet.contactId == contactId)
            #expect(
                wholeMilliseconds(resent.duplicateOf)
                    == DuplicateOf(customerId: 136, contactId: contactId, createdAt: createdAt, requestDiffers: false))

            let reused = try #require(records[2])
            #expect(reused.status == .duplicate)
            #expect(reused.komet.customerId == 136, "komet.customerId must be the first contact's customer")
            #expect(reused.komet.contactId == contactId)
            #expect(reused.request.customerId == 5000, "the request stays the duplicate event's own")
            #expect(
                wholeMilliseconds(reused.duplicateOf)
                    == DuplicateOf(customerId: 136, contactId: contactId, createdAt: createdAt, requestDiffers: true))

            let otherContact = try #require(records[3])
            #expect(otherContact.duplicateOf?.requestDiffers == true)
            #expect(otherContact.duplicateOf?.customerId == 136)

            // The JSON consumers read.
            let text = String(
                decoding: try #require(
                    harness.sink.records.first { record in
                        (try? SuccessRecord.decoded(from: record.value ?? []))?.source.offset == 2
                    }?.value), as: UTF8.self)
            #expect(text.contains(#""komet":{"contactId":\#(contactId),"customerId":136,"#), "\(text)")
            #expect(text.contains(#""customerId":136,"requestDiffers":true}"#), "\(text)")
        }
    }

    @Test(
        "a key done before the stores kept its first contact: customer and requestDiffers unknown, left out",
        arguments: StoreFactory.all)
    func legacyRow(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let recordedAt = Date(timeIntervalSince1970: 1_764_583_200)
            try await store.markDone(
                key: "old", contact: CreatedContact(contactId: 1_120, customerId: nil, requestDigest: nil),
                now: recordedAt)
            let harness = H(store: store)
            try await harness.run([H.message(offset: 0, key: "old", value: H.event(name: "Grace", customer: 5000))])
            #expect(harness.komet.addCalls == 0)
            let duplicate = try #require(try successes(harness)[0])
            #expect(duplicate.status == .duplicate)
            #expect(duplicate.komet.contactId == 1_120)
            #expect(duplicate.komet.customerId == 5000)
            #expect(
                wholeMilliseconds(duplicate.duplicateOf)
                    == DuplicateOf(customerId: nil, contactId: 1_120, createdAt: recordedAt, requestDiffers: nil))
            let text = String(decoding: try #require(harness.sink.records.first?.value), as: UTF8.self)
            #expect(
                text.contains(#""duplicateOf":{"contactId":1120,"createdAt":"2025-12-01T10:00:00.000Z"},"#), "\(text)")
        }
    }

    @Test("the request digest: SHA-256 of the canonical request JSON, stable, without the token, field by field")
    func digest() throws {
        let request = KometContactRequest(
            customerId: 6326, name: "Joe Smith", type: "Buyer", phone: "594-123-0982", ext: "345",
            email: "contact@mydomain.com", emailPOD: false)
        let canonical = String(decoding: RequestDigest.canonicalJSON(of: request), as: UTF8.self)
        #expect(
            canonical
                == #"{"customerId":6326,"email":"contact@mydomain.com","emailPOD":false,"ext":"345","name":"Joe Smith","#
                + #""phone":"594-123-0982","type":"Buyer"}"#)
        // `printf '%s' "$canonical" | sha256sum`
        #expect(
            RequestDigest(of: request).hex == "c6809f5f31e26048fbed4b4a07983630f2a4c6e0dc0f96395fd86ff67c87f463")
        #expect(RequestDigest(hex: RequestDigest(of: request).hex) == RequestDigest(of: request))
        #expect(RequestDigest(hex: "sha256:abc") == nil)
        #expect(RequestDigest(hex: String(repeating: "A", count: 64)) == nil)
        var changed = request
        for change in [
            { (r: inout KometContactRequest) in r.customerId = 136 }, { $0.name = "Joe  Smith" },
            { $0.email = "Contact@mydomain.com" }, { $0.emailPOD = nil }, { $0.description = "" },
        ] {
            changed = request
            change(&changed)
            #expect(RequestDigest(of: changed) != RequestDigest(of: request), "\(changed)")
        }
        #expect(!canonical.contains("authenticationToken"))
        #expect(RequestDigest(of: request.decodedAgain()) == RequestDigest(of: request))
    }
}

extension KometContactRequest {
    /// The request after a trip through its JSON (as a rebuild reads it from a success record).
    fileprivate func decodedAgain() -> KometContactRequest {
        (try? JSONDecoder().decode(KometContactRequest.self, from: Data(RequestDigest.canonicalJSON(of: self)))) ?? self
    }
}
