import Foundation
import KometClient

/// Reconciliation: after an ambiguous call, find out whether Komet created the contact before calling again.
extension EventProcessor {
    /// What a reconciliation found out.
    enum Reconciliation {
        /// The contact is in Komet: the earlier call created it.
        case found(KometContact)
        /// It is not: calling again creates it once.
        case notFound
        /// Komet refuses the look-up itself (e.g. the customer does not exist).
        case refused(KometError)
    }

    /// The outcome a reconciliation settles, or `nil` when the contact is not in Komet and must be created.
    func settle(
        _ reconciliation: Reconciliation, _ key: String, _ request: KometContactRequest
    ) async throws -> EventOutcome? {
        switch reconciliation {
        case .found(let contact):
            try await store.markDone(key: key, contactId: contact.id, now: Date())
            return .success(.reconciled, contactId: contact.id, message: "found in Komet", request: request)
        case .refused(let refusal):
            unknownCustomers.noteRefusal(of: request.customerId, message: refusal.message)
            // Komet refuses the customer itself: no contact can have been created, and adding would be refused the
            // same way.
            try await store.remove(key: key)
            return .deadLetter(
                reason: .kometRejected, detail: refusal.message, httpStatus: refusal.httpStatus)
        case .notFound:
            return nil
        }
    }

    /// Looks for the contact among the customer's contacts. Each look-up is a call (it spends quota like any other);
    /// transient failures are retried with backoff, and an outage waits at the gate.
    func reconcile(_ request: KometContactRequest, attempts: inout Attempts) async throws -> Reconciliation {
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        while true {
            let pass = try await gate.enter()
            attempts.count += 1
            do throws(KometError) {
                let contacts = try await komet.listContacts(customerId: request.customerId, logger: logger)
                gate.recordSuccess(of: pass)
                return contacts.first { ContactMatch.matches($0, request) }.map(Reconciliation.found) ?? .notFound
            } catch {
                switch error.failureClass {
                case .throttled, .systemic:
                    closeGate(for: error, after: pass)
                case .rejected:
                    gate.recordSuccess(of: pass)
                    return .refused(error)
                case .transient, .ambiguous:
                    guard gate.recordTransientFailure(of: pass) else { continue }
                    failures += 1
                    try await Task.sleep(for: retry.backoff(retry: failures, using: &generator))
                }
            }
        }
    }

    /// Pauses every call for a throttle, a spent quota or a systemic failure.
    func closeGate(for error: KometError, after pass: KometCallGate.Pass) {
        switch error.failureClass {
        case .systemic:
            gate.close(.systemic, for: retry.systemicProbeInterval, after: pass, detail: error.code.text)
        case .throttled where error.code == .quota:
            gate.close(
                .quota, for: gate.quotaPause(probeInterval: retry.quotaProbeInterval), after: pass,
                detail: error.code.text)
        default:
            gate.close(.throttled, for: error.retryAfter ?? retry.throttleDelay, after: pass, detail: error.code.text)
        }
    }
}
