/// The Komet calls the client makes, and what a lost answer means for each.
public enum KometMethod: String, Sendable, CaseIterable {
    case add = "customer.contact.add"
    case list = "customer.contact.list"

    /// The class of a failure after the request was written: `add` may have taken effect, `list` is read-only.
    var failureClassAfterSend: KometFailureClass {
        switch self {
        case .add: .ambiguous
        case .list: .transient
        }
    }
}
