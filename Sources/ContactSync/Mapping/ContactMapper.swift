import Foundation
import KometClient

/// Maps a ``CustomerContactAdd`` to a Komet `customer.contact.add` request and checks every limit Komet documents,
/// so that no quota is spent on a call Komet would refuse. Implements the mapping table of DESIGN.md.
///
/// Rules (lengths are counted in `Character`s, i.e. Swift's `String.count`):
/// - **customerId**: `CustomerID`, through ``MappingConfiguration/customerIDMap`` when set (absent →
///   ``DeadLetterReason/unknownCustomer``).
/// - **name**: `Salutation FirstName LastName`, trimmed, inner whitespace collapsed to one space; empty →
///   ``DeadLetterReason/emptyName``; over 200 → ``DeadLetterReason/nameTooLong``.
/// - **type**: `contactTypeByTitle[Title]` (trimmed, case-insensitive) or the default; must be registered
///   (``DeadLetterReason/unregisteredContactType``) and at most 200 (``DeadLetterReason/typeTooLong``).
/// - **phone numbers**: more than 4 entries → ``DeadLetterReason/tooManyPhoneNumbers`` (every listed entry counts,
///   even one without a number, because RPM's list itself holds at most 4). Every entry's type must be Business 1,
///   Home 2, Fax 3 or Other 6, even when its number is empty (``DeadLetterReason/invalidPhoneType``). A number that
///   is `nil`, blank or `none` (any case) is no number and is otherwise ignored.
///   - phone / ext: the first Business number; a trailing extension (`x123`, `ext 123`, `ext. 123`, `ext123`,
///     `extension 123`) goes to ext.
///   - mobile: the first Home number, else the first Other number.
///   - fax: the first Fax number.
///   - numbers that got no field go to the description as `"Business: 555-1234"`.
///   - limits: phone 200, ext 50, mobile 50, fax 50 (`*TooLong`).
/// - **email**: trimmed; empty → none; must have exactly one `@`, a non-empty local part, a domain with a dot
///   (not at its start or end) and no whitespace (``DeadLetterReason/invalidEmail``); over 50 →
///   ``DeadLetterReason/emailTooLong`` (never truncated).
/// - **description**: `Title`, the extra numbers, and ``MappingConfiguration/descriptionPrimaryText`` when
///   `IsPrimary == true`, joined with `"; "`; `nil` when empty; cut to 200 characters ending in "…".
/// - **emailPOD**: `IsPrimary ?? false` when ``MappingConfiguration/sendEmailPOD``, else left out.
/// - Finally the JSON body, with a 50-character placeholder token, must fit in
///   `KometContactRequest.Limit.requestBytes` (64 KB) (``DeadLetterReason/requestTooLarge``): a "character" may hold
///   any number of combining marks, so the per-field limits alone do not bound the size.
public struct ContactMapper: Sendable {
    public var configuration: MappingConfiguration
    private let typeByTitle: [String: String]

    /// The most phone-number entries RPM's contact holds.
    public static let maxPhoneNumbers = 4

    public init(configuration: MappingConfiguration) {
        self.configuration = configuration
        var typeByTitle: [String: String] = [:]
        for (title, type) in configuration.contactTypeByTitle {
            typeByTitle[TextNormalization.trim(title).lowercased()] = type
        }
        self.typeByTitle = typeByTitle
    }

    /// The Komet request for `event`, or the first rule it breaks.
    public func map(_ event: CustomerContactAdd) throws(BadEvent) -> KometContactRequest {
        let contact = event.contact
        let customerId = try mapCustomerID(event.customerID)
        let name = try mapName(contact)
        let type = try mapType(title: contact.title)
        let phones = try mapPhoneNumbers(contact.phoneNumbers)
        let email = try mapEmail(contact.email)

        var descriptionParts: [String] = []
        if let title = contact.title.map(TextNormalization.trim), !title.isEmpty {
            descriptionParts.append(title)
        }
        descriptionParts += phones.extras
        if event.isPrimary == true, !configuration.descriptionPrimaryText.isEmpty {
            descriptionParts.append(configuration.descriptionPrimaryText)
        }
        let description =
            descriptionParts.isEmpty
            ? nil
            : TextNormalization.truncate(
                descriptionParts.joined(separator: "; "), toCharacters: KometContactRequest.Limit.description)

        let request = KometContactRequest(
            customerId: customerId,
            name: name,
            type: type,
            phone: phones.phone,
            ext: phones.ext,
            mobile: phones.mobile,
            fax: phones.fax,
            email: email,
            description: description,
            emailPOD: configuration.sendEmailPOD ? (event.isPrimary ?? false) : nil
        )
        try checkRequestSize(request)
        return request
    }

    private func mapCustomerID(_ id: Int64) throws(BadEvent) -> Int64 {
        guard let map = configuration.customerIDMap else { return id }
        guard let mapped = map[id] else {
            throw BadEvent(.unknownCustomer, "CustomerID: \(id) is not in the customer id map")
        }
        return mapped
    }

    private func mapName(_ contact: SourceContact) throws(BadEvent) -> String {
        let parts = [contact.salutation, contact.firstName, contact.lastName].compactMap { $0 }
        let name = TextNormalization.collapseWhitespace(parts.joined(separator: " "))
        guard !name.isEmpty else {
            throw BadEvent(.emptyName, "name (Contact.Salutation, FirstName, LastName): all empty")
        }
        guard name.count <= KometContactRequest.Limit.name else {
            throw BadEvent(
                .nameTooLong,
                "name (Contact.Salutation, FirstName, LastName): \(name.count) characters, "
                    + "limit \(KometContactRequest.Limit.name)")
        }
        return name
    }

    private func mapType(title: String?) throws(BadEvent) -> String {
        var type = configuration.defaultContactType
        var source = "the default contact type"
        if let title, let mapped = typeByTitle[TextNormalization.trim(title).lowercased()] {
            type = mapped
            source = "the type mapped from Contact.Title"
        }
        guard type.count <= KometContactRequest.Limit.type else {
            throw BadEvent(
                .typeTooLong, "type (\(source)): \(type.count) characters, limit \(KometContactRequest.Limit.type)")
        }
        guard configuration.registeredContactTypes.contains(type) else {
            throw BadEvent(
                .unregisteredContactType, "type (\(source)): \"\(type)\" is not a registered contact type")
        }
        return type
    }

    private struct Phones {
        var phone: String?
        var ext: String?
        var mobile: String?
        var fax: String?
        var extras: [String] = []
    }

    private func mapPhoneNumbers(_ numbers: [SourcePhoneNumber]) throws(BadEvent) -> Phones {
        guard numbers.count <= Self.maxPhoneNumbers else {
            throw BadEvent(
                .tooManyPhoneNumbers,
                "Contact.PhoneNumbers: \(numbers.count) entries, at most \(Self.maxPhoneNumbers)")
        }
        var present: [(index: Int, kind: SourcePhoneNumber.Kind, number: String)] = []
        for (index, entry) in numbers.enumerated() {
            guard let kind = entry.kind else {
                throw BadEvent(
                    .invalidPhoneType, "Contact.PhoneNumbers[\(index)].Type: unrecognized phone type \(entry.type)")
            }
            if !PhoneNumberText.isAbsent(entry.number), let number = entry.number {
                present.append((index, kind, TextNormalization.trim(number)))
            }
        }

        var result = Phones()
        var used = Set<Int>()
        if let business = present.first(where: { $0.kind == .business }) {
            used.insert(business.index)
            let split = PhoneNumberText.splitExtension(business.number)
            let path = "Contact.PhoneNumbers[\(business.index)].Number"
            result.phone = try limited(split.number, KometContactRequest.Limit.phone, .phoneTooLong, "phone", path)
            if let ext = split.ext {
                result.ext = try limited(ext, KometContactRequest.Limit.ext, .extTooLong, "ext", path)
            }
        }
        if let mobile = present.first(where: { $0.kind == .home }) ?? present.first(where: { $0.kind == .other }) {
            used.insert(mobile.index)
            let path = "Contact.PhoneNumbers[\(mobile.index)].Number"
            result.mobile = try limited(
                mobile.number, KometContactRequest.Limit.mobile, .mobileTooLong, "mobile", path)
        }
        if let fax = present.first(where: { $0.kind == .fax }) {
            used.insert(fax.index)
            let path = "Contact.PhoneNumbers[\(fax.index)].Number"
            result.fax = try limited(fax.number, KometContactRequest.Limit.fax, .faxTooLong, "fax", path)
        }
        result.extras = present.filter { !used.contains($0.index) }.map { "\($0.kind.label): \($0.number)" }
        return result
    }

    private func limited(
        _ value: String,
        _ limit: Int,
        _ reason: DeadLetterReason,
        _ field: String,
        _ path: String
    ) throws(BadEvent) -> String {
        guard value.count <= limit else {
            throw BadEvent(reason, "\(field) (\(path)): \(value.count) characters, limit \(limit)")
        }
        return value
    }

    private func mapEmail(_ email: String?) throws(BadEvent) -> String? {
        guard let email else { return nil }
        let trimmed = TextNormalization.trim(email)
        guard !trimmed.isEmpty else { return nil }
        if let problem = Self.emailProblem(trimmed) {
            throw BadEvent(.invalidEmail, "Contact.Email: not a valid address (\(problem))")
        }
        guard trimmed.count <= KometContactRequest.Limit.email else {
            throw BadEvent(
                .emailTooLong,
                "Contact.Email: \(trimmed.count) characters, limit \(KometContactRequest.Limit.email)")
        }
        return trimmed
    }

    /// What is wrong with an address, or `nil` when it passes the syntax check. ASCII addresses are checked byte by
    /// byte, with the same answers (the tests hold the two paths to each other).
    static func emailProblem(_ address: String) -> String? {
        let utf8 = address.utf8
        return utf8.allSatisfy({ $0 < 0x80 }) ? asciiEmailProblem(utf8) : characterEmailProblem(address)
    }

    /// ``emailProblem(_:)`` by `Character`s: any address (the rules themselves).
    static func characterEmailProblem(_ address: String) -> String? {
        if address.contains(where: \.isWhitespace) { return "contains whitespace" }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return parts.count < 2 ? "no @" : "more than one @" }
        let local = parts[0]
        let domain = parts[1]
        if local.isEmpty { return "empty local part" }
        if domain.isEmpty { return "empty domain" }
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            return "domain needs a dot between labels"
        }
        return nil
    }

    /// ``emailProblem(_:)`` of an ASCII address.
    private static func asciiEmailProblem(_ utf8: String.UTF8View) -> String? {
        let at = UInt8(ascii: "@")
        let dot = UInt8(ascii: ".")
        if utf8.contains(where: TextNormalization.isASCIIWhitespace) { return "contains whitespace" }
        guard let first = utf8.firstIndex(of: at) else { return "no @" }
        let local = utf8[..<first]
        let domain = utf8[utf8.index(after: first)...]
        if domain.contains(at) { return "more than one @" }
        if local.isEmpty { return "empty local part" }
        if domain.isEmpty { return "empty domain" }
        let doubleDot = zip(domain, domain.dropFirst()).contains { $0 == dot && $1 == dot }
        guard domain.contains(dot), domain.first != dot, domain.last != dot, !doubleDot else {
            return "domain needs a dot between labels"
        }
        return nil
    }

    private func checkRequestSize(_ request: KometContactRequest) throws(BadEvent) {
        let size = RequestBodyEstimate.bytes(of: request)
        guard size <= KometContactRequest.Limit.requestBytes else {
            throw BadEvent(
                .requestTooLarge,
                "request: \(size) bytes as JSON, limit \(KometContactRequest.Limit.requestBytes)")
        }
    }
}

/// The size of the `customer.contact.add` body Komet would receive for a request.
enum RequestBodyEstimate {
    /// A stand-in for the real token: Komet tokens are at most 50 characters.
    static let placeholderToken = String(repeating: "T", count: 50)

    static func bytes(of request: KometContactRequest) -> Int {
        request.addBody(token: placeholderToken).count
    }
}
