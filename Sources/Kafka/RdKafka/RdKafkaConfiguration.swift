import CRdKafka

/// Builds an `rd_kafka_conf_t` from string settings, with errors that name the setting.
struct RdKafkaConfiguration {
    /// A setting the caller may not change. `accepted` are the caller values that mean the same thing.
    struct Forced {
        var key: String
        var value: String
        var accepted: Set<String>

        init(_ key: String, _ value: String, accepting accepted: Set<String> = []) {
            self.key = key
            self.value = value
            self.accepted = accepted.union([value])
        }
    }

    /// Settings applied first; the caller's settings replace them.
    var defaults: [String: String]
    /// Settings applied last; a caller value that differs is an error.
    var forced: [Forced]

    /// Validates `settings` and returns a new `rd_kafka_conf_t` that the caller owns (pass it to `rd_kafka_new`,
    /// or destroy it).
    func makeConf(_ settings: [String: String]) throws(KafkaError) -> OpaquePointer {
        for forced in forced {
            if let value = settings[forced.key], !forced.accepted.contains(value.lowercased()) {
                throw .configuration(
                    forced.key,
                    "Configuration property \"\(forced.key)\" must be \"\(forced.value)\" here, not \"\(value)\""
                )
            }
        }
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "rd_kafka_conf_new failed")
        }
        do {
            for (key, value) in defaults.sorted(by: { $0.key < $1.key }) where settings[key] == nil {
                try Self.set(conf, key, value)
            }
            for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
                try Self.validateKey(key)
                try Self.set(conf, key, value)
            }
            for forced in forced {
                try Self.set(conf, forced.key, forced.value)
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    private static func validateKey(_ key: String) throws(KafkaError) {
        guard let first = key.first else {
            throw .configuration(key, "Empty configuration property name")
        }
        if first == "." || key.last == "." || key.contains("..") || key.contains(where: \.isWhitespace) {
            throw .configuration(key, "Malformed configuration property name: \"\(key)\"")
        }
    }

    private static func set(_ conf: OpaquePointer, _ key: String, _ value: String) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            let text = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            // librdkafka names the canonical property (an alias such as linger.ms reports queue.buffering.max.ms).
            let message: String
            if text.isEmpty {
                message = "Invalid value for configuration property \"\(key)\""
            } else if text.contains("\"\(key)\"") {
                message = text
            } else {
                message = "Configuration property \"\(key)\": \(text)"
            }
            throw .configuration(key, message)
        }
    }
}
