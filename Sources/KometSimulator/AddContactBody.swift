/// The JSON body of `customer.contact.add` as the simulator reads it: every field optional, so that a missing
/// one is answered with a message naming it.
struct AddContactBody: Decodable, Sendable {
    var authenticationToken: String?
    var customerId: Int64?
    var name: String?
    var type: String?
    var phone: String?
    var ext: String?
    var mobile: String?
    var fax: String?
    var email: String?
    var description: String?
    var instantMessaging: String?
    var emailPOD: Bool?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        authenticationToken = try container.decodeIfPresent(String.self, forKey: .authenticationToken)
        if let number = try? container.decodeIfPresent(Int64.self, forKey: .customerId) {
            customerId = number
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .customerId) {
            customerId = Int64(text)
        }
        name = try container.decodeIfPresent(String.self, forKey: .name)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        ext = try container.decodeIfPresent(String.self, forKey: .ext)
        mobile = try container.decodeIfPresent(String.self, forKey: .mobile)
        fax = try container.decodeIfPresent(String.self, forKey: .fax)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        instantMessaging = try container.decodeIfPresent(String.self, forKey: .instantMessaging)
        emailPOD = try container.decodeIfPresent(Bool.self, forKey: .emailPOD)
    }

    private enum Keys: String, CodingKey {
        case authenticationToken, customerId, name, type, phone, ext, mobile, fax, email, description
        case instantMessaging, emailPOD
    }
}
