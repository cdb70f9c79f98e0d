extension KometContact {
    /// Decodes a contact of `customer.contact.list` leniently: `id` may be a number or a string of digits,
    /// `emailPOD` a boolean, 0/1 or a string; other fields may be missing or null.
    init(lenientFrom decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: LenientKeys.self)
        let id = try container.decode(LenientInt64.self, forKey: .id).value
        self.init(
            id: id,
            name: try container.decodeIfPresent(String.self, forKey: .name),
            type: try container.decodeIfPresent(String.self, forKey: .type),
            phone: try container.decodeIfPresent(String.self, forKey: .phone),
            ext: try container.decodeIfPresent(String.self, forKey: .ext),
            mobile: try container.decodeIfPresent(String.self, forKey: .mobile),
            fax: try container.decodeIfPresent(String.self, forKey: .fax),
            email: try container.decodeIfPresent(String.self, forKey: .email),
            description: try container.decodeIfPresent(String.self, forKey: .description),
            instantMessaging: try container.decodeIfPresent(String.self, forKey: .instantMessaging),
            emailPOD: try container.decodeIfPresent(LenientBool.self, forKey: .emailPOD)?.value
        )
    }

    private enum LenientKeys: String, CodingKey {
        case id, name, type, phone, ext, mobile, fax, email, description, instantMessaging, emailPOD
    }
}

/// Decodes one `KometContact` with `KometContact.init(lenientFrom:)`.
struct LenientKometContact: Decodable {
    var contact: KometContact

    init(from decoder: any Decoder) throws {
        contact = try KometContact(lenientFrom: decoder)
    }
}
