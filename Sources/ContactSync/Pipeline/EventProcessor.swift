import Foundation
import Kafka
import KometClient
import Logging

/// Takes one prepared event from claim to a terminal outcome: claim, call (with retries), record.
///
/// It never publishes: the pipeline publishes what it returns. `nil` means "no outcome": the task was cancelled
/// (a revoke or shutdown gave up waiting), so the event stays unfinished and is consumed again later.
struct EventProcessor: Sendable {
    var store: any DedupeStore
    var komet: any KometAPI
    var gate: KometCallGate
    var retry: RetryPolicy
    var ambiguousPolicy: AmbiguousPolicy
    /// Identifies this process in `pending` claims.
    var owner: String
    var logger: Logger

    /// The result of one event plus how many Komet calls it took.
    struct Result: Sendable {
        var outcome: EventOutcome
        var attempts: Int
    }

    func process(_ job: PipelineJob) async -> Result? {
        switch job.preparation {
        case .bad(let bad):
            return Result(
                outcome: .deadLetter(reason: bad.reason.rawValue, detail: bad.detail, httpStatus: nil), attempts: 0)
        case .ready(let request):
            var attempts = 0
            do {
                let outcome = try await createContact(key: job.key, request: request, attempts: &attempts)
                return Result(outcome: outcome, attempts: attempts)
            } catch is CancellationError {
                return nil
            } catch {
                if Task.isCancelled { return nil }
                // Whatever went wrong, one event must not stop the others: it becomes a dead letter. Its claim is
                // released (so a replay of the dead letter is processed again) only when no call could have created
                // the contact; otherwise the row stays, and a replay reconciles or skips instead of calling again.
                if attempts == 0, case .pending? = try? await store.entry(key: job.key)?.state {
                    try? await store.remove(key: job.key)
                }
                let detail = "\(type(of: error)): \(String(describing: error))"
                return Result(
                    outcome: .deadLetter(reason: PipelineReason.internalError, detail: detail, httpStatus: nil),
                    attempts: attempts)
            }
        }
    }

    private func createContact(
        key: String,
        request: KometContactRequest,
        attempts: inout Int
    ) async throws -> EventOutcome {
        switch try await store.claim(key: key, owner: owner, now: Date()) {
        case .done(let contactId, _):
            return .success(.duplicate, contactId: contactId, message: "already created", request: request)
        case .claimed:
            break
        case .pending(let previousOwner, let since):
            logger.info(
                "earlier attempt has an unknown outcome",
                metadata: [
                    "dedupe.key": "\(key)", "claim.owner": "\(previousOwner)",
                    "claim.since": "\(since.formatted(.iso8601))", "policy": "\(ambiguousPolicy.rawValue)",
                ])
            switch ambiguousPolicy {
            case .deadLetter:
                try await store.remove(key: key)
                return .deadLetter(
                    reason: PipelineReason.ambiguousOutcome,
                    detail: "an earlier call for this key may have created the contact", httpStatus: nil)
            case .retry:
                if let done = try await reclaim(key) {
                    return .success(.duplicate, contactId: done, message: "already created", request: request)
                }
            case .reconcile:
                if let found = try await reconcile(request, attempts: &attempts) {
                    try await store.markDone(key: key, contactId: found.id, now: Date())
                    return .success(.reconciled, contactId: found.id, message: "found in Komet", request: request)
                }
                if let done = try await reclaim(key) {
                    return .success(.duplicate, contactId: done, message: "already created", request: request)
                }
            }
        }
        return try await call(key: key, request: request, attempts: &attempts)
    }

    /// Takes over an ambiguous claim. Returns the contact id when another owner finished the key meanwhile.
    private func reclaim(_ key: String) async throws -> Int64? {
        do {
            try await store.reclaim(key: key, owner: owner, now: Date())
            return nil
        } catch let error as DedupeStoreError where error.code == .alreadyDone {
            guard case .done(let contactId, _)? = try await store.entry(key: key)?.state else { throw error }
            return contactId
        }
    }

    /// Calls `customer.contact.add` until a terminal answer, within the retry policy.
    private func call(key: String, request: KometContactRequest, attempts: inout Int) async throws -> EventOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + retry.maxElapsed
        var generator = SystemRandomNumberGenerator()
        var transientFailures = 0
        while true {
            try await gate.enter()
            attempts += 1
            let answer: Swift.Result<KometAddResult, KometError>
            do throws(KometError) {
                answer = .success(try await komet.addContact(request, logger: logger))
            } catch {
                answer = .failure(error)
            }
            let error: KometError
            switch answer {
            case .success(let result):
                gate.recordSuccess()
                try await store.markDone(key: key, contactId: result.contactId, now: Date())
                return .success(.created, contactId: result.contactId, message: result.message, request: request)
            case .failure(let failure):
                error = failure
            }
            switch error.failureClass {
            case .rejected:
                gate.recordSuccess()
                try await store.remove(key: key)
                return .deadLetter(
                    reason: PipelineReason.kometRejected, detail: error.message, httpStatus: error.httpStatus)
            case .throttled:
                gate.close(.throttled, for: error.retryAfter ?? retry.throttleDelay, detail: error.code)
            case .systemic:
                gate.close(.systemic, for: retry.systemicProbeInterval, detail: error.code)
            case .transient:
                gate.releaseProbe()
                transientFailures += 1
                let delay = retry.backoff(retry: transientFailures, using: &generator)
                if transientFailures >= retry.maxAttempts || clock.now + delay > deadline {
                    try await store.remove(key: key)
                    return .deadLetter(
                        reason: PipelineReason.retriesExhausted,
                        detail:
                            "gave up after \(transientFailures) transient failures; last: \(error.code): \(error.message)",
                        httpStatus: error.httpStatus)
                }
                logger.debug(
                    "transient Komet failure, backing off",
                    metadata: ["dedupe.key": "\(key)", "error.code": "\(error.code)", "retry.delay": "\(delay)"])
                try await Task.sleep(for: delay)
            case .ambiguous:
                gate.releaseProbe()
                switch ambiguousPolicy {
                case .deadLetter:
                    try await store.remove(key: key)
                    return .deadLetter(
                        reason: PipelineReason.ambiguousOutcome,
                        detail: "\(error.code): the call may have created the contact", httpStatus: error.httpStatus)
                case .retry:
                    continue
                case .reconcile:
                    if let found = try await reconcile(request, attempts: &attempts) {
                        try await store.markDone(key: key, contactId: found.id, now: Date())
                        return .success(.reconciled, contactId: found.id, message: "found in Komet", request: request)
                    }
                }
            }
        }
    }

    /// Looks for the contact among the customer's contacts. Transient failures of the look-up are retried like calls.
    private func reconcile(_ request: KometContactRequest, attempts: inout Int) async throws -> KometContact? {
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        while true {
            try await gate.enter()
            attempts += 1
            do throws(KometError) {
                let contacts = try await komet.listContacts(customerId: request.customerId, logger: logger)
                gate.recordSuccess()
                return contacts.first { ContactMatch.matches($0, request) }
            } catch {
                switch error.failureClass {
                case .throttled:
                    gate.close(.throttled, for: error.retryAfter ?? retry.throttleDelay, detail: error.code)
                case .systemic:
                    gate.close(.systemic, for: retry.systemicProbeInterval, detail: error.code)
                case .rejected:
                    // The customer itself is refused: calling add would be refused as well.
                    gate.recordSuccess()
                    throw error
                case .transient, .ambiguous:
                    gate.releaseProbe()
                    failures += 1
                    try await Task.sleep(for: retry.backoff(retry: failures, using: &generator))
                }
            }
        }
    }
}

/// Whether a contact listed by Komet is the one a request would create.
enum ContactMatch {
    static func matches(_ contact: KometContact, _ request: KometContactRequest) -> Bool {
        normalised(contact.name) == normalised(request.name)
            && normalised(contact.email) == normalised(request.email)
            && normalised(contact.type) == normalised(request.type)
            && digits(contact.phone) == digits(request.phone)
    }

    private static func normalised(_ text: String?) -> String {
        (text ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    private static func digits(_ text: String?) -> String {
        String((text ?? "").filter(\.isNumber))
    }
}
