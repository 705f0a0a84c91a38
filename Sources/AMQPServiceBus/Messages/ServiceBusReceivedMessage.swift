import AMQPCore
import Foundation
import NIOCore

/// A message as a receiver sees it: what was sent, plus what the service stamped on it.
///
/// | field | AMQP |
/// | --- | --- |
/// | `sequenceNumber` | annotation `x-opt-sequence-number` (long) |
/// | `enqueuedTime` | annotation `x-opt-enqueued-time` (timestamp) |
/// | `lockedUntil` | annotation `x-opt-locked-until` (timestamp) |
/// | `deliveryCount` | header `delivery-count` (prior failed deliveries, as AMQP counts) |
/// | `lockToken` | the 16-byte delivery tag (.NET GUID order), else `x-opt-lock-token` |
/// | `deadLetterReason`, `deadLetterErrorDescription` | application properties `DeadLetterReason`, `DeadLetterErrorDescription` |
/// | `deadLetterSource` | annotation `x-opt-deadletter-source` |
/// | `state` | annotation `x-opt-message-state` (0 active, 1 deferred, 2 scheduled) |
/// | `enqueuedSequenceNumber` | annotation `x-opt-enqueue-sequence-number` |
public struct ServiceBusReceivedMessage: Hashable, Sendable {
    /// The message state (`x-opt-message-state`); unknown values are kept.
    public struct State: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int64
        public init(rawValue: Int64) { self.rawValue = rawValue }
        public static let active = State(rawValue: 0)
        public static let deferred = State(rawValue: 1)
        public static let scheduled = State(rawValue: 2)
        public var description: String {
            switch self {
            case .active: return "active"
            case .deferred: return "deferred"
            case .scheduled: return "scheduled"
            default: return "state \(rawValue)"
            }
        }
    }

    /// The sent part: body, ids, subject, session, application properties, …
    public var message: ServiceBusMessage
    /// The body when it is not `data` sections (an `amqp-value` or `amqp-sequence` from another
    /// client); `message.body` is then empty.
    public var nonDataBody: AMQPMessage.Body?
    public var sequenceNumber: Int64?
    public var enqueuedTime: Date?
    public var lockedUntil: Date?
    public var deliveryCount: UInt32
    /// nil for receive-and-delete and peeked messages.
    public var lockToken: ServiceBusLockToken?
    public var deadLetterReason: String?
    public var deadLetterErrorDescription: String?
    public var deadLetterSource: String?
    public var state: State
    public var enqueuedSequenceNumber: Int64?

    public init(
        message: ServiceBusMessage,
        nonDataBody: AMQPMessage.Body? = nil,
        sequenceNumber: Int64? = nil,
        enqueuedTime: Date? = nil,
        lockedUntil: Date? = nil,
        deliveryCount: UInt32 = 0,
        lockToken: ServiceBusLockToken? = nil,
        deadLetterReason: String? = nil,
        deadLetterErrorDescription: String? = nil,
        deadLetterSource: String? = nil,
        state: State = .active,
        enqueuedSequenceNumber: Int64? = nil
    ) {
        self.message = message
        self.nonDataBody = nonDataBody
        self.sequenceNumber = sequenceNumber
        self.enqueuedTime = enqueuedTime
        self.lockedUntil = lockedUntil
        self.deliveryCount = deliveryCount
        self.lockToken = lockToken
        self.deadLetterReason = deadLetterReason
        self.deadLetterErrorDescription = deadLetterErrorDescription
        self.deadLetterSource = deadLetterSource
        self.state = state
        self.enqueuedSequenceNumber = enqueuedSequenceNumber
    }

    /// Reads a delivered message. The lock token comes from a 16-byte `deliveryTag`, else from
    /// an `x-opt-lock-token` delivery or message annotation. Mistyped annotations are
    /// `invalidField`; a non-`data` body is kept in `nonDataBody`.
    public init(amqpMessage: AMQPMessage, deliveryTag: ByteBuffer? = nil) throws(ServiceBusMessageFormatError) {
        let dataBody = ServiceBusMessage.dataBody(amqpMessage.body)
        let message = try ServiceBusMessage(amqpMessage: amqpMessage, body: dataBody ?? ByteBuffer())
        let annotations = ServiceBusFieldMap(amqpMessage.messageAnnotations)
        let applicationProperties = ServiceBusFieldMap(amqpMessage.applicationProperties)

        var lockToken = deliveryTag.flatMap { ServiceBusLockToken(deliveryTag: $0) }
        if lockToken == nil {
            let key = ServiceBusAnnotationKey.lockToken.rawValue
            let annotated = ServiceBusFieldMap(amqpMessage.deliveryAnnotations).value(key) ?? annotations.value(key)
            if let annotated {
                guard let token = annotated.serviceBusLockToken else { throw .invalid(key) }
                lockToken = token
            }
        }

        self.init(
            message: message,
            nonDataBody: dataBody == nil ? amqpMessage.body : nil,
            sequenceNumber: try annotations.integer(ServiceBusAnnotationKey.sequenceNumber.rawValue),
            enqueuedTime: try annotations.date(ServiceBusAnnotationKey.enqueuedTime.rawValue),
            lockedUntil: try annotations.date(ServiceBusAnnotationKey.lockedUntil.rawValue),
            deliveryCount: amqpMessage.header?.deliveryCount ?? 0,
            lockToken: lockToken,
            deadLetterReason: try applicationProperties.string(ServiceBusApplicationPropertyKey.deadLetterReason),
            deadLetterErrorDescription: try applicationProperties.string(
                ServiceBusApplicationPropertyKey.deadLetterErrorDescription),
            deadLetterSource: try annotations.string(ServiceBusAnnotationKey.deadLetterSource.rawValue),
            state: State(rawValue: try annotations.integer(ServiceBusAnnotationKey.messageState.rawValue) ?? 0),
            enqueuedSequenceNumber: try annotations.integer(ServiceBusAnnotationKey.enqueueSequenceNumber.rawValue))
    }

    /// The message as the service delivers it (the broker's side): the sent message plus the
    /// service's annotations, `delivery-count` in the header, the dead-letter properties, and
    /// the lock token as an `x-opt-lock-token` message annotation. Send the delivery with
    /// `lockToken.deliveryTag` as its tag.
    public var amqpMessage: AMQPMessage {
        var amqp = message.amqpMessage
        if let nonDataBody { amqp.body = nonDataBody }
        var header = amqp.header ?? MessageHeader()
        header.deliveryCount = deliveryCount
        amqp.header = header

        var annotations = amqp.messageAnnotations ?? AMQPMap()
        if let sequenceNumber { annotations[symbol: ServiceBusAnnotationKey.sequenceNumber] = .long(sequenceNumber) }
        if let enqueuedTime { annotations[symbol: ServiceBusAnnotationKey.enqueuedTime] = .timestamp(AMQPTimestamp(date: enqueuedTime)) }
        if let lockedUntil { annotations[symbol: ServiceBusAnnotationKey.lockedUntil] = .timestamp(AMQPTimestamp(date: lockedUntil)) }
        if let lockToken { annotations[symbol: ServiceBusAnnotationKey.lockToken] = .uuid(lockToken.amqpUUID) }
        if let deadLetterSource { annotations[symbol: ServiceBusAnnotationKey.deadLetterSource] = .string(deadLetterSource) }
        if state != .active { annotations[symbol: ServiceBusAnnotationKey.messageState] = .int(Int32(clamping: state.rawValue)) }
        if let enqueuedSequenceNumber {
            annotations[symbol: ServiceBusAnnotationKey.enqueueSequenceNumber] = .long(enqueuedSequenceNumber)
        }
        amqp.messageAnnotations = annotations.isEmpty ? nil : annotations

        var properties = amqp.applicationProperties ?? AMQPMap()
        if let deadLetterReason { properties[string: ServiceBusApplicationPropertyKey.deadLetterReason] = .string(deadLetterReason) }
        if let deadLetterErrorDescription {
            properties[string: ServiceBusApplicationPropertyKey.deadLetterErrorDescription] = .string(deadLetterErrorDescription)
        }
        amqp.applicationProperties = properties.isEmpty ? nil : properties
        return amqp
    }

    /// When the message expires: `enqueuedTime + timeToLive`, if both are known.
    public var expiresAt: Date? {
        guard let enqueuedTime, let timeToLive else { return nil }
        return enqueuedTime.addingTimeInterval(ServiceBusRetryPolicy.seconds(timeToLive))
    }

    // Shortcuts to the sent part.
    public var body: ByteBuffer { message.body }
    public var messageID: String? { message.messageID }
    public var correlationID: String? { message.correlationID }
    public var subject: String? { message.subject }
    public var sessionID: String? { message.sessionID }
    public var contentType: String? { message.contentType }
    public var applicationProperties: AMQPMap { message.applicationProperties }
    public var partitionKey: String? { message.partitionKey }
    public var scheduledEnqueueTime: Date? { message.scheduledEnqueueTime }
    public var timeToLive: Duration? { message.timeToLive }
}
