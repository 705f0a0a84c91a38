import AMQPCore
import Foundation

/// What a subscription rule sees of a message: its broker (system) properties and its
/// application properties.
///
/// Service Bus evaluates rules against the broker properties (`sys.*` in SQL, the named
/// fields of a correlation filter) and the user properties (AMQP `application-properties`).
/// Every system property is optional: a filter that asks for a missing one does not match.
public struct FilterInput: Sendable, Hashable {
    public var messageId: String?
    public var correlationId: String?
    /// The AMQP `subject`, which Service Bus calls `Label`.
    public var label: String?
    public var to: String?
    public var replyTo: String?
    public var replyToSessionId: String?
    public var sessionId: String?
    public var contentType: String?
    public var sequenceNumber: Int64?
    public var enqueuedTime: Date?
    public var deliveryCount: Int?
    /// The message size in bytes.
    public var size: Int?
    /// The AMQP `application-properties`, keyed by their (case-sensitive) names.
    public var applicationProperties: [String: AMQPValue]

    public init(
        messageId: String? = nil,
        correlationId: String? = nil,
        label: String? = nil,
        to: String? = nil,
        replyTo: String? = nil,
        replyToSessionId: String? = nil,
        sessionId: String? = nil,
        contentType: String? = nil,
        sequenceNumber: Int64? = nil,
        enqueuedTime: Date? = nil,
        deliveryCount: Int? = nil,
        size: Int? = nil,
        applicationProperties: [String: AMQPValue] = [:]
    ) {
        self.messageId = messageId
        self.correlationId = correlationId
        self.label = label
        self.to = to
        self.replyTo = replyTo
        self.replyToSessionId = replyToSessionId
        self.sessionId = sessionId
        self.contentType = contentType
        self.sequenceNumber = sequenceNumber
        self.enqueuedTime = enqueuedTime
        self.deliveryCount = deliveryCount
        self.size = size
        self.applicationProperties = applicationProperties
    }
}

/// A subscription rule's filter: decides whether a message is copied to the subscription.
///
/// Filters are pure: the same input always gives the same answer, and no input traps.
public protocol MessageFilter: Sendable {
    /// True if the message passes the filter.
    func matches(_ input: FilterInput) -> Bool
}

/// The filter that matches every message (Service Bus `TrueFilter`, SQL `1=1`).
public struct TrueFilter: MessageFilter, Hashable {
    public init() {}
    public func matches(_ input: FilterInput) -> Bool { true }
}

/// The filter that matches no message (Service Bus `FalseFilter`, SQL `1=0`).
public struct FalseFilter: MessageFilter, Hashable {
    public init() {}
    public func matches(_ input: FilterInput) -> Bool { false }
}
