/// Metadata keys of the command-line tool's own log lines (the worker's are in ContactSync's `SyncLogKey`).
enum CommandLogKey {
    static let httpAddress = "http.address"
}
