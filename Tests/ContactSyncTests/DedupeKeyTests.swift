import KometClient
import Testing

@testable import ContactSync

@Suite("DedupeKeyStrategy")
struct DedupeKeyTests {
    let request = KometContactRequest(customerId: 6326, name: "Joe Smith", type: "Buyer", email: "joe@example.com")

    @Test("the default order is message key, CloudEvents id, request hash")
    func defaultOrder() throws {
        let strategy = DedupeKeyStrategy()
        #expect(
            try strategy.key(messageKey: Array("order-17".utf8), cloudEventID: "ev-1", request: request) == "order-17")
        #expect(try strategy.key(messageKey: nil, cloudEventID: "ev-1", request: request) == "ev-1")
        #expect(try strategy.key(messageKey: [], cloudEventID: "", request: request).hasPrefix("sha256:"))
    }

    @Test("a configured order is honoured")
    func customOrder() throws {
        let strategy = DedupeKeyStrategy(order: [.cloudEventID, .messageKey])
        #expect(try strategy.key(messageKey: Array("k".utf8), cloudEventID: "ev-1", request: request) == "ev-1")
        #expect(try strategy.key(messageKey: Array("k".utf8), cloudEventID: nil, request: request) == "k")
        let hashFirst = DedupeKeyStrategy(order: [.requestHash, .messageKey])
        #expect(
            try hashFirst.key(messageKey: Array("k".utf8), cloudEventID: nil, request: request).hasPrefix("sha256:"))
    }

    @Test("message keys that are not UTF-8 become b64:")
    func binaryMessageKey() throws {
        let key = try DedupeKeyStrategy().key(messageKey: [0xFF, 0x00, 0xFE], cloudEventID: nil, request: request)
        #expect(key == "b64:/wD+")
    }

    @Test("missing_key when no configured source yields a key")
    func missingKey() {
        expectBadEvent(.missingKey, naming: "dedupe key") {
            try DedupeKeyStrategy(order: [.messageKey, .cloudEventID]).key(
                messageKey: nil, cloudEventID: nil, request: request)
        }
        expectBadEvent(.missingKey, naming: "dedupe key") {
            try DedupeKeyStrategy(order: []).key(messageKey: Array("k".utf8), cloudEventID: "e", request: request)
        }
    }

    @Test("the request hash is a lower-case hex SHA-256 and is stable across runs")
    func hashFormat() {
        let key = DedupeKeyStrategy.requestHash(request)
        #expect(key.count == "sha256:".count + 64)
        #expect(key.dropFirst(7).allSatisfy { "0123456789abcdef".contains($0) })
        // Pinned: a change in the canonical form changes every stored key, so it must be deliberate.
        #expect(
            DedupeKeyStrategy.canonicalForm(of: request)
                == "v=1\ncustomerId=6326\nname=9:Joe Smith\ntype=5:Buyer\nphone=-\next=-\nmobile=-\nfax=-\n"
                + "email=15:joe@example.com\ndescription=-\ninstantMessaging=-\nemailPOD=-\n")
    }

    @Test("the same contact with different whitespace and email case hashes the same, through the mapper")
    func sameContactSameKey() throws {
        let mapper = ContactMapper(configuration: MappingConfiguration())
        let a = try mapper.map(Fixture.event(firstName: "Joe", lastName: "Smith", email: "joe@example.com"))
        let b = try mapper.map(Fixture.event(firstName: "  Joe ", lastName: "\tSmith  ", email: " JOE@Example.COM "))
        #expect(DedupeKeyStrategy.requestHash(a) == DedupeKeyStrategy.requestHash(b))
        var c = a
        c.name = " Joe   Smith "
        #expect(DedupeKeyStrategy.requestHash(a) == DedupeKeyStrategy.requestHash(c))
    }

    @Test(
        "a different contact hashes differently",
        arguments: [
            KometContactRequest(customerId: 6327, name: "Joe Smith", type: "Buyer", email: "joe@example.com"),
            KometContactRequest(customerId: 6326, name: "Jo Smith", type: "Buyer", email: "joe@example.com"),
            KometContactRequest(customerId: 6326, name: "Joe Smith", type: "A/P", email: "joe@example.com"),
            KometContactRequest(customerId: 6326, name: "Joe Smith", type: "Buyer", email: "joe2@example.com"),
            KometContactRequest(customerId: 6326, name: "Joe Smith", type: "Buyer", email: nil),
            KometContactRequest(
                customerId: 6326, name: "Joe Smith", type: "Buyer", phone: "1", email: "joe@example.com"),
            KometContactRequest(
                customerId: 6326, name: "Joe Smith", type: "Buyer", email: "joe@example.com", description: "x"),
            KometContactRequest(
                customerId: 6326, name: "Joe Smith", type: "Buyer", email: "joe@example.com", emailPOD: false),
        ])
    func differentContactDifferentKey(_ other: KometContactRequest) {
        #expect(DedupeKeyStrategy.requestHash(request) != DedupeKeyStrategy.requestHash(other))
    }

    @Test("values cannot imitate field separators")
    func noSeparatorCollision() {
        let a = KometContactRequest(customerId: 1, name: "A", type: "B\nphone=1:C", phone: nil)
        let b = KometContactRequest(customerId: 1, name: "A", type: "B", phone: "C")
        #expect(DedupeKeyStrategy.requestHash(a) != DedupeKeyStrategy.requestHash(b))
    }
}
