import Foundation
import AMQPCore
import NIOCore

/// Service Bus's message state annotation (`x-opt-message-state`).
public enum BrokerMessageState: Int32, Hashable, Sendable {
    case active = 0
    case deferred = 1
    case scheduled = 2
}

/// A message as the broker keeps it: the encoded bare message exactly as received, what was
/// extracted from it once at enqueue, and what the broker assigned.
public struct BrokerMessage: Sendable {
    // MARK: From the sender
    /// Properties, application-properties and body, byte for byte as received.
    public let bareMessage: ByteBuffer
    /// The sender's header (its `delivery-count` is replaced on delivery).
    public let header: MessageHeader?
    /// The sender's message annotations (kept on delivery; the broker's own keys overwrite).
    public let annotations: AMQPMap
    public let messageID: AMQPMessageID?
    public let correlationID: AMQPMessageID?
    public let subject: String?
    public let to: String?
    public let replyTo: String?
    public let replyToGroupID: String?
    public let contentType: String?
    /// `group-id`: the session id.
    public let sessionID: String?
    public let absoluteExpiryTime: AMQPTimestamp?
    /// `x-opt-scheduled-enqueue-time`.
    public let scheduledEnqueueTime: AMQPTimestamp?
    /// `x-opt-partition-key`.
    public let partitionKey: String?
    /// The application properties; changed by abandon/defer/dead-letter with properties to modify.
    public internal(set) var applicationProperties: AMQPMap
    /// Whether `applicationProperties` differs from the section in `bareMessage`.
    public internal(set) var applicationPropertiesModified = false

    // MARK: From the broker
    public internal(set) var sequenceNumber: Int64 = 0
    public internal(set) var enqueuedTime = AMQPTimestamp(millisecondsSince1970: 0)
    public internal(set) var state = BrokerMessageState.active
    /// Failed deliveries so far (the AMQP header's `delivery-count`).
    public internal(set) var deliveryCount: UInt32 = 0
    public internal(set) var lockToken: AMQPUUID?
    public internal(set) var lockedUntil: AMQPTimestamp?
    /// When the message expires (nil: never).
    public internal(set) var expiresAt: AMQPTimestamp?
    /// Set on dead-lettered messages forwarded out of their dead-letter queue: where they died.
    public internal(set) var deadLetterSource: String?
    /// The sequence number in the entity the message was first sent to (`x-opt-enqueue-sequence-number`).
    public internal(set) var enqueueSequenceNumber: Int64?
    /// How many times `ForwardTo` moved it.
    var hops = 0
    /// Position among available messages (FIFO); assigned each time it becomes active.
    var order: Int64 = 0
    /// Whether its entry is in an available heap.
    var queued = false
    var lockOwner: BrokerReceiverID?

    /// Parses a received transfer's message (header, annotations, properties, application
    /// properties); the body is not decoded.
    public init(transferPayload: ByteBuffer, limits: AMQPDecodingLimits = .default) throws(BrokerError) {
        do {
            let view = try AMQPMessageView(decoding: transferPayload, limits: limits)
            let properties = try view.properties()
            header = try view.header()
            annotations = try view.messageAnnotations() ?? AMQPMap()
            applicationProperties = try view.applicationProperties() ?? AMQPMap()
            bareMessage = view.bareMessage
            messageID = properties?.messageID
            correlationID = properties?.correlationID
            subject = properties?.subject
            to = properties?.to
            replyTo = properties?.replyTo
            replyToGroupID = properties?.replyToGroupID
            contentType = properties?.contentType?.rawValue
            sessionID = properties?.groupID
            absoluteExpiryTime = properties?.absoluteExpiryTime
            if case .timestamp(let time) = annotations[symbol: BrokerAnnotation.scheduledEnqueueTime] {
                scheduledEnqueueTime = time
            } else {
                scheduledEnqueueTime = nil
            }
            if case .string(let key) = annotations[symbol: BrokerAnnotation.partitionKey] {
                partitionKey = key
            } else {
                partitionKey = nil
            }
        } catch {
            throw BrokerError(code: .invalidMessage, detail: "not an AMQP message: \(error)")
        }
        guard bareMessage.readableBytes > 0 else {
            throw BrokerError(code: .invalidMessage, detail: "the message has no bare message (properties, application properties or body)")
        }
    }

    /// The bytes the message counts against its entity's size.
    public var size: Int { bareMessage.readableBytes + 64 }

    /// Active and not locked: a receiver may take it.
    var isAvailable: Bool { state == .active && lockToken == nil }

    /// The application properties with string keys, for filters.
    var applicationPropertiesByName: [String: AMQPValue] {
        var result: [String: AMQPValue] = [:]
        for entry in applicationProperties {
            if case .string(let key) = entry.key { result[key] = entry.value }
        }
        return result
    }

    var filterInput: FilterInput {
        FilterInput(
            messageId: messageID?.description, correlationId: correlationID?.description, label: subject, to: to,
            replyTo: replyTo, replyToSessionId: replyToGroupID, sessionId: sessionID, contentType: contentType,
            sequenceNumber: sequenceNumber,
            enqueuedTime: enqueuedTime.date,
            deliveryCount: Int(deliveryCount), applicationProperties: applicationPropertiesByName)
    }

    /// Sets (or adds) application properties.
    mutating func modifyApplicationProperties(_ changes: [String: AMQPValue]) {
        guard !changes.isEmpty else { return }
        var entries = applicationProperties.entries
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let index = entries.firstIndex(where: { $0.key == .string(key) }) {
                entries[index].value = value
            } else {
                entries.append(AMQPMap.Entry(key: .string(key), value: value))
            }
        }
        applicationProperties = AMQPMap(entries)
        applicationPropertiesModified = true
    }

    /// A copy about to go to another entity: broker fields cleared, content kept.
    func copyForEnqueue() -> BrokerMessage {
        var copy = self
        copy.sequenceNumber = 0
        copy.state = .active
        copy.deliveryCount = 0
        copy.lockToken = nil
        copy.lockedUntil = nil
        copy.lockOwner = nil
        copy.expiresAt = nil
        copy.order = 0
        copy.queued = false
        return copy
    }
}

/// The message annotation keys Service Bus uses.
public enum BrokerAnnotation {
    public static let sequenceNumber: AMQPSymbol = "x-opt-sequence-number"
    public static let enqueuedTime: AMQPSymbol = "x-opt-enqueued-time"
    public static let lockedUntil: AMQPSymbol = "x-opt-locked-until"
    public static let messageState: AMQPSymbol = "x-opt-message-state"
    public static let deadLetterSource: AMQPSymbol = "x-opt-deadletter-source"
    public static let scheduledEnqueueTime: AMQPSymbol = "x-opt-scheduled-enqueue-time"
    public static let partitionKey: AMQPSymbol = "x-opt-partition-key"
    public static let enqueueSequenceNumber: AMQPSymbol = "x-opt-enqueue-sequence-number"
    /// In delivery annotations.
    public static let lockToken: AMQPSymbol = "x-opt-lock-token"
}

/// The application properties of dead-lettered messages.
public enum BrokerDeadLetterProperty {
    public static let reason = "DeadLetterReason"
    public static let errorDescription = "DeadLetterErrorDescription"
}
