extension SyncConfiguration {
    /// One documented setting.
    public struct Setting: Sendable {
        public var key: String
        public var defaultValue: String
        public var summary: String
    }

    /// Every setting the worker reads, with its default. `kafka.*` settings are passed to librdkafka as well.
    public static let settings: [Setting] = [
        Setting(key: "kafka.bootstrap.servers", defaultValue: "127.0.0.1:9092", summary: "Kafka brokers (librdkafka)."),
        Setting(key: "kafka.group.id", defaultValue: "komet-contact-sync", summary: "Consumer group of all replicas."),
        Setting(key: "topics.input", defaultValue: "contacts.created", summary: "Input topics, comma-separated."),
        Setting(
            key: "topics.success", defaultValue: "contacts.komet.succeeded", summary: "Topic for success outcomes."),
        Setting(key: "topics.deadLetter", defaultValue: "contacts.komet.dlq", summary: "Dead-letter topic."),
        Setting(key: "komet.baseURL", defaultValue: "https://api.kometsales.com/api", summary: "Komet API root."),
        Setting(key: "komet.tokenVariable", defaultValue: "KOMET_TOKEN", summary: "Env variable with the token."),
        Setting(
            key: "komet.tokenFile", defaultValue: "",
            summary: "File with the token, if the variable is unset; a rewritten file is read again, no restart."),
        Setting(key: "komet.requestTimeout", defaultValue: "15s", summary: "Deadline of one Komet call."),
        Setting(key: "komet.connectTimeout", defaultValue: "5s", summary: "TCP/TLS connect timeout."),
        Setting(
            key: "komet.maxConnections", defaultValue: "0",
            summary: "HTTP connections to Komet, kept alive: the most calls in flight. 0: `pipeline.maxInFlight`."),
        Setting(
            key: "komet.throttledPatterns", defaultValue: "quota,limit exceeded,too many requests,rate limit",
            summary: "Status-0 messages that mean throttled."),
        Setting(
            key: "komet.systemicPatterns",
            defaultValue: "token,not authorized,unauthorized,permission,access denied,forbidden",
            summary: "Status-0 messages that mean a systemic failure."),
        Setting(
            key: "komet.unknownCustomerPatterns", defaultValue: "customer not found",
            summary: "Status-0 messages that mean Komet does not know the customer."),
        Setting(
            key: "komet.unknownCustomerMemory", defaultValue: "1h",
            summary: "How long such a customer's events are dead-lettered without a call (0s: off)."),
        Setting(
            key: "komet.lateArrivalWindow", defaultValue: "30s",
            summary: "How long Komet may still finish a call the client gave up on; reconciling waits it out."),
        Setting(key: "mapping.defaultContactType", defaultValue: "Buyer", summary: "Komet contact type."),
        Setting(
            key: "mapping.registeredContactTypes", defaultValue: "None,Buyer,A/P",
            summary: "Types registered in Komet."),
        Setting(
            key: "mapping.contactTypeByTitle", defaultValue: "",
            summary: "Title=Type pairs, comma-separated (e.g. `Accounts Payable=A/P`)."),
        Setting(
            key: "mapping.customerIdMap", defaultValue: "",
            summary: "source=komet customer id pairs; when set, unlisted ids are bad events."),
        Setting(key: "mapping.sendEmailPOD", defaultValue: "false", summary: "Send `IsPrimary` as `emailPOD`."),
        Setting(
            key: "dedupe.keyOrder", defaultValue: "messageKey,cloudEventID,requestHash",
            summary: "Where the dedupe key comes from, first match wins."),
        Setting(key: "dedupe.backend", defaultValue: "sqlite", summary: "`sqlite`, `postgres` or `memory`."),
        Setting(key: "dedupe.sqlitePath", defaultValue: "komet-contact-sync.sqlite", summary: "SQLite file."),
        Setting(
            key: "postgres.host", defaultValue: "127.0.0.1", summary: "PostgreSQL host (`dedupe.backend=postgres`)."),
        Setting(key: "postgres.port", defaultValue: "5432", summary: "PostgreSQL port."),
        Setting(key: "postgres.database", defaultValue: "komet_contact_sync", summary: "Database of every replica."),
        Setting(key: "postgres.user", defaultValue: "komet_contact_sync", summary: "Database user."),
        Setting(
            key: "postgres.passwordVariable", defaultValue: "PGPASSWORD", summary: "Env variable with the password."),
        Setting(
            key: "postgres.passwordFile", defaultValue: "", summary: "File with the password, if the variable is unset."
        ),
        Setting(key: "postgres.tls", defaultValue: "prefer", summary: "`disable`, `prefer` or `require` (verified)."),
        Setting(key: "postgres.poolSize", defaultValue: "8", summary: "Connections each replica keeps at most."),
        Setting(key: "postgres.connectTimeout", defaultValue: "10s", summary: "Connect timeout."),
        Setting(
            key: "dedupe.claimLease", defaultValue: "60s",
            summary: "How long a claim is held between renewals; longer than `komet.requestTimeout` + 1s."),
        Setting(key: "dedupe.retention", defaultValue: "30d", summary: "How long keys are remembered."),
        Setting(key: "dedupe.pruneInterval", defaultValue: "1h", summary: "How often old keys are pruned."),
        Setting(
            key: "pipeline.maxInFlight", defaultValue: "32",
            summary:
                "Events between claim and Komet's answer at once: the most calls in flight. Others are not counted."),
        Setting(
            key: "pipeline.maxBuffered", defaultValue: "2000",
            summary: "Buffered events before partitions are paused."),
        Setting(key: "pipeline.maxPayloadBytes", defaultValue: "1048576", summary: "Larger events are refused unread."),
        Setting(
            key: "pipeline.drainTimeout", defaultValue: "30s",
            summary: "Wait for in-flight events on revoke/stop; shorter than `kafka.max.poll.interval.ms`."),
        Setting(
            key: "pipeline.ambiguousPolicy", defaultValue: "reconcile",
            summary: "`reconcile`, `deadLetter` or `retry` for unknown outcomes."),
        Setting(key: "retry.maxAttempts", defaultValue: "5", summary: "Calls per event for transient failures."),
        Setting(key: "retry.baseDelay", defaultValue: "500ms", summary: "First backoff (full jitter)."),
        Setting(key: "retry.maxDelay", defaultValue: "30s", summary: "Backoff cap."),
        Setting(key: "retry.maxElapsed", defaultValue: "5m", summary: "Give up on an event after this long."),
        Setting(key: "retry.throttleDelay", defaultValue: "60s", summary: "Pause when throttled without Retry-After."),
        Setting(key: "retry.systemicProbeInterval", defaultValue: "30s", summary: "Probe interval after 401/403."),
        Setting(
            key: "retry.quotaProbeInterval", defaultValue: "10m",
            summary: "Probe interval once the daily quota is spent."),
        Setting(
            key: "retry.outageThreshold", defaultValue: "5",
            summary: "Transient failures in a row that pause calls as an outage (probes back off base..max delay)."),
        Setting(key: "http.host", defaultValue: "0.0.0.0", summary: "Bind address of /health, /ready, /metrics."),
        Setting(
            key: "health.stallTimeout", defaultValue: "5m",
            summary:
                "/health fails when the poll loop, or the pipeline with work to do, makes no progress for this long."),
        Setting(key: "http.port", defaultValue: "8080", summary: "Port; 0 = any free port, -1 = off."),
        Setting(key: "log.level", defaultValue: "info", summary: "trace, debug, info, notice, warning, error."),
        Setting(key: "log.format", defaultValue: "text", summary: "`text` or `json`."),
        Setting(key: "log.personalData", defaultValue: "false", summary: "Log names, emails, phones unredacted."),
        Setting(
            key: "komet.dailyQuota", defaultValue: "1000",
            summary: "Komet calls per licensed user per day: the budget all replicas share."),
        Setting(
            key: "komet.quotaReserve", defaultValue: "0",
            summary: "Calls per day left for other integrations (budget = quota - reserve, > 0)."),
        Setting(
            key: "komet.quotaResetTime", defaultValue: "00:00", summary: "Time of day (HH:mm) Komet resets the quota."),
        Setting(key: "komet.quotaTimeZone", defaultValue: "UTC", summary: "IANA time zone of the reset time."),
        Setting(
            key: "komet.quotaPeriod", defaultValue: "1d",
            summary: "Budget window; shorter than 1d only for tests and demos that want to see a reset."),
        Setting(
            key: "komet.callsPerSecond", defaultValue: "0",
            summary: "Komet calls per second of each replica (0: no rate limit)."),
    ]
}
