/// The JSON body of `customer.contact.add`: the request's fields plus `authenticationToken`.
typealias KometAddRequestBody = JSONObjectAddingMember<KometContactRequest, String>

extension JSONObjectAddingMember where Base == KometContactRequest, Member == String {
    init(request: KometContactRequest, token: KometToken) {
        self.init(request, adding: "authenticationToken", token.value)
    }
}
