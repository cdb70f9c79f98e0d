/// Every metric the worker exposes, with its help text: the one list that `/metrics`, the dashboard
/// (`deploy/grafana/`), the alert rules (`deploy/prometheus/alerts.yaml`) and the runbook go by.
///
/// Names follow Prometheus' conventions: counters end in `_total`, durations are in seconds, and process metrics use
/// the names every Prometheus client library uses, so standard dashboards find them.
public enum SyncMetricName: String, CaseIterable, Sendable {
    case buildInfo = "komet_sync_build_info"
    case outcomes = "komet_sync_outcomes_total"
    case kometCalls = "komet_sync_komet_calls_total"
    case kometCallDuration = "komet_sync_komet_call_duration_seconds"
    case kometCallsInFlight = "komet_sync_komet_calls_in_flight"
    case kometRetries = "komet_sync_komet_retries_total"
    case kometPaused = "komet_sync_komet_paused"
    case eventsBuffered = "komet_sync_events_buffered"
    case eventsInFlight = "komet_sync_events_in_flight"
    case assignedPartitions = "komet_sync_assigned_partitions"
    case pausedPartitions = "komet_sync_paused_partitions"
    case consumerLag = "komet_sync_consumer_lag"
    case committedOffset = "komet_sync_committed_offset"
    case quotaLimit = "komet_sync_quota_limit"
    case quotaUsed = "komet_sync_quota_used"
    case quotaRemaining = "komet_sync_quota_remaining"
    case storeRoundTrips = "komet_sync_store_round_trips_total"
    case storeTripDuration = "komet_sync_store_trip_duration_seconds"
    case storeLost = "komet_sync_store_lost"
    case ready = "komet_sync_ready"
    case processCPUSeconds = "process_cpu_seconds_total"
    case processResidentMemory = "process_resident_memory_bytes"
    case processVirtualMemory = "process_virtual_memory_bytes"
    case processOpenFDs = "process_open_fds"
    case processMaxFDs = "process_max_fds"
    case processStartTime = "process_start_time_seconds"

    public var help: String {
        switch self {
        case .buildInfo: "Always 1; the labels say which build runs."
        case .outcomes:
            "Outcome records published, by kind (success, dead_letter) and outcome (status or dead-letter reason)."
        case .kometCalls: "Komet API calls made, by method, counted when each request is sent (quota spent)."
        case .kometCallDuration:
            "Komet API call duration, by method and result (ok, or the failure class), from sending to the answer."
        case .kometCallsInFlight: "Komet API calls sent and not yet answered."
        case .kometRetries: "Komet calls to be made again after a failure, by method and failure class."
        case .kometPaused: "Whether Komet calls are paused, by reason (1 = paused)."
        case .eventsBuffered: "Events received from Kafka and waiting behind an earlier event of their key."
        case .eventsInFlight: "Events started and not finished (waiting for a call slot, calling Komet, publishing)."
        case .assignedPartitions: "Partitions assigned to this replica."
        case .pausedPartitions: "Assigned partitions this replica has paused (buffer full, or Komet refuses our calls)."
        case .consumerLag:
            "Records in the partition after the consumer group's committed offset (high watermark less committed)."
        case .committedOffset: "The consumer group's committed offset (the next record to consume), per partition."
        case .quotaLimit: "Komet calls the shared budget allows in its current window (all replicas together)."
        case .quotaUsed: "Komet calls spent in the shared budget's current window (all replicas together)."
        case .quotaRemaining: "Komet calls left in the shared budget's current window (all replicas together)."
        case .storeRoundTrips:
            "Round trips to the store's database (transactions on SQLite, statements on PostgreSQL)."
        case .storeTripDuration: "Duration of one round trip to the store's database, by backend."
        case .storeLost: "1 when the store this worker opened is gone (consumption stopped; see the runbook)."
        case .ready: "1 when /ready answers 200."
        case .processCPUSeconds: "User and system CPU time spent, in seconds."
        case .processResidentMemory: "Resident memory size, in bytes."
        case .processVirtualMemory: "Virtual memory size, in bytes."
        case .processOpenFDs: "Open file descriptors."
        case .processMaxFDs: "The limit on open file descriptors."
        case .processStartTime: "Start time of the process since the Unix epoch, in seconds."
        }
    }
}
