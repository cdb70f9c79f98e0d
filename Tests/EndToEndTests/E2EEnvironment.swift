import Foundation

/// Where the end-to-end tests find the binaries and tools they drive.
enum E2EEnvironment {
    /// The folder holding the built executables: `KOMET_SYNC_BIN_DIR`, else the folder of the running test binary
    /// (`.build/<triple>/debug`, where SwiftPM puts the executables too).
    static func binaryDirectory() -> URL {
        if let override = ProcessInfo.processInfo.environment["KOMET_SYNC_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On macOS the test binary sits inside `<name>.xctest/Contents/MacOS`.
        while directory.path.contains(".xctest") {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    /// The path of a built executable of this package; throws a message telling how to build it when missing.
    static func binary(_ name: String) throws -> URL {
        let directory = binaryDirectory()
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw E2EError(
                "the executable `\(name)` is missing from \(directory.path): run `swift build` (or `swift build "
                    + "--build-tests`, or scripts/test) first, or set KOMET_SYNC_BIN_DIR")
        }
        return url
    }

    /// A tool found on PATH (kcat, python3).
    static func tool(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw E2EError("`\(name)` is not on PATH: run scripts/bootstrap first")
    }

    /// A python3 that can `import confluent_kafka`. Debian's python3-confluent-kafka installs into /usr/bin/python3,
    /// which is not always the first python3 on PATH (pyenv, venvs), so that one is tried first.
    static func pythonWithConfluentKafka(in directory: URL) async throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["E2E_PYTHON"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        candidates.append(URL(fileURLWithPath: "/usr/bin/python3"))
        if let onPath = try? tool("python3") { candidates.append(onPath) }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            let result = try await CommandRunner.run(
                candidate, ["-c", "import confluent_kafka"], timeout: .seconds(30), in: directory)
            if result.status == 0 { return candidate }
        }
        throw E2EError(
            "no python3 with the confluent_kafka module (tried \(candidates.map(\.path))): run scripts/bootstrap "
                + "(it installs python3-confluent-kafka)")
    }

    /// The environment for every child process: the test's own, minus the worker's `KOMET_SYNC_*` settings
    /// (which would override the test's configuration file) and any Komet token.
    static func childEnvironment(adding extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("KOMET_SYNC_") && name != "KOMET_TOKEN"
        }
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// A fresh temporary folder for one test. Removed by `removeTemporaryDirectory` unless E2E_KEEP_TMP is set.
    static func makeTemporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("komet-e2e-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func removeTemporaryDirectory(_ url: URL) {
        if ProcessInfo.processInfo.environment["E2E_KEEP_TMP"] != nil {
            print("e2e: kept \(url.path)")
            return
        }
        try? FileManager.default.removeItem(at: url)
    }
}
