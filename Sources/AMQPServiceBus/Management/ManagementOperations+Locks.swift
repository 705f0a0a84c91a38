import AMQPCore
import Foundation

/// Body keys of the `$management` operations.
public enum ManagementKey {
    public static let lockTokens = "lock-tokens"
    public static let expirations = "expirations"
    public static let expiration = "expiration"
    public static let sessionID = "session-id"
    public static let sessionState = "session-state"
    public static let dispositionStatus = "disposition-status"
    public static let deadLetterReason = "deadletter-reason"
    public static let deadLetterDescription = "deadletter-description"
    public static let propertiesToModify = "properties-to-modify"
    public static let fromSequenceNumber = "from-sequence-number"
    public static let messageCount = "message-count"
    public static let messages = "messages"
    public static let message = "message"
    public static let messageID = "message-id"
    public static let lockToken = "lock-token"
    public static let partitionKey = "partition-key"
    public static let viaPartitionKey = "via-partition-key"
    public static let sequenceNumbers = "sequence-numbers"
    public static let receiverSettleMode = "receiver-settle-mode"
    public static let lastUpdatedTime = "last-updated-time"
    public static let skip = "skip"
    public static let top = "top"
    public static let sessionIDs = "sessions-ids"
}

/// `com.microsoft:renew-lock`: `{lock-tokens: uuid[]}`, optionally `session-id`.
public struct RenewLockRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.renewLock
    public var lockTokens: [ServiceBusLockToken]
    public var sessionID: String?

    public init(lockTokens: [ServiceBusLockToken], sessionID: String? = nil) {
        self.lockTokens = lockTokens
        self.sessionID = sessionID
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        self.init(lockTokens: try fields.lockTokens(ManagementKey.lockTokens), sessionID: try fields.string(ManagementKey.sessionID))
    }

    public var map: AMQPMap {
        var map: AMQPMap = [.string(ManagementKey.lockTokens): .serviceBusArray(lockTokens.map { .uuid($0.amqpUUID) }, of: .uuid)]
        if let sessionID { map[string: ManagementKey.sessionID] = .string(sessionID) }
        return map
    }
}

/// The renew-lock answer: `{expirations: timestamp[]}`, one per token in request order.
public struct RenewLockResponse: ManagementResponseBody {
    public var expirations: [Date]

    public init(expirations: [Date]) { self.expirations = expirations }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        var dates: [Date] = []
        for element in try ServiceBusFieldMap(map).requiredElements(ManagementKey.expirations) {
            guard let date = element.serviceBusDate else { throw .invalid(ManagementKey.expirations) }
            dates.append(date)
        }
        self.init(expirations: dates)
    }

    public var map: AMQPMap {
        [.string(ManagementKey.expirations): .serviceBusArray(expirations.map { .timestamp(AMQPTimestamp(date: $0)) }, of: .timestamp)]
    }
}

/// `com.microsoft:renew-session-lock`: `{session-id}`.
public struct RenewSessionLockRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.renewSessionLock
    public var sessionID: String

    public init(sessionID: String) { self.sessionID = sessionID }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        self.init(sessionID: try ServiceBusFieldMap(map).requiredString(ManagementKey.sessionID))
    }

    public var map: AMQPMap { [.string(ManagementKey.sessionID): .string(sessionID)] }
}

/// The renew-session-lock answer: `{expiration: timestamp}`.
public struct RenewSessionLockResponse: ManagementResponseBody {
    public var expiration: Date

    public init(expiration: Date) { self.expiration = expiration }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        guard let date = try ServiceBusFieldMap(map).date(ManagementKey.expiration) else {
            throw .missing(ManagementKey.expiration)
        }
        self.init(expiration: date)
    }

    public var map: AMQPMap { [.string(ManagementKey.expiration): .timestamp(AMQPTimestamp(date: expiration))] }
}

/// The `disposition-status` of update-disposition.
public struct DispositionStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let completed = Self(rawValue: "completed")
    public static let abandoned = Self(rawValue: "abandoned")
    /// Dead-lettered.
    public static let suspended = Self(rawValue: "suspended")
    /// Deferred; the service spells it "defered".
    public static let deferred = Self(rawValue: "defered")
}

/// `com.microsoft:update-disposition`: settles messages received through `$management`
/// (deferred ones): `{disposition-status, lock-tokens: uuid[], deadletter-reason?,
/// deadletter-description?, properties-to-modify?, session-id?}`.
public struct UpdateDispositionRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.updateDisposition
    public var status: DispositionStatus
    public var lockTokens: [ServiceBusLockToken]
    public var deadLetterReason: String?
    public var deadLetterDescription: String?
    /// Application properties to set on the message (abandon, defer, dead-letter).
    public var propertiesToModify: AMQPMap?
    public var sessionID: String?

    public init(
        status: DispositionStatus,
        lockTokens: [ServiceBusLockToken],
        deadLetterReason: String? = nil,
        deadLetterDescription: String? = nil,
        propertiesToModify: AMQPMap? = nil,
        sessionID: String? = nil
    ) {
        self.status = status
        self.lockTokens = lockTokens
        self.deadLetterReason = deadLetterReason
        self.deadLetterDescription = deadLetterDescription
        self.propertiesToModify = propertiesToModify
        self.sessionID = sessionID
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        var properties: AMQPMap? = nil
        if let value = fields.value(ManagementKey.propertiesToModify) {
            guard case .map(let map) = value else { throw .invalid(ManagementKey.propertiesToModify) }
            properties = map
        }
        self.init(
            status: DispositionStatus(rawValue: try fields.requiredString(ManagementKey.dispositionStatus)),
            lockTokens: try fields.lockTokens(ManagementKey.lockTokens),
            deadLetterReason: try fields.string(ManagementKey.deadLetterReason),
            deadLetterDescription: try fields.string(ManagementKey.deadLetterDescription),
            propertiesToModify: properties,
            sessionID: try fields.string(ManagementKey.sessionID))
    }

    public var map: AMQPMap {
        var map: AMQPMap = [
            .string(ManagementKey.dispositionStatus): .string(status.rawValue),
            .string(ManagementKey.lockTokens): .serviceBusArray(lockTokens.map { .uuid($0.amqpUUID) }, of: .uuid),
        ]
        if let deadLetterReason { map[string: ManagementKey.deadLetterReason] = .string(deadLetterReason) }
        if let deadLetterDescription { map[string: ManagementKey.deadLetterDescription] = .string(deadLetterDescription) }
        if let propertiesToModify { map[string: ManagementKey.propertiesToModify] = .map(propertiesToModify) }
        if let sessionID { map[string: ManagementKey.sessionID] = .string(sessionID) }
        return map
    }
}
