import KometClient

/// Whether a contact listed by Komet is the one a request would create.
enum ContactMatch {
    static func matches(_ contact: KometContact, _ request: KometContactRequest) -> Bool {
        normalised(contact.name) == normalised(request.name)
            && normalised(contact.email) == normalised(request.email)
            && normalised(contact.type) == normalised(request.type)
            && digits(contact.phone) == digits(request.phone)
    }

    private static func normalised(_ text: String?) -> String {
        (text ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    private static func digits(_ text: String?) -> String {
        String((text ?? "").filter(\.isNumber))
    }
}
