/// A value's JSON object with one member added (or replaced, when the value has a member of that name): how the simulator
/// adds ids to the contacts it answers with, and the tests' reference for the add body ``KometContactRequest/addBody(token:)``
/// writes by hand.
public struct JSONObjectAddingMember<Base: Encodable & Sendable, Member: Encodable & Sendable>: Encodable, Sendable {
    public var base: Base
    public var name: String
    public var member: Member

    public init(_ base: Base, adding name: String, _ member: Member) {
        self.base = base
        self.name = name
        self.member = member
    }

    public func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        // Written after the base's own members, so it replaces one of the same name.
        var container = encoder.container(keyedBy: MemberName.self)
        try container.encode(member, forKey: MemberName(stringValue: name))
    }

    private struct MemberName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
