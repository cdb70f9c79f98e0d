import ContactSync
import Foundation
import Kafka
import Testing

/// Builders shared by the core test suites.
enum Fixture {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A valid bare payload with the given contact JSON members.
    static func payload(contact: String = #""FirstName": "Joe", "LastName": "Smith""#, extra: String = "") -> String {
        #"{"Contact": {\#(contact)}, "CustomerID": 6326\#(extra)}"#
    }

    static func event(
        firstName: String? = "Joe",
        lastName: String? = "Smith",
        salutation: String? = nil,
        title: String? = nil,
        email: String? = nil,
        phones: [SourcePhoneNumber] = [],
        customerID: Int64 = 6326,
        isPrimary: Bool? = nil
    ) -> CustomerContactAdd {
        CustomerContactAdd(
            contact: SourceContact(
                email: email, firstName: firstName, lastName: lastName, salutation: salutation, title: title,
                phoneNumbers: phones),
            customerID: customerID,
            isPrimary: isPrimary)
    }

    static func phone(_ number: String?, _ type: Int) -> SourcePhoneNumber {
        SourcePhoneNumber(number: number, phoneNumberID: nil, type: type)
    }
}

/// Runs `body` and checks that it threw a ``BadEvent`` with `reason` whose detail contains `field`.
func expectBadEvent<T>(
    _ reason: DeadLetterReason,
    naming field: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    do {
        let value = try body()
        Issue.record("expected \(reason.rawValue), got \(value)", sourceLocation: sourceLocation)
    } catch let error as BadEvent {
        #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation)
        #expect(
            error.detail.contains(field), "detail \"\(error.detail)\" should name \(field)",
            sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a BadEvent, got \(error)", sourceLocation: sourceLocation)
    }
}
