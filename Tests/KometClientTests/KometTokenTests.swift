import Foundation
import KometClient
import Testing

@Suite("KometToken")
struct KometTokenTests {
    @Test("descriptions, reflection and dump never show the value")
    func redactedDescriptions() {
        let token = KometToken("tok-SECRET-123")
        var dumped = ""
        dump(token, to: &dumped)
        for text in [
            String(describing: token), String(reflecting: token), "\(token)", dumped,
            String(describing: [token]),
        ] {
            #expect(!text.contains("SECRET"), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test("redact replaces the token, raw and percent-encoded")
    func redact() {
        let token = KometToken("a/b c")
        #expect(token.redact("x a/b c y a/b c") == "x <redacted> y <redacted>")
        #expect(
            token.redact("GET /api?authenticationToken=a%2Fb%20c&customerId=1")
                == "GET /api?authenticationToken=<redacted>&customerId=1")
        #expect(KometToken("").redact("unchanged") == "unchanged")
    }

    @Test("load prefers the environment variable and trims it")
    func loadFromEnvironment() throws {
        let token = try KometToken.load(environment: ["KOMET_TOKEN": " tok-ENV \n"], file: "/nonexistent")
        #expect(token.redact("tok-ENV") == "<redacted>")
        let custom = try KometToken.load(environment: ["MY_TOKEN": "tok-OTHER"], variable: "MY_TOKEN", file: nil)
        #expect(custom == KometToken("tok-OTHER"))
    }

    @Test("load falls back to the file, trailing newline trimmed")
    func loadFromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("komet-token-\(UUID().uuidString)")
            .path
        try "tok-FILE-9\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try KometToken.load(environment: ["KOMET_TOKEN": ""], file: path)
        #expect(token == KometToken("tok-FILE-9"))
    }

    @Test("missing token: the error names the variable and the file")
    func missing() throws {
        let error = try #require(throws: KometTokenError.self) {
            try KometToken.load(environment: [:], variable: "KOMET_TOKEN", file: nil)
        }
        #expect(error.code == .tokenMissing)
        #expect(error.message.contains("KOMET_TOKEN"))

        let path = "/nonexistent/komet-token"
        let unreadable = try #require(throws: KometTokenError.self) {
            try KometToken.load(environment: [:], file: path)
        }
        #expect(unreadable.code == .tokenFileUnreadable)
        #expect(unreadable.message.contains(path))
    }

    @Test("an empty token file is refused")
    func emptyFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("komet-token-\(UUID().uuidString)")
            .path
        try "\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: KometTokenError.self) {
            try KometToken.load(environment: [:], file: path)
        }
        #expect(error.code == .tokenEmpty)
    }

    @Test(
        "every token error code keeps its stable text",
        arguments: [
            (KometTokenError.Code.tokenMissing, "token_missing"), (.tokenFileUnreadable, "token_file_unreadable"),
            (.tokenEmpty, "token_empty"),
        ]
    )
    func stableCodeText(code: KometTokenError.Code, text: String) {
        #expect(code.text == text)
        #expect(code.description == text)
    }

    @Test("a token error's description shows the code's text and the message")
    func errorDescription() throws {
        let error = try #require(throws: KometTokenError.self) {
            try KometToken.load(environment: [:], variable: "KOMET_TOKEN", file: nil)
        }
        #expect(
            error.description
                == "KometTokenError(token_missing): no Komet token: environment variable KOMET_TOKEN is unset or empty "
                + "and no token file is configured")
    }
}
