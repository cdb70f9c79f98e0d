import Foundation

/// One record as Python's confluent_kafka sees it: bytes kept exactly (keys, values and header values may be any
/// bytes, or null), unlike kcat, which is line-based and prints JSON strings.
struct BinaryRecord: Equatable {
    var partition: Int32
    var offset: Int64
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [(name: String, value: [UInt8]?)]

    /// The last header named `name`, as UTF-8 text.
    func header(_ name: String) -> String? {
        guard let value = headers.last(where: { $0.name == name })?.value else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    var position: RecordPosition { RecordPosition(partition: partition, offset: offset) }

    static func == (lhs: BinaryRecord, rhs: BinaryRecord) -> Bool {
        lhs.partition == rhs.partition && lhs.offset == rhs.offset && lhs.key == rhs.key && lhs.value == rhs.value
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// Produces and reads records binary-safe with Python's confluent_kafka (a client independent of ours). Records
/// travel to and from the scripts as JSON lines with base64 bytes.
struct BadInputKafka {
    let python: URL
    let bootstrapServers: String
    let directory: URL

    private static let produceScript = """
        import base64, json, sys
        from confluent_kafka import Producer
        bootstrap, topic, path = sys.argv[1], sys.argv[2], sys.argv[3]
        def b(text):
            return None if text is None else base64.b64decode(text)
        p = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 8388608, "linger.ms": 20,
                      "enable.idempotence": True})
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        positions = [None] * len(records)
        def report(index):
            def cb(err, msg):
                positions[index] = [str(err)] if err is not None else [msg.partition(), msg.offset()]
            return cb
        for index, r in enumerate(records):
            headers = [(h[0], b(h[1])) for h in r["h"]]
            while True:
                try:
                    p.produce(topic, key=b(r.get("k")), value=b(r.get("v")), headers=headers, on_delivery=report(index))
                    break
                except BufferError:
                    p.poll(0.1)
            p.poll(0)
        left = p.flush(120)
        if left:
            sys.exit("%d records not delivered" % left)
        print(json.dumps(positions))
        """

    private static let readScript = """
        import base64, json, os, sys
        from confluent_kafka import Consumer, TopicPartition
        bootstrap, topic = sys.argv[1], sys.argv[2]
        def b(data):
            return None if data is None else base64.b64encode(data).decode()
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bad-input-reader", "enable.auto.commit": False,
                      "fetch.message.max.bytes": 8388608})
        try:
            parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
            ends, lows = {}, {}
            for p in parts:
                low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                if high > low:
                    ends[p], lows[p] = high, low
            c.assign([TopicPartition(topic, p, lows[p]) for p in ends])
            out = sys.stdout
            idle = 0
            while ends and idle < 30:
                m = c.poll(1.0)
                if m is None:
                    idle += 1
                    continue
                if m.error():
                    continue
                idle = 0
                headers = [[k, b(v)] for k, v in (m.headers() or [])]
                out.write(json.dumps({"p": m.partition(), "o": m.offset(), "k": b(m.key()), "v": b(m.value()),
                                      "h": headers}) + "\\n")
                if m.offset() + 1 >= ends.get(m.partition(), 0):
                    ends.pop(m.partition(), None)
            if ends:
                sys.stderr.write("did not reach the end of partitions %s\\n" % sorted(ends))
                code = 1
            else:
                code = 0
        finally:
            c.close()
        # Skip interpreter finalisation: some confluent_kafka builds drop a reference to None for every null header
        # value they return, which crashes the interpreter at exit ("none_dealloc").
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
        """

    private struct Line: Codable {
        var p: Int32?
        var o: Int64?
        var k: String?
        var v: String?
        var h: [[String?]]
    }

    /// Produces `records` to `topic` in order and returns each one's position (from its delivery report).
    func produce(topic: String, records: [(key: [UInt8]?, value: [UInt8]?, headers: [(String, [UInt8]?)])])
        async throws -> [RecordPosition]
    {
        var text = ""
        let encoder = JSONEncoder()
        for record in records {
            let line = Line(
                p: nil, o: nil, k: record.key.map { Data($0).base64EncodedString() },
                v: record.value.map { Data($0).base64EncodedString() },
                h: record.headers.map { [$0.0, $0.1.map { Data($0).base64EncodedString() }] })
            text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
        }
        let file = directory.appendingPathComponent("bad-input-\(UUID().uuidString.prefix(8)).jsonl")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await CommandRunner.checked(
            python, ["-c", Self.produceScript, bootstrapServers, topic, file.path], timeout: .seconds(180),
            in: directory)
        guard let reports = try? JSONSerialization.jsonObject(with: output) as? [[Any]], reports.count == records.count
        else {
            throw E2EError("the producer script printed \(String(decoding: output.prefix(500), as: UTF8.self))")
        }
        return try reports.enumerated().map { index, report in
            guard report.count == 2, let partition = report[0] as? Int, let offset = report[1] as? Int else {
                throw E2EError("record \(index) was not delivered: \(report)")
            }
            return RecordPosition(partition: Int32(partition), offset: Int64(offset))
        }
    }

    /// Every record of `topic`, bytes exact.
    func readAll(topic: String) async throws -> [BinaryRecord] {
        let output = try await CommandRunner.checked(
            python, ["-c", Self.readScript, bootstrapServers, topic], timeout: .seconds(180), in: directory)
        let decoder = JSONDecoder()
        func bytes(_ text: String?) throws -> [UInt8]? {
            guard let text else { return nil }
            guard let data = Data(base64Encoded: text) else { throw E2EError("bad base64 from the reader script") }
            return Array(data)
        }
        var records: [BinaryRecord] = []
        for line in output.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let parsed = try decoder.decode(Line.self, from: Data(line))
            guard let partition = parsed.p, let offset = parsed.o else { throw E2EError("a record without position") }
            records.append(
                BinaryRecord(
                    partition: partition, offset: offset, key: try bytes(parsed.k), value: try bytes(parsed.v),
                    headers: try parsed.h.map {
                        (name: $0.first.flatMap { $0 } ?? "", value: try bytes($0.last ?? nil))
                    }
                ))
        }
        return records
    }
}
