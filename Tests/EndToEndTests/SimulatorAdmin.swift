import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Komet simulator's admin endpoints (no token).
struct SimulatorAdmin {
    /// A contact as the simulator stores it.
    struct Contact {
        var customerId: Int64
        var id: Int64
        var name: String?
        var email: String?
        var phone: String?
        var type: String?
    }

    /// `http://127.0.0.1:PORT`
    let baseURL: URL

    func contacts() async throws -> [Contact] {
        let data = try await request("GET", "admin/contacts")
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = document["contacts"] as? [[String: Any]]
        else {
            throw E2EError("GET /admin/contacts answered \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        return try list.map { item in
            guard let customerId = Self.int64(item["customerId"]), let id = Self.int64(item["id"]) else {
                throw E2EError("a contact without customerId/id: \(item)")
            }
            return Contact(
                customerId: customerId, id: id, name: item["name"] as? String, email: item["email"] as? String,
                phone: item["phone"] as? String, type: item["type"] as? String)
        }
    }

    /// The raw `/admin/stats` JSON, for the summary line.
    func stats() async throws -> String {
        String(decoding: try await request("GET", "admin/stats"), as: UTF8.self)
    }

    /// The `/admin/stats` counters by name (`addCalls`, `serverErrors`, `quotaExceeded`, ...).
    func counters() async throws -> [String: Int] {
        let data = try await request("GET", "admin/stats")
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw E2EError("GET /admin/stats answered \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        return document.compactMapValues { Self.int64($0).map { Int($0) } }
    }

    /// Waits until the simulator holds no add (late fault or spike; the `heldAdds` counter is 0), so that its
    /// contacts include every add it received. Throws when some are still held after `bound`.
    func waitForHeldAdds(within bound: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + bound
        while try await counters()["heldAdds", default: 0] > 0 {
            guard ContinuousClock.now < deadline else {
                throw E2EError("the simulator still holds late or spiked adds after \(bound)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `POST /admin/types`: registers a contact type, as an administrator does in Komet.
    func registerContactType(_ type: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["type": type])
        _ = try await request("POST", "admin/types", body: body)
    }

    /// `POST /admin/quota/reset`: today's quota is available again.
    func resetQuota() async throws {
        _ = try await request("POST", "admin/quota/reset")
    }

    /// `PUT /admin/token`: the simulated account's token is `token` from now on; the previous one is refused.
    func rotateToken(to token: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["token": token])
        _ = try await request("PUT", "admin/token", body: body)
    }

    /// `PUT /admin/faults` with a partial faults JSON object.
    func setFaults(_ json: String) async throws {
        _ = try await request("PUT", "admin/faults", body: Data(json.utf8))
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw E2EError("\(method) /\(path) answered HTTP \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber: return number.int64Value
        case let string as String: return Int64(string)
        default: return nil
        }
    }
}
