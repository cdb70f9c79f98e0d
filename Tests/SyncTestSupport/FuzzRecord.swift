/// One seeded mutant, ready to be sent as a Kafka record.
public struct FuzzRecord: Sendable {
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [BadInputHeader]
    /// The mutations applied, for failure messages.
    public var mutations: [String]

    public init(key: [UInt8]?, value: [UInt8], headers: [BadInputHeader], mutations: [String]) {
        self.key = key
        self.value = value
        self.headers = headers
        self.mutations = mutations
    }
}
