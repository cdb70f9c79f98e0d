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
    ///
    /// A found contact is recorded with `request`'s customer (the one whose contacts were listed) and, when the call
    /// whose answer was lost sent `request` itself (`callWasThisRequest`), with its digest; a call of another record
    /// with the same key may have sent other fields, so its digest stays unknown.
    func settle(
        _ reconciliation: Reconciliation, _ claim: Claim, _ request: KometContactRequest, callWasThisRequest: Bool
    ) async throws -> EventOutcome? {
        switch reconciliation {
        case .found(let contact):
            let created = CreatedContact(
                contactId: contact.id, customerId: request.customerId,
                requestDigest: callWasThisRequest ? RequestDigest(of: request) : nil)
            try await store.markDone(key: claim.key, contact: created, now: Date())
            return .success(.reconciled, contactId: contact.id, message: "found in Komet", request: request)
        case .refused(let refusal):
            await unknownCustomers.noteRefusal(of: request.customerId, message: refusal.message)
            // Komet refuses the customer itself: no contact can have been created, and adding would be refused the
            // same way.
            _ = try await store.release(claim)
            return .deadLetter(
                reason: .kometRejected, detail: refusal.message, httpStatus: refusal.httpStatus)
        case .notFound:
            return nil
        }
    }

    /// Looks for the contact among the customer's contacts, with a look-up that started at or after `validFrom` (when
    /// no earlier call for the key can still land). Each look-up is a call (it spends quota like any other), shared
    /// with every other reconciliation of the customer that is due by then (``SharedLookups``); transient failures
    /// are retried with backoff, and an outage waits at the gate.
    func reconcile(
        _ request: KometContactRequest, attempts: inout Attempts, validFrom: Date
    ) async throws -> Reconciliation {
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        let customerId = request.customerId
        while true {
            let ticket: SharedLookups.Ticket
            switch try await lookups.lookUp(customerId: customerId, validFrom: validFrom) {
            case .answered(let contacts): return Self.match(request, in: contacts)
            case .yours(let yours): ticket = yours
            }
            let pass: KometCallGate.Pass
            do {
                pass = try await gate.enter()
            } catch {
                lookups.fail(ticket)
                throw error
            }
            attempts.count += 1
            do throws(KometError) {
                let contacts: [KometContact]
                do {
                    contacts = try await komet.listContacts(customerId: customerId, logger: logger)
                } catch {
                    lookups.fail(ticket)
                    throw error
                }
                lookups.finish(ticket, contacts: contacts)
                gate.recordSuccess(of: pass)
                return Self.match(request, in: contacts)
            } catch {
                switch error.failureClass {
                case .throttled, .systemic:
                    metrics.recordRetry(method: .list, failureClass: error.failureClass)
                    closeGate(for: error, after: pass)
                case .rejected:
                    gate.recordSuccess(of: pass)
                    return .refused(error)
                case .transient, .ambiguous:
                    metrics.recordRetry(method: .list, failureClass: error.failureClass)
                    guard gate.recordTransientFailure(of: pass) else { continue }
                    failures += 1
                    try await Task.sleep(for: retry.backoff(retry: failures, using: &generator))
                }
            }
        }
    }

    private static func match(_ request: KometContactRequest, in contacts: [KometContact]) -> Reconciliation {
        contacts.first { ContactMatch.matches($0, request) }.map(Reconciliation.found) ?? .notFound
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
