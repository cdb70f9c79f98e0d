/// One hand-written bad event and the reason it must be dead-lettered with.
public struct BadInputCase: Sendable, CustomStringConvertible {
    /// Where a case runs.
    public struct Runs: OptionSet, Sendable {
        public let rawValue: Int

        public init(rawValue: Int) { self.rawValue = rawValue }

        /// In ContactSyncTests: through the decoder, the mapper and the key strategy, and (unless it
        /// ``BadInputCase/needsCorpusConfiguration``) through the pipeline over fakes.
        public static let unit = Runs(rawValue: 1 << 0)
        /// In EndToEndTests: through kafka-mock, the worker and komet-sim.
        public static let endToEnd = Runs(rawValue: 1 << 1)
        public static let everywhere: Runs = [.unit, .endToEnd]
    }

    public var name: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [BadInputHeader]
    /// The expected `komet-sync.reason`: a stable reason code such as `invalid_phone_type`.
    public var reason: String
    public var runs: Runs

    public init(
        name: String, key: [UInt8]?, value: [UInt8]?, headers: [BadInputHeader], reason: String, runs: Runs
    ) {
        self.name = name
        self.key = key
        self.value = value
        self.headers = headers
        self.reason = reason
        self.runs = runs
    }

    public var description: String { "\(name) → \(reason)" }

    /// Whether the case is bad only under the corpus configuration (see ``BadInputCorpus``); under the default mapping
    /// and key order it is a valid event.
    public var needsCorpusConfiguration: Bool {
        ["unknown_customer", "unregistered_contact_type", "type_too_long", "missing_key"].contains(reason)
    }
}
