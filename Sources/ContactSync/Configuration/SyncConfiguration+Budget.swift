import Foundation

extension SyncConfiguration {
    /// Reads and validates `komet.dailyQuota`, `komet.quotaReserve`, `komet.quotaResetTime`, `komet.quotaTimeZone`,
    /// `komet.quotaPeriod` and `komet.callsPerSecond`.
    static func callBudget(_ reader: SettingReader) throws(ConfigurationError) -> CallBudgetSettings {
        let quota = try reader.int("komet.dailyQuota", range: 1...100_000_000)
        let reserve = try reader.int("komet.quotaReserve", range: 0...100_000_000)
        guard reserve < quota else {
            throw ConfigurationError(
                setting: "komet.quotaReserve", message: "must be less than komet.dailyQuota (\(quota))")
        }
        let resetText = try reader.nonEmpty("komet.quotaResetTime")
        guard let reset = timeOfDay(resetText) else {
            throw ConfigurationError(setting: "komet.quotaResetTime", message: "'\(resetText)' is not a time HH:mm")
        }
        let zoneName = try reader.nonEmpty("komet.quotaTimeZone")
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(
                setting: "komet.quotaTimeZone", message: "'\(zoneName)' is not an IANA time zone (e.g. Europe/Berlin)")
        }
        let period = try reader.duration("komet.quotaPeriod", minimum: .milliseconds(100))
        guard period <= BudgetSchedule.day else {
            throw ConfigurationError(setting: "komet.quotaPeriod", message: "must be at most 1d")
        }
        let rateText = try reader.nonEmpty("komet.callsPerSecond")
        guard let rate = Double(rateText), rate >= 0, rate.isFinite else {
            throw ConfigurationError(
                setting: "komet.callsPerSecond", message: "'\(rateText)' is not a number of at least 0")
        }
        return CallBudgetSettings(
            dailyQuota: quota, reserve: reserve,
            schedule: BudgetSchedule(resetHour: reset.hour, resetMinute: reset.minute, timeZone: zone, period: period),
            callsPerSecond: rate)
    }

    /// `HH:mm` (24-hour clock) as hour and minute.
    private static func timeOfDay(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
            let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return (hour, minute)
    }
}
