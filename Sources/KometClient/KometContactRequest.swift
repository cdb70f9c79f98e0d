/// The fields of a `customer.contact.add` call, without the authentication token.
///
/// The client adds `authenticationToken` when it encodes the body, so a value of this type can be logged,
/// stored and published without leaking the secret. Optional fields that are `nil` are left out of the JSON.
public struct KometContactRequest: Codable, Sendable, Hashable {
    public var customerId: Int64
    public var name: String
    public var type: String
    public var phone: String?
    public var ext: String?
    public var mobile: String?
    public var fax: String?
    public var email: String?
    public var description: String?
    public var instantMessaging: String?
    public var emailPOD: Bool?

    public init(
        customerId: Int64,
        name: String,
        type: String,
        phone: String? = nil,
        ext: String? = nil,
        mobile: String? = nil,
        fax: String? = nil,
        email: String? = nil,
        description: String? = nil,
        instantMessaging: String? = nil,
        emailPOD: Bool? = nil
    ) {
        self.customerId = customerId
        self.name = name
        self.type = type
        self.phone = phone
        self.ext = ext
        self.mobile = mobile
        self.fax = fax
        self.email = email
        self.description = description
        self.instantMessaging = instantMessaging
        self.emailPOD = emailPOD
    }

    /// Komet's documented field limits for `customer.contact.add`, in characters.
    public enum Limit {
        public static let name = 200
        public static let type = 200
        public static let phone = 200
        public static let ext = 50
        public static let mobile = 50
        public static let fax = 50
        public static let email = 50
        public static let description = 200
        public static let instantMessaging = 200
        /// The whole request body, in bytes.
        public static let requestBytes = 64 * 1024
    }
}

/// A contact as `customer.contact.list` returns it.
public struct KometContact: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String?
    public var type: String?
    public var phone: String?
    public var ext: String?
    public var mobile: String?
    public var fax: String?
    public var email: String?
    public var description: String?
    public var instantMessaging: String?
    public var emailPOD: Bool?

    public init(
        id: Int64,
        name: String? = nil,
        type: String? = nil,
        phone: String? = nil,
        ext: String? = nil,
        mobile: String? = nil,
        fax: String? = nil,
        email: String? = nil,
        description: String? = nil,
        instantMessaging: String? = nil,
        emailPOD: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.phone = phone
        self.ext = ext
        self.mobile = mobile
        self.fax = fax
        self.email = email
        self.description = description
        self.instantMessaging = instantMessaging
        self.emailPOD = emailPOD
    }
}
