import Foundation
import KometClient

/// The first contact of a key, in a `duplicate` success record (DESIGN.md, "Topics and records"): whose it is, when
/// it was recorded, and whether the duplicate event asked for something else, so that a key reused by another event
/// (another customer's, or another contact's) is visible instead of passing for a re-sent event.
///
/// ```json
/// "duplicateOf":{"contactId":1120,"createdAt":"2026-12-01T10:00:00.000Z","customerId":136,"requestDiffers":true}
/// ```
///
/// Keys created before the stores kept the first contact's customer and request digest leave `customerId` and
/// `requestDiffers` out (unknown), as they leave out every `nil` field.
public struct DuplicateOf: Codable, Sendable, Equatable {
    /// The first contact's customer; `nil` when the key's row predates it.
    public var customerId: Int64?
    /// The first contact (the same as `komet.contactId`).
    public var contactId: Int64
    /// When the key was recorded `done` (to the millisecond).
    public var createdAt: Date
    /// Whether this event's request differs from the one that created the first contact (compared by
    /// ``RequestDigest``, every field but the token, byte for byte); `nil` when that request is unknown.
    public var requestDiffers: Bool?

    public init(customerId: Int64?, contactId: Int64, createdAt: Date, requestDiffers: Bool?) {
        self.customerId = customerId
        self.contactId = contactId
        self.createdAt = createdAt
        self.requestDiffers = requestDiffers
    }

    /// The first contact as `contact`'s row recorded it at `at`, compared with `request`, the duplicate's own.
    init(_ contact: CreatedContact, at: Date, comparedWith request: KometContactRequest) {
        self.init(
            customerId: contact.customerId, contactId: contact.contactId, createdAt: at,
            requestDiffers: contact.requestDigest.map { $0 != RequestDigest(of: request) })
    }
}
