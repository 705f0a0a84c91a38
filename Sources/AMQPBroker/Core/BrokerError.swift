/// Why the broker refused a command, with the AMQP error condition the adapter sends back.
public struct BrokerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case notFound, messageNotFound, messageLockLost, sessionLockLost, sessionCannotBeLocked
            case noSessionAvailable, quotaExceeded, messageSizeExceeded, invalidMessage, invalidOperation
            case sessionIdRequired, limitExceeded, unknownReceiver, filterUnavailable
        }
        let base: Base
        /// No such entity (`amqp:not-found`).
        public static let notFound = Code(base: .notFound)
        /// No message with that sequence number (`com.microsoft:message-not-found`).
        public static let messageNotFound = Code(base: .messageNotFound)
        /// The lock token is unknown or its lock expired (`com.microsoft:message-lock-lost`).
        public static let messageLockLost = Code(base: .messageLockLost)
        /// The receiver's session lock is gone (`com.microsoft:session-lock-lost`).
        public static let sessionLockLost = Code(base: .sessionLockLost)
        /// Another receiver holds the session (`com.microsoft:session-cannot-be-locked`).
        public static let sessionCannotBeLocked = Code(base: .sessionCannotBeLocked)
        /// "Next available session" found none (`com.microsoft:timeout`: the service waits, then says so).
        public static let noSessionAvailable = Code(base: .noSessionAvailable)
        /// The entity is full (`amqp:resource-limit-exceeded`).
        public static let quotaExceeded = Code(base: .quotaExceeded)
        /// The message is over the entity's limit (`amqp:link:message-size-exceeded`).
        public static let messageSizeExceeded = Code(base: .messageSizeExceeded)
        /// The transfer does not hold a valid message (`amqp:decode-error`).
        public static let invalidMessage = Code(base: .invalidMessage)
        /// Not allowed on this entity or in this state (`amqp:not-allowed`).
        public static let invalidOperation = Code(base: .invalidOperation)
        /// A session entity got a message without `group-id` (`amqp:not-allowed`).
        public static let sessionIdRequired = Code(base: .sessionIdRequired)
        /// A count limit of the broker (`amqp:resource-limit-exceeded`).
        public static let limitExceeded = Code(base: .limitExceeded)
        /// The receiver id is not registered (`amqp:not-found`).
        public static let unknownReceiver = Code(base: .unknownReceiver)
        /// A rule's filter could not be built (`amqp:not-implemented`).
        public static let filterUnavailable = Code(base: .filterUnavailable)
        public var description: String { "\(base)" }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The AMQP error condition symbol for this error.
    public var condition: String {
        switch code.base {
        case .notFound, .unknownReceiver: return "amqp:not-found"
        case .messageNotFound: return "com.microsoft:message-not-found"
        case .messageLockLost: return "com.microsoft:message-lock-lost"
        case .sessionLockLost: return "com.microsoft:session-lock-lost"
        case .sessionCannotBeLocked: return "com.microsoft:session-cannot-be-locked"
        case .noSessionAvailable: return "com.microsoft:timeout"
        case .quotaExceeded, .limitExceeded: return "amqp:resource-limit-exceeded"
        case .messageSizeExceeded: return "amqp:link:message-size-exceeded"
        case .invalidMessage: return "amqp:decode-error"
        case .invalidOperation, .sessionIdRequired: return "amqp:not-allowed"
        case .filterUnavailable: return "amqp:not-implemented"
        }
    }

    public var description: String { "\(code): \(detail)" }

    static func notFound(_ what: String) -> BrokerError { BrokerError(code: .notFound, detail: "\(what.prefix(200)) does not exist") }
    static let lockLost = BrokerError(code: .messageLockLost, detail: "the lock token is unknown or its lock expired")
}
