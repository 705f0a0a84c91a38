import AMQPCore
import NIOCore

/// An Octopus event as an AMQP message (DESIGN.md, "Octopus event ↔ AMQP message"): the
/// envelope JSON is the one `data` section, byte for byte; beside it, for brokers and filters,
/// `message-id = id` (duplicate detection), `subject = type`, `content-type =
/// application/json`, `creation-time = occurredTimeUtc`, and application-properties `source`,
/// `type`, `specVersion`, `Diagnostic-Id` and `traceparent` (both the activityId, W3C trace
/// context as Service Bus SDKs read it).
extension OctopusEnvelope {
    /// `content-type` of an envelope message.
    public static let contentType: AMQPSymbol = "application/json"

    /// The application-properties an envelope message carries.
    public enum PropertyKey {
        public static let source = "source"
        public static let type = "type"
        public static let specVersion = "specVersion"
        /// The activityId, as Azure SDKs propagate a trace.
        public static let diagnosticID = "Diagnostic-Id"
        /// The activityId, as W3C trace context names it.
        public static let traceparent = "traceparent"
    }

    /// `message-id`, `subject`, `content-type`, `creation-time`.
    public var messageProperties: MessageProperties {
        MessageProperties(messageID: .string(id), subject: type, contentType: OctopusEnvelope.contentType,
                          creationTime: occurredTime)
    }

    /// `source`, `type`, `specVersion`, `Diagnostic-Id`, `traceparent`, in that order.
    public var applicationProperties: AMQPMap {
        [.string(PropertyKey.source): .string(source), .string(PropertyKey.type): .string(type),
         .string(PropertyKey.specVersion): .string(specVersion),
         .string(PropertyKey.diagnosticID): .string(activityID), .string(PropertyKey.traceparent): .string(activityID)]
    }

    /// The message as a value (the envelope JSON encoded into its body).
    public func message() -> AMQPMessage {
        AMQPMessage(data: encoded(), properties: messageProperties, applicationProperties: applicationProperties)
    }

    /// The size of the encoded message: what `encodeMessage(into:)` writes.
    public var encodedMessageSize: Int {
        messageProperties.amqpEncodedSize + applicationPropertiesSectionSize + 3
            + AMQPSize.variableHeader(jsonSize) + jsonSize
    }

    /// Writes the whole message — properties, application-properties, the data section with
    /// the envelope — into `buffer` in one pass, copying the payload once. The same bytes as
    /// `message().encoded()`, without building the message first.
    public func encodeMessage(into buffer: inout ByteBuffer) {
        let properties = messageProperties
        buffer.reserveCapacity(minimumWritableBytes: encodedMessageSize)
        buffer.writeAMQPRaw { writer in
            writeHead(properties, to: &writer)
            writer.bytes(of: payload)
            writer.byte(0x7D)
        }
    }

    /// The encoded message in a new buffer, ready for `AMQPSender.send(encoded:)`.
    public func encodedMessage() -> ByteBuffer {
        var buffer = ByteBuffer()
        encodeMessage(into: &buffer)
        return buffer
    }

    /// The encoded message in parts, for `AMQPTransferEncoder`: a payload of at least
    /// `bodyThreshold` bytes stays the envelope's own buffer (not copied); everything before
    /// it goes into `scratch` (consumed), and the closing `}` after it.
    public func encodeMessageParts(into scratch: inout ByteBuffer, bodyThreshold: Int = 4096) -> AMQPEncodedMessage {
        guard payload.readableBytes >= bodyThreshold else {
            encodeMessage(into: &scratch)
            return AMQPEncodedMessage(head: scratch.readSlice(length: scratch.readableBytes)!)
        }
        let properties = messageProperties
        var headSize = 0
        scratch.writeAMQPRaw { writer in
            writeHead(properties, to: &writer)
            headSize = writer.count
            writer.byte(0x7D)
        }
        let head = scratch.readSlice(length: headSize)!
        let tail = scratch.readSlice(length: scratch.readableBytes)!
        return AMQPEncodedMessage(head: head, body: payload, tail: tail)
    }

    /// Everything before the payload's bytes.
    private func writeHead(_ properties: MessageProperties, to writer: inout AMQPRawWriter) {
        properties.writeAMQP(to: &writer)
        writer.descriptor(AMQPSectionCode.applicationProperties)
        writer.compoundHeader(code8: 0xC1, code32: 0xD1, bodySize: applicationPropertiesBodySize, count: 10)
        PropertyKey.source.writeAMQP(to: &writer)
        source.writeAMQP(to: &writer)
        PropertyKey.type.writeAMQP(to: &writer)
        type.writeAMQP(to: &writer)
        PropertyKey.specVersion.writeAMQP(to: &writer)
        specVersion.writeAMQP(to: &writer)
        PropertyKey.diagnosticID.writeAMQP(to: &writer)
        activityID.writeAMQP(to: &writer)
        PropertyKey.traceparent.writeAMQP(to: &writer)
        activityID.writeAMQP(to: &writer)
        writer.descriptor(AMQPSectionCode.data)
        writer.variableHeader(code8: 0xA0, code32: 0xB0, length: jsonSize)
        writeJSONHead(to: &writer)
    }

    private var applicationPropertiesBodySize: Int {
        PropertyKey.source.amqpEncodedSize + source.amqpEncodedSize
            + PropertyKey.type.amqpEncodedSize + type.amqpEncodedSize
            + PropertyKey.specVersion.amqpEncodedSize + specVersion.amqpEncodedSize
            + PropertyKey.diagnosticID.amqpEncodedSize + PropertyKey.traceparent.amqpEncodedSize
            + 2 * activityID.amqpEncodedSize
    }

    private var applicationPropertiesSectionSize: Int {
        let body = applicationPropertiesBodySize
        return 3 + AMQPSize.compoundHeader(bodySize: body, count: 10) + body
    }
}
