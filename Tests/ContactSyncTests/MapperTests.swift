import Foundation
import KometClient
import Testing

@testable import ContactSync

@Suite("ContactMapper")
struct MapperTests {
    let mapper = ContactMapper(configuration: MappingConfiguration())

    func map(_ event: CustomerContactAdd, _ configure: (inout MappingConfiguration) -> Void = { _ in }) throws(BadEvent)
        -> KometContactRequest
    {
        var configuration = MappingConfiguration()
        configure(&configuration)
        return try ContactMapper(configuration: configuration).map(event)
    }

    // MARK: one test per row of DESIGN.md's mapping table

    @Test("row customerId: identity by default, through the map when set")
    func customerId() throws {
        #expect(try map(Fixture.event(customerID: 6326)).customerId == 6326)
        #expect(try map(Fixture.event(customerID: 6326)) { $0.customerIDMap = [6326: 42] }.customerId == 42)
    }

    @Test("row name: Salutation FirstName LastName, trimmed, single spaces")
    func name() throws {
        let event = Fixture.event(firstName: "  Joe\t\n", lastName: " van   der  Berg ", salutation: " Mr. ")
        #expect(try map(event).name == "Mr. Joe van der Berg")
        #expect(try map(Fixture.event(firstName: nil, lastName: "Smith")).name == "Smith")
        #expect(try map(Fixture.event(firstName: "Ann", lastName: "")).name == "Ann")
    }

    @Test("row type: default, optional map from Title (case-insensitive), must be registered")
    func type() throws {
        #expect(try map(Fixture.event()).type == "Buyer")
        let configure: (inout MappingConfiguration) -> Void = { $0.contactTypeByTitle = ["Accounts Payable": "A/P"] }
        #expect(try map(Fixture.event(title: "  accounts PAYABLE "), configure).type == "A/P")
        #expect(try map(Fixture.event(title: "CEO"), configure).type == "Buyer")
    }

    @Test("row phone/ext: first Business number, extension split off")
    func phoneAndExt() throws {
        let request = try map(
            Fixture.event(phones: [
                Fixture.phone("305-555-0000", 2), Fixture.phone("594-123-0982 ext. 345", 1),
                Fixture.phone("594-999-9999", 1),
            ]))
        #expect(request.phone == "594-123-0982")
        #expect(request.ext == "345")
        #expect(request.description == "Business: 594-999-9999")
    }

    @Test(
        "extension forms",
        arguments: [
            ("555-1234 x123", "555-1234", "123"), ("555-1234x123", "555-1234", "123"),
            ("555-1234 X 123", "555-1234", "123"), ("555-1234 ext 123", "555-1234", "123"),
            ("555-1234 ext. 123", "555-1234", "123"), ("555-1234 EXT.123", "555-1234", "123"),
            ("555-1234ext123", "555-1234", "123"), ("555-1234 extension 123", "555-1234", "123"),
            ("555-1234, Extension 9", "555-1234", "9"), ("+1 (555) 123-4567 x 89", "+1 (555) 123-4567", "89"),
            ("555-1234", "555-1234", nil), ("555 1234", "555 1234", nil), ("ext 123", "ext 123", nil),
            ("fax123", "fax123", nil),
        ] as [(String, String, String?)])
    func extensionForms(_ input: String, _ phone: String, _ ext: String?) throws {
        let request = try map(Fixture.event(phones: [Fixture.phone(input, 1)]))
        #expect(request.phone == phone)
        #expect(request.ext == ext)
    }

    @Test("row mobile: first Home, else first Other; extensions stay in non-Business numbers")
    func mobile() throws {
        let both = try map(
            Fixture.event(phones: [Fixture.phone("666-1", 6), Fixture.phone("222-1", 2), Fixture.phone("222-2", 2)]))
        #expect(both.mobile == "222-1")
        #expect(both.description == "Other: 666-1; Home: 222-2")
        let otherOnly = try map(Fixture.event(phones: [Fixture.phone("666-1 x5", 6)]))
        #expect(otherOnly.mobile == "666-1 x5")
        #expect(otherOnly.phone == nil)
        #expect(otherOnly.ext == nil)
    }

    @Test("row fax: first Fax number")
    func fax() throws {
        let request = try map(Fixture.event(phones: [Fixture.phone("333-1", 3), Fixture.phone("333-2", 3)]))
        #expect(request.fax == "333-1")
        #expect(request.description == "Fax: 333-2")
    }

    @Test("row email: trimmed, syntax checked, empty is none")
    func email() throws {
        #expect(try map(Fixture.event(email: "  Joe.Smith@Example.com ")).email == "Joe.Smith@Example.com")
        #expect(try map(Fixture.event(email: "   ")).email == nil)
        #expect(try map(Fixture.event(email: nil)).email == nil)
        let fifty = String(repeating: "a", count: 38) + "@example.com"
        #expect(fifty.count == 50)
        #expect(try map(Fixture.event(email: fifty)).email == fifty)
    }

    @Test("row description: Title, numbers without a field, primary contact, joined with '; '")
    func description() throws {
        let request = try map(
            Fixture.event(
                title: " Head of Purchasing ",
                phones: [Fixture.phone("111", 1), Fixture.phone("112", 1), Fixture.phone("none", 2)],
                isPrimary: true))
        #expect(request.description == "Head of Purchasing; Business: 112; primary contact")
        #expect(try map(Fixture.event()).description == nil)
        #expect(try map(Fixture.event(isPrimary: false)).description == nil)
        #expect(try map(Fixture.event(isPrimary: true)) { $0.descriptionPrimaryText = "main" }.description == "main")
    }

    @Test("row description: truncated to exactly 200 characters with an ellipsis")
    func descriptionTruncation() throws {
        let title = String(repeating: "é", count: 150)
        let request = try map(
            Fixture.event(
                title: title, phones: [Fixture.phone("1", 1), Fixture.phone(String(repeating: "9", count: 80), 1)]))
        let description = try #require(request.description)
        #expect(description.count == 200)
        #expect(description.hasSuffix("…"))
        #expect(description.hasPrefix(title + "; Business: 999"))
        // Exactly 200 is not cut.
        let exact = try map(Fixture.event(title: String(repeating: "t", count: 200)))
        #expect(exact.description == String(repeating: "t", count: 200))
        let over = try map(Fixture.event(title: String(repeating: "t", count: 201)))
        #expect(over.description == String(repeating: "t", count: 199) + "…")
    }

    @Test("row emailPOD: only when configured; IsPrimary ?? false")
    func emailPOD() throws {
        #expect(try map(Fixture.event(isPrimary: true)).emailPOD == nil)
        #expect(try map(Fixture.event(isPrimary: true)) { $0.sendEmailPOD = true }.emailPOD == true)
        #expect(try map(Fixture.event(isPrimary: nil)) { $0.sendEmailPOD = true }.emailPOD == false)
        #expect(try map(Fixture.event(isPrimary: false)) { $0.sendEmailPOD = true }.emailPOD == false)
    }

    @Test("row authenticationToken: the request type has no token, and its JSON holds none")
    func noToken() throws {
        let data = try JSONEncoder().encode(try map(Fixture.event()))
        #expect(!String(decoding: data, as: UTF8.self).contains("authenticationToken"))
    }

    @Test("empty, blank and 'none' numbers are no number; they still count toward 4")
    func absentNumbers() throws {
        let request = try map(
            Fixture.event(phones: [
                Fixture.phone("", 1), Fixture.phone("   ", 1), Fixture.phone(" none", 2), Fixture.phone("NONE", 6),
            ]))
        #expect(request.phone == nil && request.mobile == nil && request.fax == nil && request.description == nil)
        expectBadEvent(.tooManyPhoneNumbers, naming: "Contact.PhoneNumbers") {
            try map(Fixture.event(phones: Array(repeating: Fixture.phone(nil, 1), count: 5)))
        }
    }

    @Test("a full example maps like Komet's documented request")
    func fullExample() throws {
        let request = try map(
            Fixture.event(
                firstName: "Joe", lastName: "Smith", title: "nothing special", email: "contact@mydomain.com",
                phones: [
                    Fixture.phone("594-123-0982 x345", 1), Fixture.phone("305-0112-0982", 2),
                    Fixture.phone("594-123-0112", 3),
                ]))
        #expect(
            request
                == KometContactRequest(
                    customerId: 6326, name: "Joe Smith", type: "Buyer", phone: "594-123-0982", ext: "345",
                    mobile: "305-0112-0982", fax: "594-123-0112", email: "contact@mydomain.com",
                    description: "nothing special"))
    }

    // MARK: one test per mapping reason code

    @Test("unknown_customer")
    func unknownCustomer() {
        expectBadEvent(.unknownCustomer, naming: "CustomerID") {
            try map(Fixture.event(customerID: 7)) { $0.customerIDMap = [6326: 42] }
        }
    }

    @Test("empty_name", arguments: [(String?.none, String?.none, String?.none), ("  ", "\t", "\n"), ("", nil, " ")])
    func emptyName(_ first: String?, _ last: String?, _ salutation: String?) {
        expectBadEvent(.emptyName, naming: "name") {
            try map(Fixture.event(firstName: first, lastName: last, salutation: salutation))
        }
    }

    @Test("name_too_long: 200 passes, 201 fails (counted in characters)")
    func nameTooLong() throws {
        let first = String(repeating: "ü", count: 100)
        #expect(try map(Fixture.event(firstName: first, lastName: String(repeating: "x", count: 99))).name.count == 200)
        expectBadEvent(.nameTooLong, naming: "name") {
            try map(Fixture.event(firstName: first, lastName: String(repeating: "x", count: 100)))
        }
    }

    @Test("type_too_long")
    func typeTooLong() {
        let long = String(repeating: "T", count: 201)
        expectBadEvent(.typeTooLong, naming: "type") {
            try map(Fixture.event()) {
                $0.defaultContactType = long
                $0.registeredContactTypes.insert(long)
            }
        }
    }

    @Test("unregistered_contact_type: default and mapped")
    func unregisteredContactType() {
        expectBadEvent(.unregisteredContactType, naming: "type") {
            try map(Fixture.event()) { $0.defaultContactType = "Owner" }
        }
        expectBadEvent(.unregisteredContactType, naming: "Contact.Title") {
            try map(Fixture.event(title: "boss")) { $0.contactTypeByTitle = ["Boss": "Owner"] }
        }
    }

    @Test("invalid_phone_type, even for an empty number", arguments: [0, 4, 5, 7, 9, -1])
    func invalidPhoneType(_ type: Int) {
        expectBadEvent(.invalidPhoneType, naming: "Contact.PhoneNumbers[2].Type: unrecognized phone type \(type)") {
            try map(
                Fixture.event(phones: [Fixture.phone("1", 1), Fixture.phone("2", 2), Fixture.phone(" none", type)]))
        }
    }

    @Test("too_many_phone_numbers")
    func tooManyPhoneNumbers() throws {
        let four = (1...4).map { Fixture.phone("55\($0)", 1) }
        #expect(try map(Fixture.event(phones: four)).phone == "551")
        expectBadEvent(.tooManyPhoneNumbers, naming: "Contact.PhoneNumbers") {
            try map(Fixture.event(phones: four + [Fixture.phone("556", 2)]))
        }
    }

    @Test("phone_too_long")
    func phoneTooLong() throws {
        #expect(
            try map(Fixture.event(phones: [Fixture.phone(String(repeating: "1", count: 200), 1)])).phone?.count == 200)
        expectBadEvent(.phoneTooLong, naming: "Contact.PhoneNumbers[0].Number") {
            try map(Fixture.event(phones: [Fixture.phone(String(repeating: "1", count: 201), 1)]))
        }
    }

    @Test("ext_too_long")
    func extTooLong() throws {
        #expect(
            try map(Fixture.event(phones: [Fixture.phone("555 x" + String(repeating: "1", count: 50), 1)])).ext?.count
                == 50)
        expectBadEvent(.extTooLong, naming: "Contact.PhoneNumbers[1].Number") {
            try map(
                Fixture.event(phones: [
                    Fixture.phone("7", 2), Fixture.phone("555 x" + String(repeating: "1", count: 51), 1),
                ]))
        }
    }

    @Test("mobile_too_long")
    func mobileTooLong() throws {
        #expect(
            try map(Fixture.event(phones: [Fixture.phone(String(repeating: "2", count: 50), 2)])).mobile?.count == 50)
        expectBadEvent(.mobileTooLong, naming: "Contact.PhoneNumbers[0].Number") {
            try map(Fixture.event(phones: [Fixture.phone(String(repeating: "2", count: 51), 6)]))
        }
    }

    @Test("fax_too_long")
    func faxTooLong() throws {
        #expect(try map(Fixture.event(phones: [Fixture.phone(String(repeating: "3", count: 50), 3)])).fax?.count == 50)
        expectBadEvent(.faxTooLong, naming: "Contact.PhoneNumbers[0].Number") {
            try map(Fixture.event(phones: [Fixture.phone(String(repeating: "3", count: 51), 3)]))
        }
    }

    @Test(
        "invalid_email",
        arguments: [
            "joe", "joe@", "@example.com", "joe@example", "joe@@example.com", "a@b@example.com", "jo e@example.com",
            "joe@.example.com", "joe@example.com.", "joe@example..com",
        ])
    func invalidEmail(_ address: String) {
        expectBadEvent(.invalidEmail, naming: "Contact.Email") { try map(Fixture.event(email: address)) }
    }

    @Test("invalid_email details do not echo the address")
    func invalidEmailNoPersonalData() {
        do {
            _ = try map(Fixture.event(email: "secret.person@nowhere"))
            Issue.record("expected a bad event")
        } catch {
            #expect(!error.detail.contains("secret.person"))
        }
    }

    @Test("email_too_long: never truncated")
    func emailTooLong() {
        let address = String(repeating: "a", count: 39) + "@example.com"
        #expect(address.count == 51)
        expectBadEvent(.emailTooLong, naming: "Contact.Email") { try map(Fixture.event(email: address)) }
    }

    @Test("request_too_large: a name of 200 characters can still exceed 64 KB")
    func requestTooLarge() {
        // One character with 2,000 combining marks: each mark is 2 UTF-8 bytes, so 10 such characters are ~40 KB
        // in the name and in the description's title: over 64 KB while every field is within its character limit.
        let heavy = "a" + String(repeating: "\u{0301}", count: 2_000)
        #expect(heavy.count == 1)
        let name = String(repeating: heavy, count: 10)
        expectBadEvent(.requestTooLarge, naming: "request") {
            try map(Fixture.event(firstName: name, lastName: nil, title: name))
        }
        // Half of it fits.
        #expect(throws: Never.self) {
            try map(Fixture.event(firstName: String(repeating: heavy, count: 5), lastName: nil))
        }
    }
}
