import AsyncHTTPClient
import NIOCore
import Synchronization

/// Enforces the connect timeout for all of one client's requests: a request whose head has not been written (it has
/// no connection yet) when its timeout passes is failed with `ConnectTimeoutElapsed`.
///
/// One sweep per `period` looks at every watched request, instead of one timer per request: scheduling and cancelling
/// a timer from outside the event loop wakes the loop twice per call, which was a measurable part of a call's cost.
/// A request is therefore failed between `timeout` and `timeout + period` after it started. A sweep is scheduled only
/// while requests are watched, so an idle client costs nothing.
final class ConnectWatchdog: Sendable {
    private struct Watched {
        var deadline: NIODeadline
        var collector: KometResponseCollector
        var task: HTTPClient.Task<KometHTTPResponse>
    }

    private struct State {
        var nextID = 0
        var watched: [Int: Watched] = [:]
        var sweepScheduled = false
    }

    private let timeout: TimeAmount
    let period: TimeAmount
    private let state = Mutex(State())

    /// A watchdog failing requests after `timeout`; sweeps every fifth of it (at least every 10 ms, at most every
    /// second).
    init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
        let fifth = self.timeout.nanoseconds / 5
        self.period = .nanoseconds(min(max(fifth, 10_000_000), 1_000_000_000))
    }

    /// Watches `task` from now until `release` is called with the returned ticket.
    func watch(_ task: HTTPClient.Task<KometHTTPResponse>, collector: KometResponseCollector) -> Int {
        let watched = Watched(deadline: .now() + timeout, collector: collector, task: task)
        let (ticket, startSweeping) = state.withLock { state in
            let ticket = state.nextID
            state.nextID &+= 1
            state.watched[ticket] = watched
            let startSweeping = !state.sweepScheduled
            state.sweepScheduled = true
            return (ticket, startSweeping)
        }
        if startSweeping {
            scheduleSweep(on: task.eventLoop)
        }
        return ticket
    }

    /// Stops watching the request of `ticket` (it finished, or failed).
    func release(_ ticket: Int) {
        _ = state.withLock { $0.watched.removeValue(forKey: ticket) }
    }

    private func scheduleSweep(on eventLoop: any EventLoop) {
        eventLoop.scheduleTask(in: period) { self.sweep(on: eventLoop) }
    }

    private func sweep(on eventLoop: any EventLoop) {
        let now = NIODeadline.now()
        let (expired, again) = state.withLock { state -> ([Watched], Bool) in
            var expired: [Watched] = []
            for (ticket, watched) in state.watched where watched.deadline <= now {
                expired.append(watched)
                state.watched[ticket] = nil
            }
            state.sweepScheduled = !state.watched.isEmpty
            return (expired, state.sweepScheduled)
        }
        for watched in expired {
            watched.collector.connectTimeoutElapsed(task: watched.task)
        }
        if again {
            scheduleSweep(on: eventLoop)
        }
    }
}
