/// Reads a ``CustomerContactAdd`` out of a parsed JSON object, naming the field in every error.
/// See ``ContactEventDecoder`` for the leniency rules.
enum PayloadReader {
    static func payload(_ root: [String: EventJSONValue]) throws(BadEvent) -> CustomerContactAdd {
        let contactObject: [String: EventJSONValue]
        switch root.member("Contact") {
        case nil, .null?:
            throw BadEvent(.missingContact, "Contact: missing")
        case .object(let object)?:
            contactObject = object
        case let other?:
            throw BadEvent(.invalidFieldType, "Contact: expected an object, found \(other.kindName)")
        }
        let customerID = try customerID(root.member("CustomerID"))
        let isPrimary: Bool?
        switch root.member("IsPrimary") {
        case nil, .null?: isPrimary = nil
        case .bool(let value)?: isPrimary = value
        case let other?: throw BadEvent(.invalidFieldType, "IsPrimary: expected a boolean, found \(other.kindName)")
        }
        return CustomerContactAdd(contact: try contact(contactObject), customerID: customerID, isPrimary: isPrimary)
    }

    private static func customerID(_ value: EventJSONValue?) throws(BadEvent) -> Int64 {
        let id: Int64
        switch value {
        case nil, .null?:
            throw BadEvent(.missingCustomerID, "CustomerID: missing")
        case .integer(let integer)?:
            id = integer
        case .number(let number)?:
            let problem = number.rounded() == number ? "out of range" : "not a whole number"
            throw BadEvent(.invalidCustomerID, "CustomerID: expected an integer (\(problem))")
        case .string(let text)?:
            guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let integer = Int64(text)
            else {
                throw BadEvent(.invalidCustomerID, "CustomerID: expected an integer (found a non-numeric string)")
            }
            id = integer
        case let other?:
            throw BadEvent(.invalidCustomerID, "CustomerID: expected an integer, found \(other.kindName)")
        }
        guard id > 0 else {
            throw BadEvent(.invalidCustomerID, "CustomerID: must be positive, got \(id)")
        }
        return id
    }

    private static func contact(_ object: [String: EventJSONValue]) throws(BadEvent) -> SourceContact {
        var phoneNumbers: [SourcePhoneNumber] = []
        switch object.member("PhoneNumbers") {
        case nil, .null?:
            break
        case .array(let entries)?:
            for (index, entry) in entries.enumerated() {
                phoneNumbers.append(try phoneNumber(entry, path: "Contact.PhoneNumbers[\(index)]"))
            }
        case let other?:
            throw BadEvent(.invalidFieldType, "Contact.PhoneNumbers: expected an array, found \(other.kindName)")
        }
        return SourceContact(
            email: try string(object, "Email", path: "Contact.Email"),
            firstName: try string(object, "FirstName", path: "Contact.FirstName"),
            lastName: try string(object, "LastName", path: "Contact.LastName"),
            salutation: try string(object, "Salutation", path: "Contact.Salutation"),
            title: try string(object, "Title", path: "Contact.Title"),
            phoneNumbers: phoneNumbers
        )
    }

    private static func phoneNumber(_ value: EventJSONValue, path: String) throws(BadEvent) -> SourcePhoneNumber {
        guard case .object(let object) = value else {
            throw BadEvent(.invalidFieldType, "\(path): expected an object, found \(value.kindName)")
        }
        let number = try string(object, "Number", path: "\(path).Number")
        let id: Int64?
        switch object.member("PhoneNumberID") {
        case nil, .null?: id = nil
        case .integer(let integer)?: id = integer
        case .string(let text)? where Int64(text) != nil: id = Int64(text)
        case let other?:
            throw BadEvent(.invalidFieldType, "\(path).PhoneNumberID: expected an integer, found \(other.kindName)")
        }
        let type: Int
        switch object.member("Type") {
        case nil, .null?:
            throw BadEvent(.invalidPhoneType, "\(path).Type: missing phone type")
        case .integer(let integer)?:
            type = Int(integer)
        case .string(let text)?:
            if let integer = Int(TextNormalization.trim(text)) {
                type = integer
            } else if let kind = SourcePhoneNumber.Kind.allCases.first(where: {
                $0.label.lowercased() == TextNormalization.trim(text).lowercased()
            }) {
                type = kind.rawValue
            } else {
                let shown = TextNormalization.truncate(text, toCharacters: 20)
                throw BadEvent(.invalidPhoneType, "\(path).Type: unrecognized phone type \"\(shown)\"")
            }
        case let other?:
            throw BadEvent(.invalidFieldType, "\(path).Type: expected an integer, found \(other.kindName)")
        }
        return SourcePhoneNumber(number: number, phoneNumberID: id, type: type)
    }

    private static func string(
        _ object: [String: EventJSONValue],
        _ name: String,
        path: String
    ) throws(BadEvent) -> String? {
        switch object.member(name) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw BadEvent(.invalidFieldType, "\(path): expected a string, found \(other.kindName)")
        }
    }
}
