import Foundation

/// Where the budget windows fall: the window containing a moment starts at the most recent reset.
///
/// Resets happen daily at `resetHour:resetMinute` in `timeZone`, following the calendar, so a day with a daylight
/// saving change is a 23- or 25-hour window. With a `period` shorter than a day (for tests and demos that want to see
/// a reset), each day's windows start at that day's reset and advance by `period`; the last one of the day ends at the
/// next day's reset. Every replica computes the same windows from the clock alone.
public struct BudgetSchedule: Sendable, Equatable {
    public var resetHour: Int
    public var resetMinute: Int
    public var timeZone: TimeZone
    /// A day (the default) or shorter.
    public var period: Duration

    public static let day: Duration = .seconds(86_400)

    public init(
        resetHour: Int = 0, resetMinute: Int = 0, timeZone: TimeZone = .gmt, period: Duration = BudgetSchedule.day
    ) {
        self.resetHour = resetHour
        self.resetMinute = resetMinute
        self.timeZone = timeZone
        self.period = min(period, Self.day)
    }

    /// The window that `now` falls in.
    public func window(containing now: Date) -> BudgetWindow {
        let daily = dailyWindow(containing: now)
        let periodSeconds = Double(period.components.seconds) + Double(period.components.attoseconds) * 1e-18
        guard period < Self.day, periodSeconds > 0 else { return daily }
        let index = (now.timeIntervalSince(daily.start) / periodSeconds).rounded(.down)
        let start = daily.start.addingTimeInterval(index * periodSeconds)
        let end = min(start.addingTimeInterval(periodSeconds), daily.end)
        return BudgetWindow(start: start, end: end)
    }

    /// From the most recent daily reset to the next one.
    private func dailyWindow(containing now: Date) -> BudgetWindow {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = reset(onDayOf: now, calendar)
        if today <= now {
            return BudgetWindow(start: today, end: reset(onDayOf: shift(now, days: 1, calendar), calendar))
        }
        return BudgetWindow(start: reset(onDayOf: shift(now, days: -1, calendar), calendar), end: today)
    }

    /// The reset on the calendar day of `date` (in the zone). A reset time skipped by a daylight saving change
    /// resolves as Foundation resolves it (to the same wall time after the change).
    private func reset(onDayOf date: Date, _ calendar: Calendar) -> Date {
        var components = calendar.dateComponents([.year, .month, .day], from: date)
        components.hour = resetHour
        components.minute = resetMinute
        components.second = 0
        return calendar.date(from: components) ?? date
    }

    /// The same day's noon moved by `days` calendar days (noon is never skipped by a daylight saving change).
    private func shift(_ date: Date, days: Int, _ calendar: Calendar) -> Date {
        var components = calendar.dateComponents([.year, .month, .day], from: date)
        components.hour = 12
        let noon = calendar.date(from: components) ?? date
        return calendar.date(byAdding: .day, value: days, to: noon) ?? noon.addingTimeInterval(Double(days) * 86_400)
    }
}
