import Kafka

/// Turns a consumed record into a pipeline job: decode, map and key it (cheap and pure, done on the poll thread).
/// A record that fails any step becomes a bad event with the reason.
struct EventPreparer: Sendable {
    let decoder: ContactEventDecoder
    let mapper: ContactMapper
    let keyStrategy: DedupeKeyStrategy

    func prepare(_ message: KafkaMessage) -> PipelineJob {
        let decoded: DecodedEvent
        do throws(BadEvent) {
            decoded = try decoder.decode(value: message.value, headers: message.headers)
        } catch {
            return bad(message, error, cloudEventID: nil, decoded: false)
        }
        do throws(BadEvent) {
            let request = try mapper.map(decoded.payload)
            let key = try keyStrategy.key(
                messageKey: message.key, cloudEventID: decoded.cloudEventID, request: request)
            return PipelineJob(message: message, key: key, preparation: .ready(request))
        } catch {
            return bad(message, error, cloudEventID: decoded.cloudEventID, decoded: true)
        }
    }

    private func bad(_ message: KafkaMessage, _ error: BadEvent, cloudEventID: String?, decoded: Bool) -> PipelineJob {
        var job = PipelineJob(message: message, key: PipelineJob.ownKey(of: message), preparation: .bad(error))
        job.badEventKey = keyStrategy.keyWithoutRequest(
            messageKey: message.key, cloudEventID: cloudEventID, eventDecoded: decoded)
        return job
    }
}
