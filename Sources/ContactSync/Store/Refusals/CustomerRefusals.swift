import Foundation

/// Customers Komet said it does not know, shared by every replica on one store: an event for one of them is
/// dead-lettered without a call until the memory runs out, whichever replica learnt it.
public protocol CustomerRefusals: Sendable {
    /// Remembers Komet's `message` for `customerId` until `until` (replacing an earlier refusal).
    func recordRefusal(customerId: Int64, message: String, until: Date) async throws
    /// Komet's message for `customerId`, when a refusal is remembered past `now`.
    func refusal(customerId: Int64, now: Date) async throws -> String?
    /// Forgets refusals that ran out before `cutoff`; returns how many.
    func pruneRefusals(before cutoff: Date) async throws -> Int
}
