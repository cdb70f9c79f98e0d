import Foundation
import Testing

@testable import ContactSync

@Suite struct BudgetConfigurationTests {
    private func configuration(_ values: [String: String]) throws(ConfigurationError) -> SyncConfiguration {
        try SyncConfiguration(source: ConfigurationSource(fileValues: values))
    }

    @Test func defaultsAreOneThousandCallsPerUTCDay() throws {
        let budget = try configuration([:]).callBudget
        #expect(budget.limit == 1_000)
        #expect(budget.schedule == BudgetSchedule())
        #expect(budget.callsPerSecond == 0)
    }

    @Test func settingsAreRead() throws {
        let budget = try configuration([
            "komet.dailyQuota": "500", "komet.quotaReserve": "100", "komet.quotaResetTime": "06:30",
            "komet.quotaTimeZone": "Europe/Berlin", "komet.quotaPeriod": "20s", "komet.callsPerSecond": "2.5",
        ]).callBudget
        #expect(budget.limit == 400)
        #expect(budget.schedule.resetHour == 6 && budget.schedule.resetMinute == 30)
        #expect(budget.schedule.timeZone.identifier == "Europe/Berlin")
        #expect(budget.schedule.period == .seconds(20))
        #expect(budget.callsPerSecond == 2.5)
    }

    @Test(arguments: [
        ("komet.quotaReserve", "1000"), ("komet.dailyQuota", "0"), ("komet.quotaResetTime", "24:00"),
        ("komet.quotaResetTime", "6:30"), ("komet.quotaTimeZone", "Mars/Olympus"), ("komet.quotaPeriod", "2d"),
        ("komet.callsPerSecond", "-1"), ("komet.callsPerSecond", "fast"),
    ])
    func invalidValuesNameTheSetting(_ key: String, _ value: String) {
        let error = #expect(throws: ConfigurationError.self) { try configuration([key: value]) }
        #expect(error?.setting == key)
    }
}
