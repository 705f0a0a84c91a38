import AMQP
import AMQPCore

/// What a Service Bus operation throws: a `Reason`, whether retrying can help, and the AMQP
/// condition and service description behind it.
///
/// `description` shows the reason, condition, the service's description and the entity; it
/// never carries tokens or keys (the service does not echo them, and nothing here adds them).
public struct ServiceBusError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case messageLockLost = "the message lock was lost"
            case sessionLockLost = "the session lock was lost"
            case sessionCannotBeLocked = "the session cannot be locked"
            case serviceBusy = "the service is busy"
            case serviceTimeout = "the service timed out"
            case messagingEntityNotFound = "the messaging entity was not found"
            case messageNotFound = "the message was not found"
            case messagingEntityAlreadyExists = "the messaging entity already exists"
            case unauthorized = "unauthorized"
            case quotaExceeded = "a quota was exceeded"
            case messageSizeExceeded = "the message is too large"
            case entityDisabled = "the messaging entity is disabled"
            case preconditionFailed = "a precondition failed"
            case argumentError = "the service rejected an argument"
            case invalidOperation = "the operation is not allowed"
            case linkDetached = "the link was detached"
            case connectionLost = "the connection was lost"
            case generalError = "the operation failed"
        }

        let base: Base
        init(_ base: Base) { self.base = base }

        public static let messageLockLost = Reason(.messageLockLost)
        public static let sessionLockLost = Reason(.sessionLockLost)
        public static let sessionCannotBeLocked = Reason(.sessionCannotBeLocked)
        public static let serviceBusy = Reason(.serviceBusy)
        public static let serviceTimeout = Reason(.serviceTimeout)
        public static let messagingEntityNotFound = Reason(.messagingEntityNotFound)
        public static let messageNotFound = Reason(.messageNotFound)
        public static let messagingEntityAlreadyExists = Reason(.messagingEntityAlreadyExists)
        public static let unauthorized = Reason(.unauthorized)
        public static let quotaExceeded = Reason(.quotaExceeded)
        public static let messageSizeExceeded = Reason(.messageSizeExceeded)
        public static let entityDisabled = Reason(.entityDisabled)
        public static let preconditionFailed = Reason(.preconditionFailed)
        public static let argumentError = Reason(.argumentError)
        public static let invalidOperation = Reason(.invalidOperation)
        public static let linkDetached = Reason(.linkDetached)
        public static let connectionLost = Reason(.connectionLost)
        public static let generalError = Reason(.generalError)

        public var description: String { base.rawValue }
    }

    public var reason: Reason
    /// Whether the same operation may succeed if retried (after a back-off).
    public var isTransient: Bool
    /// The AMQP condition the service sent, if any.
    public var condition: AMQPErrorCondition?
    /// The service's description (no secrets: the service does not echo credentials).
    public var errorDescription: String?
    /// The entity involved, if known.
    public var entityPath: String?

    public init(
        reason: Reason,
        isTransient: Bool,
        condition: AMQPErrorCondition? = nil,
        errorDescription: String? = nil,
        entityPath: String? = nil
    ) {
        self.reason = reason
        self.isTransient = isTransient
        self.condition = condition
        self.errorDescription = errorDescription
        self.entityPath = entityPath
    }

    /// The error a condition (from a detach, end, close, rejected outcome or `$management`
    /// response) stands for. Unknown conditions are a non-transient `generalError`.
    public init(condition: AMQPErrorCondition, errorDescription: String? = nil, entityPath: String? = nil) {
        let mapped = Self.mapping[condition] ?? (.generalError, false)
        self.init(
            reason: mapped.reason, isTransient: mapped.transient, condition: condition,
            errorDescription: errorDescription, entityPath: entityPath)
    }

    /// The error an AMQP `error` stands for.
    public init(_ error: AMQPError, entityPath: String? = nil) {
        self.init(condition: error.condition, errorDescription: error.errorDescription, entityPath: entityPath)
    }

    /// The error a client failure stands for: by its condition when it has one; otherwise a
    /// closed connection or failed transport is a transient `connectionLost`, a detached link
    /// a transient `linkDetached`, a time-out a transient `serviceTimeout`.
    public init(_ error: AMQPClientError, entityPath: String? = nil) {
        if let amqpError = error.error {
            self.init(amqpError, entityPath: entityPath)
            return
        }
        let reason: Reason
        let transient: Bool
        switch error.code {
        case .connectionClosed, .connectFailed, .sessionEnded: (reason, transient) = (.connectionLost, true)
        case .linkDetached: (reason, transient) = (.linkDetached, true)
        case .timedOut: (reason, transient) = (.serviceTimeout, true)
        case .tlsFailed: (reason, transient) = (.connectionLost, false)
        default: (reason, transient) = (.generalError, false)
        }
        self.init(reason: reason, isTransient: transient, errorDescription: error.detail, entityPath: entityPath)
    }

    /// Any error as a Service Bus error, for retry decisions: a `ServiceBusError` as is, an
    /// `AMQPClientError` mapped, anything else (cancellation, configuration, format errors)
    /// nil, which callers treat as "do not retry".
    public init?(classifying error: any Error, entityPath: String? = nil) {
        switch error {
        case let error as ServiceBusError: self = error
        case let error as AMQPClientError: self.init(error, entityPath: entityPath)
        default: return nil
        }
    }

    public var description: String {
        var text = reason.description
        if let condition { text += " (\(condition))" }
        if let errorDescription { text += ": \(errorDescription)" }
        if let entityPath { text += " [entity \(entityPath)]" }
        if isTransient { text += " (transient)" }
        return text
    }

    /// Every condition of the Service Bus dialect and the AMQP core, with its reason and
    /// transience (following the official SDKs).
    static let mapping: [AMQPErrorCondition: (reason: Reason, transient: Bool)] = [
        // amqp:* (spec 2.8.15-2.8.18)
        .detachForced: (.linkDetached, true),
        .connectionForced: (.connectionLost, true),
        .framingError: (.connectionLost, true),
        .connectionRedirect: (.connectionLost, true),
        .linkRedirect: (.linkDetached, true),
        .internalError: (.generalError, true),
        .resourceLimitExceeded: (.quotaExceeded, false),
        .unauthorizedAccess: (.unauthorized, false),
        .notFound: (.messagingEntityNotFound, false),
        .resourceDeleted: (.messagingEntityNotFound, false),
        .messageSizeExceeded: (.messageSizeExceeded, false),
        .preconditionFailed: (.preconditionFailed, false),
        .notAllowed: (.invalidOperation, false),
        .notImplemented: (.invalidOperation, false),
        .invalidField: (.argumentError, false),
        .decodeError: (.generalError, false),
        .illegalState: (.generalError, false),
        .resourceLocked: (.sessionCannotBeLocked, false),
        .stolen: (.linkDetached, false),
        .transferLimitExceeded: (.quotaExceeded, false),
        .windowViolation: (.connectionLost, true),
        .errantLink: (.connectionLost, true),
        .handleInUse: (.connectionLost, true),
        .unattachedHandle: (.connectionLost, true),
        // com.microsoft:*
        .serviceBusMessageLockLost: (.messageLockLost, false),
        .serviceBusSessionLockLost: (.sessionLockLost, false),
        .serviceBusSessionCannotBeLocked: (.sessionCannotBeLocked, false),
        .serviceBusServerBusy: (.serviceBusy, true),
        .serviceBusTimeout: (.serviceTimeout, true),
        .serviceBusEntityDisabled: (.entityDisabled, false),
        .serviceBusPreconditionFailed: (.preconditionFailed, false),
        .serviceBusMessageNotFound: (.messageNotFound, false),
        .serviceBusAuthFailed: (.unauthorized, false),
        .serviceBusPublisherRevoked: (.unauthorized, false),
        .serviceBusArgumentError: (.argumentError, false),
        .serviceBusArgumentOutOfRange: (.argumentError, false),
        .serviceBusEntityAlreadyExists: (.messagingEntityAlreadyExists, false),
        .serviceBusNoMatchingSubscription: (.messagingEntityNotFound, false),
        .serviceBusStoreLockLost: (.generalError, true),
        .serviceBusOperationCancelled: (.generalError, false),
    ]
}
