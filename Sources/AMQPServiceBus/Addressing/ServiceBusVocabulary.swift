import AMQPCore

/// Message-annotation keys Service Bus sets or reads (symbols).
public enum ServiceBusAnnotationKey {
    /// `long`: the service-assigned sequence number.
    public static let sequenceNumber: AMQPSymbol = "x-opt-sequence-number"
    /// `timestamp`: when the message was enqueued.
    public static let enqueuedTime: AMQPSymbol = "x-opt-enqueued-time"
    /// `timestamp`: until when the peek-lock is held.
    public static let lockedUntil: AMQPSymbol = "x-opt-locked-until"
    /// `timestamp`: set on send to schedule the message.
    public static let scheduledEnqueueTime: AMQPSymbol = "x-opt-scheduled-enqueue-time"
    public static let partitionKey: AMQPSymbol = "x-opt-partition-key"
    public static let viaPartitionKey: AMQPSymbol = "x-opt-via-partition-key"
    /// The entity a dead-lettered message came from.
    public static let deadLetterSource: AMQPSymbol = "x-opt-deadletter-source"
    /// `long`: the sequence number it had in the entity it was auto-forwarded from.
    public static let enqueueSequenceNumber: AMQPSymbol = "x-opt-enqueue-sequence-number"
    /// `int`: 0 active, 1 deferred, 2 scheduled.
    public static let messageState: AMQPSymbol = "x-opt-message-state"
    /// `uuid` (RFC order): the lock token, also a delivery annotation.
    public static let lockToken: AMQPSymbol = "x-opt-lock-token"
    public static let partitionID: AMQPSymbol = "x-opt-partition-id"
}

/// Application-property keys Service Bus uses (strings).
public enum ServiceBusApplicationPropertyKey {
    public static let deadLetterReason = "DeadLetterReason"
    public static let deadLetterErrorDescription = "DeadLetterErrorDescription"
    /// W3C trace context (traceparent form).
    public static let diagnosticID = "Diagnostic-Id"
    public static let traceParent = "traceparent"
}

/// Link properties, filters and symbols of the Service Bus AMQP dialect.
public enum ServiceBusLinkVocabulary {
    /// The source filter that asks for a session: key and descriptor name.
    public static let sessionFilterName: AMQPSymbol = "com.microsoft:session-filter"
    /// The session filter's numeric descriptor, 0x00000137:0x0000000C.
    public static let sessionFilterCode: UInt64 = 0x0000_0137_0000_000C
    /// The attach property carrying the session lock's expiry.
    public static let lockedUntilUTC: AMQPSymbol = "com.microsoft:locked-until-utc"
    /// The attach property naming the receiver (for `$management` `associated-link-name`).
    public static let receiverName: AMQPSymbol = "com.microsoft:receiver-name"
    /// The timeout link property (milliseconds).
    public static let timeout: AMQPSymbol = "com.microsoft:timeout"
    /// The rejected-outcome condition that dead-letters a message.
    public static let deadLetterCondition: AMQPErrorCondition = "com.microsoft:dead-letter"

    /// The filter-set entry for a session receiver: `{com.microsoft:session-filter:
    /// described(0x00000137:0x0000000C, sessionID or null)}`; nil asks for the next available
    /// session.
    public static func sessionFilter(sessionID: String?) -> AMQPMap {
        let value = AMQPDescribed(descriptor: .ulong(sessionFilterCode), value: sessionID.map { .string($0) } ?? .null)
        return [.symbol(sessionFilterName): .described(value)]
    }

    /// The session id a filter set asks for: `.some(nil)` for "next available", nil when the
    /// set has no session filter. The descriptor may be the code or the name.
    public static func sessionID(inFilter filter: AMQPMap) -> String?? {
        guard case .described(let described)? = filter[symbol: sessionFilterName] else { return nil }
        switch described.descriptor {
        case .ulong(sessionFilterCode), .symbol(sessionFilterName): break
        default: return nil
        }
        switch described.value {
        case .null: return .some(nil)
        case .string(let id): return .some(id)
        default: return nil
        }
    }
}

/// Error conditions of the Service Bus dialect (`com.microsoft:*`), beside the standard
/// `amqp:*` ones in `AMQPErrorCondition`.
extension AMQPErrorCondition {
    public static let serviceBusMessageLockLost: AMQPErrorCondition = "com.microsoft:message-lock-lost"
    public static let serviceBusSessionLockLost: AMQPErrorCondition = "com.microsoft:session-lock-lost"
    public static let serviceBusServerBusy: AMQPErrorCondition = "com.microsoft:server-busy"
    public static let serviceBusTimeout: AMQPErrorCondition = "com.microsoft:timeout"
    public static let serviceBusEntityDisabled: AMQPErrorCondition = "com.microsoft:entity-disabled"
    public static let serviceBusPreconditionFailed: AMQPErrorCondition = "com.microsoft:precondition-failed"
    public static let serviceBusMessageNotFound: AMQPErrorCondition = "com.microsoft:message-not-found"
    public static let serviceBusSessionCannotBeLocked: AMQPErrorCondition = "com.microsoft:session-cannot-be-locked"
    public static let serviceBusAuthFailed: AMQPErrorCondition = "com.microsoft:auth-failed"
    public static let serviceBusArgumentError: AMQPErrorCondition = "com.microsoft:argument-error"
    public static let serviceBusArgumentOutOfRange: AMQPErrorCondition = "com.microsoft:argument-out-of-range"
    public static let serviceBusEntityAlreadyExists: AMQPErrorCondition = "com.microsoft:entity-already-exists"
    public static let serviceBusNoMatchingSubscription: AMQPErrorCondition = "com.microsoft:no-matching-subscription"
    public static let serviceBusStoreLockLost: AMQPErrorCondition = "com.microsoft:store-lock-lost"
    public static let serviceBusPublisherRevoked: AMQPErrorCondition = "com.microsoft:publisher-revoked"
    public static let serviceBusOperationCancelled: AMQPErrorCondition = "com.microsoft:operation-cancelled"
    public static let serviceBusDeadLetter: AMQPErrorCondition = "com.microsoft:dead-letter"
}
