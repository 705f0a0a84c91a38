import AMQPCore
import NIOCore

/// Messages sent as one transfer: message-format 0x80013700 (`AMQPBatchMessageFormat`), and a
/// body of one `data` section per encoded message.
///
/// Like the official SDKs, the envelope carries the first message's `message-id`,
/// `group-id` (session) and partition keys, so the service can route the batch. `tryAdd`
/// sizes exactly: `encodedSize` is the envelope's encoded size, which is what the link's
/// max-message-size limits.
public struct ServiceBusMessageBatch: Hashable, Sendable {
    /// The transfer's message-format for a batch.
    public static let messageFormat: UInt32 = AMQPBatchMessageFormat

    public let maxSizeInBytes: Int
    /// Each message, encoded.
    public private(set) var encodedMessages: [ByteBuffer] = []
    private var envelopeProperties: MessageProperties?
    private var envelopeAnnotations: AMQPMap?
    private var sectionsSize = 0

    /// A batch that never grows past `maxSizeInBytes` (the link's max-message-size).
    public init(maxSizeInBytes: Int) {
        self.maxSizeInBytes = maxSizeInBytes
    }

    public var count: Int { encodedMessages.count }
    public var isEmpty: Bool { encodedMessages.isEmpty }

    /// The envelope's exact encoded size (0 when empty).
    public var encodedSize: Int {
        guard !isEmpty else { return 0 }
        return Self.envelopeHeadSize(properties: envelopeProperties, annotations: envelopeAnnotations) + sectionsSize
    }

    /// Adds `message` if the batch still fits in `maxSizeInBytes`; false (and unchanged) if not.
    @discardableResult
    public mutating func tryAdd(_ message: ServiceBusMessage) -> Bool {
        tryAdd(encoded: message.amqpMessage.encoded(), first: message)
    }

    /// Adds an already encoded message (its envelope fields are not read).
    @discardableResult
    public mutating func tryAdd(encodedMessage: ByteBuffer) -> Bool {
        tryAdd(encoded: encodedMessage, first: nil)
    }

    private mutating func tryAdd(encoded: ByteBuffer, first: ServiceBusMessage?) -> Bool {
        var properties = envelopeProperties
        var annotations = envelopeAnnotations
        if isEmpty, let first {
            (properties, annotations) = Self.envelopeFields(of: first)
        }
        let section = Self.dataSectionSize(encoded.readableBytes)
        let size = Self.envelopeHeadSize(properties: properties, annotations: annotations) + sectionsSize + section
        guard size <= maxSizeInBytes else { return false }
        envelopeProperties = properties
        envelopeAnnotations = annotations
        sectionsSize += section
        encodedMessages.append(encoded)
        return true
    }

    /// The envelope as a message (body: one `data` section per message). Send it with
    /// `messageFormat`.
    public var amqpMessage: AMQPMessage {
        AMQPMessage(
            messageAnnotations: envelopeAnnotations,
            properties: envelopeProperties,
            body: .dataSections(encodedMessages))
    }

    /// The envelope's bytes.
    public func encoded() -> ByteBuffer { amqpMessage.encoded() }

    /// The messages a batch envelope carries (the server side): each `data` section decoded.
    public static func decodeMessages(of envelope: AMQPMessage) throws(ServiceBusMessageFormatError) -> [AMQPMessage] {
        let sections: [ByteBuffer]
        switch envelope.body {
        case .data(let single): sections = [single]
        case .dataSections(let many): sections = many
        default: throw ServiceBusMessageFormatError(code: .invalidBody, field: "body")
        }
        var messages: [AMQPMessage] = []
        messages.reserveCapacity(sections.count)
        for section in sections {
            do {
                messages.append(try AMQPMessage(decoding: section))
            } catch {
                throw ServiceBusMessageFormatError(code: .undecodableMessage, field: "body", decodingError: error)
            }
        }
        return messages
    }

    static func envelopeFields(of message: ServiceBusMessage) -> (MessageProperties?, AMQPMap?) {
        var properties: MessageProperties? = nil
        if message.messageID != nil || message.sessionID != nil {
            properties = MessageProperties(messageID: message.messageID.map { .string($0) }, groupID: message.sessionID)
        }
        var annotations = AMQPMap()
        if let key = message.partitionKey { annotations[symbol: ServiceBusAnnotationKey.partitionKey] = .string(key) }
        if let key = message.viaPartitionKey { annotations[symbol: ServiceBusAnnotationKey.viaPartitionKey] = .string(key) }
        return (properties, annotations.isEmpty ? nil : annotations)
    }

    static func envelopeHeadSize(properties: MessageProperties?, annotations: AMQPMap?) -> Int {
        AMQPMessage(messageAnnotations: annotations, properties: properties, body: .none).encodedSize
    }

    /// A `data` section: descriptor (3 bytes) and the binary's encoding.
    static func dataSectionSize(_ length: Int) -> Int { 3 + (length <= 255 ? 2 : 5) + length }
}
