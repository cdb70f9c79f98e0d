import Foundation
import Testing

@testable import ContactSync

@Suite("Budget windows")
struct BudgetScheduleTests {
    private static func date(_ iso: String) throws -> Date {
        try Date(iso, strategy: .iso8601)
    }

    private static func zone(_ name: String) throws -> TimeZone {
        try #require(TimeZone(identifier: name))
    }

    @Test("the default window is the UTC calendar day")
    func utcDay() throws {
        let window = BudgetSchedule().window(containing: try Self.date("2026-03-10T15:04:05Z"))
        #expect(window.start == (try Self.date("2026-03-10T00:00:00Z")))
        #expect(window.end == (try Self.date("2026-03-11T00:00:00Z")))
        let atReset = BudgetSchedule().window(containing: try Self.date("2026-03-11T00:00:00Z"))
        #expect(atReset.start == window.end)
    }

    @Test("before the day's reset time the window started at yesterday's reset, in the zone")
    func resetTimeInZone() throws {
        let schedule = BudgetSchedule(resetHour: 6, resetMinute: 30, timeZone: try Self.zone("Europe/Berlin"))
        // 05:00 in Berlin (UTC+1): before today's 06:30.
        let early = schedule.window(containing: try Self.date("2026-02-10T04:00:00Z"))
        #expect(early.start == (try Self.date("2026-02-09T05:30:00Z")))
        #expect(early.end == (try Self.date("2026-02-10T05:30:00Z")))
        // 07:00 in Berlin: after it.
        let late = schedule.window(containing: try Self.date("2026-02-10T06:00:00Z"))
        #expect(late.start == (try Self.date("2026-02-10T05:30:00Z")))
        #expect(late.end == (try Self.date("2026-02-11T05:30:00Z")))
    }

    @Test("daylight saving days are 23 and 25 hours long")
    func daylightSaving() throws {
        let schedule = BudgetSchedule(timeZone: try Self.zone("Europe/Berlin"))
        let spring = schedule.window(containing: try Self.date("2026-03-29T12:00:00Z"))
        #expect(spring.start == (try Self.date("2026-03-28T23:00:00Z")))
        #expect(spring.end == (try Self.date("2026-03-29T22:00:00Z")))
        let autumn = schedule.window(containing: try Self.date("2026-10-25T12:00:00Z"))
        #expect(autumn.start == (try Self.date("2026-10-24T22:00:00Z")))
        #expect(autumn.end == (try Self.date("2026-10-25T23:00:00Z")))
    }

    @Test("a shorter period advances from the day's reset; the day's last window ends at the next reset")
    func shorterPeriod() throws {
        let tenMinutes = BudgetSchedule(period: .seconds(600))
        let window = tenMinutes.window(containing: try Self.date("2026-05-01T00:25:30Z"))
        #expect(window.start == (try Self.date("2026-05-01T00:20:00Z")))
        #expect(window.end == (try Self.date("2026-05-01T00:30:00Z")))
        let sevenHours = BudgetSchedule(period: .seconds(7 * 3_600))
        let last = sevenHours.window(containing: try Self.date("2026-05-01T22:00:00Z"))
        #expect(last.start == (try Self.date("2026-05-01T21:00:00Z")))
        #expect(last.end == (try Self.date("2026-05-02T00:00:00Z")))
        let oneSecond = BudgetSchedule(period: .milliseconds(1_500))
        let short = oneSecond.window(containing: try Self.date("2026-05-01T00:00:04Z"))
        #expect(short.start == (try Self.date("2026-05-01T00:00:03Z")))
        #expect(short.end == short.start.addingTimeInterval(1.5))
    }

    @Test("a shorter period is anchored at the reset time in the zone")
    func shorterPeriodInZone() throws {
        let schedule = BudgetSchedule(
            resetHour: 9, resetMinute: 0, timeZone: try Self.zone("America/New_York"), period: .seconds(3_600))
        // 08:30 EDT, before today's 09:00 reset: the previous day's windows, the last ending at today's reset.
        let window = schedule.window(containing: try Self.date("2026-07-01T12:30:00Z"))
        #expect(window.start == (try Self.date("2026-07-01T12:00:00Z")))
        #expect(window.end == (try Self.date("2026-07-01T13:00:00Z")))
        let after = schedule.window(containing: try Self.date("2026-07-01T13:10:00Z"))
        #expect(after.start == (try Self.date("2026-07-01T13:00:00Z")))
    }
}
