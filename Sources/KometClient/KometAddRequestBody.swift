/// The JSON body of `customer.contact.add`: the request's fields plus `authenticationToken`.
struct KometAddRequestBody: Encodable {
    var request: KometContactRequest
    var token: KometToken

    func encode(to encoder: any Encoder) throws {
        try request.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(token.value, forKey: .authenticationToken)
    }

    private enum Keys: String, CodingKey {
        case authenticationToken
    }
}
