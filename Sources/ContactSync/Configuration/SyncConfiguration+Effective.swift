extension SyncConfiguration {
    /// One line of `run --print-config`: a setting's effective value and where it came from.
    public struct EffectiveSetting: Sendable, Equatable {
        public enum Origin: Sendable, Equatable, CustomStringConvertible {
            case `default`
            case file
            case environment(String)

            public var description: String {
                switch self {
                case .default: "default"
                case .file: "file"
                case .environment(let name): name
                }
            }
        }

        public var key: String
        /// The value as read, or ``redacted`` for a secret.
        public var value: String
        public var origin: Origin
    }

    /// What `--print-config` shows instead of a secret value.
    public static let redacted = "<redacted>"

    /// librdkafka properties whose values are secrets (passwords, private keys, OAuth client secrets and configs).
    static func isSecretKafkaProperty(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "key.pem", "oauthbearer.config", "sasl.jaas", "keystore"]
            .contains { lowered.contains($0) }
    }

    /// Every documented setting, then every `kafka.*` pass-through property, with the value the worker uses and its
    /// origin. Secrets are ``redacted``: librdkafka passwords and keys, and the user part of `komet.baseURL`. The
    /// Komet token and the PostgreSQL password are never settings: only the names of the variables and files they
    /// come from appear.
    public static func effectiveSettings(source: ConfigurationSource) -> [EffectiveSetting] {
        func origin(of key: String) -> EffectiveSetting.Origin {
            let variable = ConfigurationSource.environmentName(for: key)
            if source.environment[variable] != nil { return .environment(variable) }
            if source.fileValues[key] != nil { return .file }
            return .default
        }
        var lines = settings.map { setting in
            let value = source.value(setting.key) ?? setting.defaultValue
            return EffectiveSetting(
                key: setting.key, value: setting.key == "komet.baseURL" ? withoutUserInfo(value) : value,
                origin: origin(of: setting.key))
        }
        let documented = Set(settings.map(\.key))
        let fromEnvironment = ConfigurationSource(environment: source.environment).kafkaVariableNames()
        for (property, value) in source.values(withPrefix: "kafka.").sorted(by: { $0.key < $1.key }) {
            let key = "kafka.\(property)"
            guard !documented.contains(key) else { continue }
            lines.append(
                EffectiveSetting(
                    key: key, value: isSecretKafkaProperty(property) ? redacted : value,
                    origin: fromEnvironment[property].map { .environment($0) } ?? .file))
        }
        return lines
    }

    /// `https://user:secret@host/api` as `https://<redacted>@host/api`.
    static func withoutUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + redacted + String(url[at...])
    }
}
