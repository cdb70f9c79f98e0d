/// Which build this is: `--version` prints it and `komet_sync_build_info` labels it.
public struct BuildInfo: Sendable, Equatable {
    /// The release, as tagged. Bump it with every release (the changelog is the git log).
    public var version: String
    /// The Swift compiler the binary was built with (major.minor).
    public var swiftVersion: String

    public static let current = BuildInfo(version: "0.10.0", swiftVersion: compilerVersion)

    private static var compilerVersion: String {
        #if compiler(>=6.4)
            return "6.4+"
        #elseif compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #else
            return "6.1-"
        #endif
    }
}
