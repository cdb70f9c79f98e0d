import Foundation
import Hummingbird
import KometClient

/// The JSON bodies the simulator answers with, shaped like Komet's.
enum SimulatorAnswers {
    /// `customer.contact.add` success; `status` is the integer 1, as in Komet's documentation.
    struct Added: Encodable {
        var status = 1
        var message = "Contact was successfully saved"
        var contactId: Int64
    }

    /// Any `status: 0` answer.
    struct Failed: Encodable {
        var status = 0
        var message: String
    }

    /// `customer.contact.list` success; `status` is the string "1", and ids are strings, as in Komet's examples of
    /// its GET methods.
    struct Listed: Encodable {
        var status = "1"
        var message = "Contacts retrieved"
        var contacts: [ListedContact]
    }

    /// One contact of a `customer.contact.list` answer: the contact's fields, with `id` as a string.
    typealias ListedContact = JSONObjectAddingMember<KometContact, String>

    static func listed(_ contact: KometContact) -> ListedContact {
        JSONObjectAddingMember(contact, adding: "id", String(contact.id))
    }

    /// One contact of `GET /admin/contacts`: the contact's fields (numeric id) plus its customer's id.
    typealias AdminContact = JSONObjectAddingMember<KometContact, Int64>

    static func admin(_ contact: KometContact, customerId: Int64) -> AdminContact {
        JSONObjectAddingMember(contact, adding: "customerId", customerId)
    }

    struct AdminContacts: Encodable {
        var contacts: [AdminContact]
    }

    /// `GET` and `POST /admin/types`: the registered contact types, sorted.
    struct ContactTypes: Encodable {
        var contactTypes: [String]
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func failed(_ message: String) -> Response {
        json(Failed(message: message))
    }
}
