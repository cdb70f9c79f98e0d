/// What the simulated Komet account holds: its token, customers, registered contact types and daily quota.
public struct KometSimulatorConfiguration: Sendable {
    /// The one valid `authenticationToken`.
    public var token: String
    /// The ids of the customers that exist; contacts for any other id are refused with "Customer not found".
    public var customers: Set<Int64>
    /// The registered contact types; Komet's defaults are "None", "Buyer" and "A/P".
    public var contactTypes: Set<String>
    /// Calls allowed per UTC day (Komet: 1,000 per licensed user). Every call with a valid token counts.
    public var dailyQuota: Int
    /// Seed of the random generator that decides which calls get a fault.
    public var seed: UInt64

    public init(
        token: String,
        customers: Set<Int64> = Set(1...1000),
        contactTypes: Set<String> = ["None", "Buyer", "A/P"],
        dailyQuota: Int = 1000,
        seed: UInt64 = 1
    ) {
        self.token = token
        self.customers = customers
        self.contactTypes = contactTypes
        self.dailyQuota = dailyQuota
        self.seed = seed
    }

    /// The same, with the customers given as a range of ids.
    public init(
        token: String,
        customers: ClosedRange<Int64>,
        contactTypes: Set<String> = ["None", "Buyer", "A/P"],
        dailyQuota: Int = 1000,
        seed: UInt64 = 1
    ) {
        self.init(
            token: token,
            customers: Set(customers),
            contactTypes: contactTypes,
            dailyQuota: dailyQuota,
            seed: seed
        )
    }
}
