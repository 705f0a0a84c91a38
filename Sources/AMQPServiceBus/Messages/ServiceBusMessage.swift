import AMQPCore
import Foundation
import NIOCore

/// A message to send to a queue or topic, and its mapping onto an AMQP message:
///
/// | field | AMQP |
/// | --- | --- |
/// | `body` | one `data` section |
/// | `messageID`, `correlationID` | properties `message-id`, `correlation-id` (strings) |
/// | `subject`, `to`, `replyTo` | properties `subject`, `to`, `reply-to` |
/// | `replyToSessionID` | properties `reply-to-group-id` |
/// | `contentType` | properties `content-type` |
/// | `sessionID` | properties `group-id` |
/// | `timeToLive` | header `ttl` (milliseconds, capped at `UInt32.max`) |
/// | `partitionKey`, `viaPartitionKey` | annotations `x-opt-partition-key`, `x-opt-via-partition-key` |
/// | `scheduledEnqueueTime` | annotation `x-opt-scheduled-enqueue-time` (timestamp) |
/// | `applicationProperties` | application-properties (string keys) |
public struct ServiceBusMessage: Hashable, Sendable {
    public var body: ByteBuffer
    public var messageID: String?
    public var correlationID: String?
    public var subject: String?
    public var to: String?
    public var replyTo: String?
    public var replyToSessionID: String?
    public var contentType: String?
    public var sessionID: String?
    public var partitionKey: String?
    public var viaPartitionKey: String?
    public var timeToLive: Duration?
    public var scheduledEnqueueTime: Date?
    /// String keys; values are simple AMQP values.
    public var applicationProperties: AMQPMap

    public init(
        body: ByteBuffer = ByteBuffer(),
        messageID: String? = nil,
        correlationID: String? = nil,
        subject: String? = nil,
        to: String? = nil,
        replyTo: String? = nil,
        replyToSessionID: String? = nil,
        contentType: String? = nil,
        sessionID: String? = nil,
        partitionKey: String? = nil,
        viaPartitionKey: String? = nil,
        timeToLive: Duration? = nil,
        scheduledEnqueueTime: Date? = nil,
        applicationProperties: AMQPMap = AMQPMap()
    ) {
        self.body = body
        self.messageID = messageID
        self.correlationID = correlationID
        self.subject = subject
        self.to = to
        self.replyTo = replyTo
        self.replyToSessionID = replyToSessionID
        self.contentType = contentType
        self.sessionID = sessionID
        self.partitionKey = partitionKey
        self.viaPartitionKey = viaPartitionKey
        self.timeToLive = timeToLive
        self.scheduledEnqueueTime = scheduledEnqueueTime
        self.applicationProperties = applicationProperties
    }

    /// The longest message id, session id or partition key the service accepts.
    public static let maxIdentifierLength = 128

    /// Checks what the service would refuse: an empty or over-long (> 128 characters) message
    /// id, session id or partition keys; a partition key that differs from the session id; a
    /// time-to-live that is not positive.
    public func validate() throws(ServiceBusMessageFormatError) {
        let identifiers: [(String, String?)] = [
            ("message-id", messageID), ("session-id", sessionID), ("partition-key", partitionKey),
            ("via-partition-key", viaPartitionKey),
        ]
        for (field, value) in identifiers {
            if let value, value.isEmpty || value.count > Self.maxIdentifierLength { throw .invalid(field) }
        }
        if let sessionID, let partitionKey, sessionID != partitionKey { throw .invalid("partition-key") }
        if let timeToLive, timeToLive <= .zero { throw .invalid("ttl") }
    }

    /// The AMQP message to send. Sections with nothing in them are left out.
    public var amqpMessage: AMQPMessage {
        var properties = MessageProperties()
        properties.messageID = messageID.map { .string($0) }
        properties.correlationID = correlationID.map { .string($0) }
        properties.subject = subject
        properties.to = to
        properties.replyTo = replyTo
        properties.replyToGroupID = replyToSessionID
        properties.contentType = contentType.map { AMQPSymbol($0) }
        properties.groupID = sessionID
        let hasProperties = messageID != nil || correlationID != nil || subject != nil || to != nil || replyTo != nil
            || replyToSessionID != nil || contentType != nil || sessionID != nil

        var annotations = AMQPMap()
        if let partitionKey { annotations[symbol: ServiceBusAnnotationKey.partitionKey] = .string(partitionKey) }
        if let viaPartitionKey { annotations[symbol: ServiceBusAnnotationKey.viaPartitionKey] = .string(viaPartitionKey) }
        if let scheduledEnqueueTime {
            annotations[symbol: ServiceBusAnnotationKey.scheduledEnqueueTime] = .timestamp(AMQPTimestamp(date: scheduledEnqueueTime))
        }

        return AMQPMessage(
            header: timeToLive.map { MessageHeader(ttl: Self.milliseconds($0)) },
            messageAnnotations: annotations.isEmpty ? nil : annotations,
            properties: hasProperties ? properties : nil,
            applicationProperties: applicationProperties.isEmpty ? nil : applicationProperties,
            body: .data(body))
    }

    /// Reads a message sent by any client (the broker's view of a send). A body of `data`
    /// sections becomes their bytes, joined; no body is empty; an `amqp-value` or
    /// `amqp-sequence` body is `invalidBody`. Non-string message and correlation ids
    /// become their text (`AMQPMessageID.description`).
    public init(amqpMessage message: AMQPMessage) throws(ServiceBusMessageFormatError) {
        guard let body = Self.dataBody(message.body) else {
            throw ServiceBusMessageFormatError(code: .invalidBody, field: "body")
        }
        try self.init(amqpMessage: message, body: body)
    }

    init(amqpMessage message: AMQPMessage, body: ByteBuffer) throws(ServiceBusMessageFormatError) {
        let annotations = ServiceBusFieldMap(message.messageAnnotations)
        let properties = message.properties
        self.init(
            body: body,
            messageID: properties?.messageID.map(Self.text),
            correlationID: properties?.correlationID.map(Self.text),
            subject: properties?.subject,
            to: properties?.to,
            replyTo: properties?.replyTo,
            replyToSessionID: properties?.replyToGroupID,
            contentType: properties?.contentType?.rawValue,
            sessionID: properties?.groupID,
            partitionKey: try annotations.string(ServiceBusAnnotationKey.partitionKey.rawValue),
            viaPartitionKey: try annotations.string(ServiceBusAnnotationKey.viaPartitionKey.rawValue),
            timeToLive: message.header?.ttl.map { .milliseconds(Int64($0)) },
            scheduledEnqueueTime: try annotations.date(ServiceBusAnnotationKey.scheduledEnqueueTime.rawValue),
            applicationProperties: message.applicationProperties ?? AMQPMap())
    }

    /// The bytes of a `data` body (several sections joined), empty for none; nil otherwise.
    static func dataBody(_ body: AMQPMessage.Body) -> ByteBuffer? {
        switch body {
        case .none: return ByteBuffer()
        case .data(let bytes): return bytes
        case .dataSections(let sections):
            var joined = ByteBuffer()
            joined.reserveCapacity(sections.reduce(0) { $0 + $1.readableBytes })
            for section in sections { joined.writeImmutableBuffer(section) }
            return joined
        case .sequence, .value: return nil
        }
    }

    static func text(_ id: AMQPMessageID) -> String {
        if case .string(let text) = id { return text }
        return id.description
    }

    static func milliseconds(_ duration: Duration) -> UInt32 {
        let milliseconds = ServiceBusRetryPolicy.seconds(duration) * 1000
        return UInt32(min(max(milliseconds.rounded(.down), 0), Double(UInt32.max)))
    }
}
