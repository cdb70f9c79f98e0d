extension Duration {
    /// Whole milliseconds, clamped to `0...Int32.max`: the shape of librdkafka's `timeout_ms` arguments (and of the
    /// mock cluster's round-trip time).
    var clampedMilliseconds: Int32 {
        let components = components
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(milliseconds, 0))
    }
}
