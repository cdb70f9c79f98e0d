import Foundation

/// Milliseconds since 1970, the time unit every store keeps (rounded to the nearest).
enum StoreTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// `date` rounded to the millisecond.
    static func truncate(_ date: Date) -> Date {
        Self.date(milliseconds(date))
    }
}
