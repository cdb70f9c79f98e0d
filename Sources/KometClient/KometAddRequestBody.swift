extension KometContactRequest {
    /// Writes the request's fields as members of the open object, keys sorted, `nil` fields left out: the same
    /// members as its `Codable` encoding.
    public func writeMembers(to writer: inout JSONBytesWriter) {
        writer.member("customerId", customerId)
        writer.member("description", description)
        writer.member("email", email)
        writer.member("emailPOD", emailPOD)
        writer.member("ext", ext)
        writer.member("fax", fax)
        writer.member("instantMessaging", instantMessaging)
        writer.member("mobile", mobile)
        writer.member("name", name)
        writer.member("phone", phone)
        writer.member("type", type)
    }

    /// The JSON body of `customer.contact.add`: `authenticationToken` and the request's fields, keys sorted.
    public func addBody(token: String) -> [UInt8] {
        var writer = JSONBytesWriter(capacity: 256 + token.utf8.count)
        writer.beginObject()
        writer.member("authenticationToken", token)
        writeMembers(to: &writer)
        writer.endObject()
        return writer.bytes
    }
}
