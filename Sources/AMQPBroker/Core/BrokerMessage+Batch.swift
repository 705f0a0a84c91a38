import AMQPCore
import NIOCore

extension BrokerMessage {
    /// The messages of a batch transfer (message-format `AMQPBatchMessageFormat`): each `data`
    /// section of the body is one encoded message. At most `limit` messages.
    public static func batchMessages(in payload: ByteBuffer, limit: Int = BrokerLimits.default.maxBatch) throws(BrokerError) -> [ByteBuffer] {
        let body: AMQPMessage.Body
        do {
            body = try AMQPMessageView(decoding: payload).body()
        } catch {
            throw BrokerError(code: .invalidMessage, detail: "not an AMQP message: \(error)")
        }
        let sections: [ByteBuffer]
        switch body {
        case .data(let one): sections = [one]
        case .dataSections(let many): sections = many
        default: throw BrokerError(code: .invalidMessage, detail: "a batch's body is data sections")
        }
        guard sections.count <= limit else {
            throw BrokerError(code: .limitExceeded, detail: "\(sections.count) messages in a batch, at most \(limit)")
        }
        return sections
    }
}
