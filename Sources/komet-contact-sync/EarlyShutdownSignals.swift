#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGTERM and SIGINT in the first moments of the process, before the service group traps them.
///
/// ServiceLifecycle installs its signal handling when the `ServiceGroup` starts running, and only then starts the
/// services. A signal that comes earlier would end the process by its default action (killed by SIGTERM, status 143).
/// Until then nothing has started: no consumer has joined the group, no event is in flight, nothing is left to drain
/// or commit. So exiting 0 at once is the whole graceful shutdown, and that is what this handler does. The service
/// group's own handling replaces it as soon as it is installed.
enum EarlyShutdownSignals {
    /// Installs the handler for SIGTERM and SIGINT. Call it first thing in `run`.
    static func exitQuietlyUntilTrapped() {
        for signalNumber in [SIGTERM, SIGINT] {
            _ = signal(signalNumber) { _ in
                // Only async-signal-safe calls here.
                let line: StaticString =
                    "komet-contact-sync: stop signal before start-up finished; nothing to drain, exit 0\n"
                _ = line.withUTF8Buffer { write(2, $0.baseAddress, $0.count) }
                _exit(0)
            }
        }
    }
}
