import Foundation

/// The Komet call budget every replica shares (`komet.dailyQuota` and its neighbours).
public struct CallBudgetSettings: Sendable, Equatable {
    /// Komet's calls per licensed user per day.
    public var dailyQuota: Int = 1_000
    /// Calls per window left for other integrations of the same user.
    public var reserve: Int = 0
    /// When the windows reset, in which zone, and how long they are.
    public var schedule = BudgetSchedule()
    /// Calls per second of each replica (a token bucket of one); 0 means no rate limit.
    public var callsPerSecond: Double = 0

    public init(
        dailyQuota: Int = 1_000, reserve: Int = 0, schedule: BudgetSchedule = BudgetSchedule(),
        callsPerSecond: Double = 0
    ) {
        self.dailyQuota = dailyQuota
        self.reserve = reserve
        self.schedule = schedule
        self.callsPerSecond = callsPerSecond
    }

    /// The calls all replicas together may make in one window.
    public var limit: Int { dailyQuota - reserve }
}
