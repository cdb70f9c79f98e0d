import Logging
import Synchronization

/// The one door every Komet call passes through, so a throttle or a systemic failure pauses calls, not the process.
///
/// While the gate is closed, callers wait. When the pause ends, exactly one caller goes through as a probe; the
/// others keep waiting until the probe's result either opens the gate or closes it again. So during a long outage the
/// service makes one call per pause interval, whatever the number of events waiting.
final class KometCallGate: Sendable {
    enum Reason: String, Sendable {
        case throttled
        case systemic
    }

    private struct State {
        var closedUntil: ContinuousClock.Instant?
        var reason: Reason?
        var probeInFlight = false
    }

    private enum Admission {
        case pass
        case wait(until: ContinuousClock.Instant)
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()
    private let pollInterval: Duration
    private let logger: Logger

    init(logger: Logger, pollInterval: Duration = .milliseconds(50)) {
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Waits until a call may be made. Throws `CancellationError` when the task is cancelled.
    func enter() async throws {
        while true {
            let now = clock.now
            let admission: Admission = state.withLock { state in
                guard let until = state.closedUntil else { return .pass }
                if now < until { return .wait(until: until) }
                if state.probeInFlight { return .wait(until: now + pollInterval) }
                state.probeInFlight = true
                return .pass
            }
            switch admission {
            case .pass: return
            case .wait(let until): try await Task.sleep(until: min(until, now + .seconds(1)), clock: clock)
            }
        }
    }

    /// A call went through: the gate opens for everyone.
    func recordSuccess() {
        let reopened: Reason? = state.withLock { state in
            defer { state = State() }
            return state.reason
        }
        if let reopened {
            logger.notice("Komet calls resume", metadata: ["komet.pause.reason": "\(reopened.rawValue)"])
        }
    }

    /// A call answered throttled or systemic: close the gate for `pause`. Logs once per closing, not once per event.
    func close(_ reason: Reason, for pause: Duration, detail: String) {
        let until = clock.now + pause
        let wasOpen: Bool = state.withLock { state in
            let wasOpen = state.closedUntil == nil
            state.closedUntil = max(state.closedUntil ?? until, until)
            state.reason = reason
            state.probeInFlight = false
            return wasOpen
        }
        guard wasOpen else { return }
        let metadata: Logger.Metadata = [
            "komet.pause.reason": "\(reason.rawValue)", "komet.pause.seconds": "\(pause.components.seconds)",
            "error.detail": "\(detail)",
        ]
        switch reason {
        case .systemic: logger.error("Komet refuses our calls; pausing calls and probing", metadata: metadata)
        case .throttled: logger.warning("Komet throttles our calls; pausing calls", metadata: metadata)
        }
    }

    /// The probe (or any call) ended without a verdict on the pause (e.g. a transient error): let another caller probe.
    func releaseProbe() {
        state.withLock { $0.probeInFlight = false }
    }

    /// Why calls are paused, or `nil` when they are not.
    var pauseReason: Reason? {
        state.withLock { $0.closedUntil == nil ? nil : $0.reason }
    }
}
