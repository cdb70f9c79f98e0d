import DurationConversions

extension Duration {
    /// Whole milliseconds, clamped to `0...Int32.max`: the shape of librdkafka's `timeout_ms` arguments (and of the
    /// mock cluster's round-trip time).
    var clampedMilliseconds: Int32 {
        Int32(clamping: max(wholeMilliseconds, 0))
    }
}
