import AMQPCore
import NIOCore

/// One header or frame as a trace line: the performative and its fields by spec name, with
/// the SASL frames that carry credentials (`sasl-init`, `sasl-response`) shown by size only.
struct FrameTrace: CustomStringConvertible {
    var item: AMQPInbound

    init(_ item: AMQPInbound) {
        self.item = item
    }

    var description: String {
        switch item {
        case .header(let header):
            return "header \(header)"
        case .frame(let frame):
            switch frame.body {
            case .empty:
                return "[\(frame.channel)] heartbeat"
            case .sasl(.initiate(let initiate)):
                let size = initiate.initialResponse?.readableBytes ?? 0
                return "[\(frame.channel)] sasl-init mechanism=\(initiate.mechanism) initial-response=<\(size) bytes, not shown>"
            case .sasl(.response(let response)):
                return "[\(frame.channel)] sasl-response <\(response.response.readableBytes) bytes, not shown>"
            case .sasl(let body):
                var buffer = ByteBuffer()
                body.writeAMQP(into: &buffer)
                return "[\(frame.channel)] \(body.specName) \(Self.fields(buffer))"
            case .amqp(let performative, let payload):
                var buffer = ByteBuffer()
                performative.writeAMQP(into: &buffer)
                let suffix = payload.readableBytes > 0 ? " +\(payload.readableBytes) payload bytes" : ""
                return "[\(frame.channel)] \(performative.specName) \(Self.fields(buffer))\(suffix)"
            }
        }
    }

    /// The composite's field list (its descriptor is the name already shown).
    private static func fields(_ buffer: ByteBuffer) -> String {
        guard let value = try? AMQPValue(decoding: buffer) else { return "<\(buffer.readableBytes) bytes>" }
        if case .described(let described) = value { return AMQPFormatter(maxBinaryBytes: 16).inline(described.value) }
        return AMQPFormatter(maxBinaryBytes: 16).inline(value)
    }
}
