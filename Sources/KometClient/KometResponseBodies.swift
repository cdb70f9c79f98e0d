/// `status` and `message`, common to every Komet answer.
struct KometStatusEnvelope: Decodable {
    var status: KometResponseStatus
    var message: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        status = try container.decode(KometResponseStatus.self, forKey: .status)
        // The message is free text; a missing or odd one must not hide the status.
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    private enum Keys: String, CodingKey {
        case status, message
    }
}

/// The `contactId` of a successful `customer.contact.add` answer (a number, or a string of digits).
struct KometAddResponseBody: Decodable {
    var contactId: LenientInt64
}

/// The `contacts` of a successful `customer.contact.list` answer. A missing or null list is an empty one.
struct KometListResponseBody: Decodable {
    var contacts: [LenientKometContact]?
}
