import Foundation
import SyncTestSupport

/// A seeded set of input events: unique events (valid and bad ones), plus duplicates of valid events (same key,
/// same value) placed after their original.
struct EventPlan {
    struct Event {
        var key: String
        var value: String
        var kind: EventKind
        /// The email of a valid event: unique per key, so a simulator contact maps back to its key.
        var email: String?
    }

    /// In production order.
    private(set) var events: [Event] = []
    /// The kind of every key.
    private(set) var kindByKey: [String: EventKind] = [:]
    /// The key of every valid event's email.
    private(set) var keyByEmail: [String: String] = [:]
    private(set) var duplicateCount = 0

    var validKeys: Set<String> { Set(kindByKey.filter { $0.value == .valid }.keys) }
    var badCount: Int { events.filter { $0.kind != .valid }.count }

    /// - Parameters:
    ///   - unique: events with distinct keys.
    ///   - badPerKind: how many of them are of each bad kind (the rest are valid).
    ///   - duplicates: valid events produced a second time, later.
    ///   - customers: the customer ids the simulator knows.
    init(runID: String, unique: Int, badPerKind: Int, duplicates: Int, customers: ClosedRange<Int>, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var kinds = Array(repeating: EventKind.valid, count: unique - badPerKind * EventKind.badKinds.count)
        for kind in EventKind.badKinds {
            kinds += Array(repeating: kind, count: badPerKind)
        }
        kinds.shuffle(using: &random)

        var originals: [Event] = []
        for (index, kind) in kinds.enumerated() {
            let key = "\(runID)-\(String(format: "%05d", index))"
            let event = Self.makeEvent(
                key: key, index: index, kind: kind, runID: runID, customers: customers, random: &random)
            originals.append(event)
            kindByKey[key] = kind
            if let email = event.email { keyByEmail[email] = key }
        }

        // Each duplicate gets a position after its original's; sorting by position gives the production order.
        var positioned = originals.enumerated().map { (position: Double($0.offset), event: $0.element) }
        let validIndices = originals.indices.filter { originals[$0].kind == .valid }.shuffled(using: &random)
        for index in validIndices.prefix(duplicates) {
            let position = Double.random(in: (Double(index) + 0.5)..<(Double(originals.count) + 0.5), using: &random)
            positioned.append((position, originals[index]))
        }
        duplicateCount = min(duplicates, validIndices.count)
        events = positioned.sorted { $0.position < $1.position }.map(\.event)
    }

    /// Appends re-sends (same key, same value, as a producer that retries or replays sends them) of `count` distinct
    /// valid events chosen with `seed`, and returns them in that order, for the caller to produce, in waves, after the
    /// originals.
    mutating func appendResends(count: Int, seed: UInt64) -> [Event] {
        var random = SeededGenerator(seed: seed)
        var firstByKey: [String: Event] = [:]
        for event in events where event.kind == .valid && firstByKey[event.key] == nil {
            firstByKey[event.key] = event
        }
        let chosen = firstByKey.keys.sorted().shuffled(using: &random).prefix(count).compactMap { firstByKey[$0] }
        events += chosen
        duplicateCount += chosen.count
        return chosen
    }

    /// Appends `count` well-formed events with distinct keys for one customer id that Komet does not know (kind
    /// `unknownCustomer`: each must be dead-lettered `komet_rejected`), and returns them.
    mutating func appendUnknownCustomerEvents(customerId: Int, count: Int, runID: String, seed: UInt64) -> [Event] {
        var random = SeededGenerator(seed: seed)
        let added = (0..<count).map { index in
            let key = "\(runID)-\(String(format: "%05d", index))"
            let event = Self.makeEvent(
                key: key, index: index, kind: .valid, runID: runID, customers: customerId...customerId,
                random: &random)
            kindByKey[key] = .unknownCustomer
            return Event(key: key, value: event.value, kind: .unknownCustomer)
        }
        events += added
        return added
    }

    private static let firstNames = ["Ana", "Luis", "Maria", "John", "Wei", "Fatima", "Olga", "Kwame", "Sofia", "Raj"]
    private static let lastNames = ["Garcia", "Smith", "Chen", "Okafor", "Novak", "Silva", "Khan", "Muller", "Rossi"]
    private static let salutations = ["", "Mr.", "Ms.", "Dr."]
    private static let titles = ["", "Purchasing", "Accounts Payable", "Owner", "Floral buyer"]

    private static func makeEvent(
        key: String, index: Int, kind: EventKind, runID: String, customers: ClosedRange<Int>,
        random: inout SeededGenerator
    ) -> Event {
        func phone(_ type: Int) -> SourceEvent.Phone {
            let extensionPart =
                Int.random(in: 0..<4, using: &random) == 0 ? " x\(Int.random(in: 10...999, using: &random))" : ""
            return SourceEvent.Phone(
                Number: "555-\(String(format: "%04d", Int.random(in: 0...9999, using: &random)))\(extensionPart)",
                PhoneNumberID: Int.random(in: 1...99_999, using: &random), Type: type)
        }

        let email = "\(runID)-\(index)@example.com".lowercased()
        var event = SourceEvent(
            Contact: SourceEvent.Contact(
                Email: email,
                FirstName: firstNames.randomElement(using: &random)!,
                LastName: lastNames.randomElement(using: &random)!,
                Salutation: salutations.randomElement(using: &random)!,
                Title: titles.randomElement(using: &random)!,
                PhoneNumbers: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    phone([1, 2, 3, 6].randomElement(using: &random)!)
                }
            ),
            CustomerID: Int64(Int.random(in: customers, using: &random)),
            IsPrimary: Bool.random(using: &random)
        )

        switch kind {
        case .valid:
            break
        case .invalidJSON:
            return Event(key: key, value: #"{"Contact":{"FirstName":"Broken","LastName":"#, kind: kind)
        case .invalidPhoneType:
            event.Contact.PhoneNumbers = [phone(1), phone(9)]
        case .tooManyPhoneNumbers:
            event.Contact.PhoneNumbers = [phone(1), phone(2), phone(3), phone(6), phone(1)]
        case .emptyName:
            event.Contact.FirstName = ""
            event.Contact.LastName = "  "
            event.Contact.Salutation = ""
        case .emailTooLong:
            let domain = "@example.com"
            event.Contact.Email = String(repeating: "a", count: 60 - domain.count) + domain
        case .missingCustomerID:
            event.CustomerID = nil
        case .unknownCustomer:
            event.CustomerID = Int64(customers.upperBound + 1_000 + index)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let value = String(decoding: try! encoder.encode(event), as: UTF8.self)
        return Event(key: key, value: value, kind: kind, email: kind == .valid ? email : nil)
    }
}

/// The CustomerContactAdd event shape (RPM's field names).
private struct SourceEvent: Encodable {
    struct Phone: Encodable {
        var Number: String
        var PhoneNumberID: Int
        var `Type`: Int
    }

    struct Contact: Encodable {
        var Email: String
        var FirstName: String
        var LastName: String
        var Salutation: String
        var Title: String
        var PhoneNumbers: [Phone]
    }

    var Contact: Contact
    var CustomerID: Int64?
    var IsPrimary: Bool
}
