import NIOCore

/// An AMQP message with all its sections (spec 3.2): the annotated message.
///
/// Build one to send; decode one with `AMQPMessageView` (lazy, zero-copy) or
/// `AMQPMessage(decoding:)` (everything at once).
public struct AMQPMessage: Hashable, Sendable {
    /// The body (spec 3.2.5-3.2.8): data sections, amqp-sequence sections, or one amqp-value.
    public enum Body: Hashable, Sendable {
        /// No body section (not valid per the spec, but accepted from peers).
        case none
        /// One `data` section: opaque bytes (shared, not copied, when decoded).
        case data(ByteBuffer)
        /// Two or more `data` sections.
        case dataSections([ByteBuffer])
        /// One or more `amqp-sequence` sections, each a list of values.
        case sequence([[AMQPValue]])
        /// One `amqp-value` section.
        case value(AMQPValue)
    }

    public var header: MessageHeader?
    /// `delivery-annotations` (spec 3.2.2): symbol or ulong keys.
    public var deliveryAnnotations: AMQPMap?
    /// `message-annotations` (spec 3.2.3): symbol or ulong keys.
    public var messageAnnotations: AMQPMap?
    public var properties: MessageProperties?
    /// `application-properties` (spec 3.2.5): string keys, simple values.
    public var applicationProperties: AMQPMap?
    public var body: Body
    /// `footer` (spec 3.2.9).
    public var footer: AMQPMap?

    public init(
        header: MessageHeader? = nil,
        deliveryAnnotations: AMQPMap? = nil,
        messageAnnotations: AMQPMap? = nil,
        properties: MessageProperties? = nil,
        applicationProperties: AMQPMap? = nil,
        body: Body = .none,
        footer: AMQPMap? = nil
    ) {
        self.header = header
        self.deliveryAnnotations = deliveryAnnotations
        self.messageAnnotations = messageAnnotations
        self.properties = properties
        self.applicationProperties = applicationProperties
        self.body = body
        self.footer = footer
    }

    /// A message whose body is one `data` section.
    public init(data: ByteBuffer, properties: MessageProperties? = nil, applicationProperties: AMQPMap? = nil) {
        self.init(properties: properties, applicationProperties: applicationProperties, body: .data(data))
    }

    /// Decodes a whole encoded message, every section at once.
    public init(decoding bytes: ByteBuffer, limits: AMQPDecodingLimits = .default) throws(AMQPDecodingError) {
        self = try AMQPMessageView(decoding: bytes, limits: limits).decodeMessage()
    }
}

/// Descriptor codes of the message sections (spec 3.2).
public enum AMQPSectionCode {
    public static let header: UInt64 = 0x70
    public static let deliveryAnnotations: UInt64 = 0x71
    public static let messageAnnotations: UInt64 = 0x72
    public static let properties: UInt64 = 0x73
    public static let applicationProperties: UInt64 = 0x74
    public static let data: UInt64 = 0x75
    public static let amqpSequence: UInt64 = 0x76
    public static let amqpValue: UInt64 = 0x77
    public static let footer: UInt64 = 0x78
}

/// The batch message format Service Bus uses: each `data` section is an encoded message.
public let AMQPBatchMessageFormat: UInt32 = 0x8001_3700
