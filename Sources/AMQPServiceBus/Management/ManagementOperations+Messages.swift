import AMQPCore
import NIOCore

/// How received messages are settled.
public enum ServiceBusReceiveMode: Hashable, Sendable {
    /// The message is locked; the receiver completes, abandons, defers or dead-letters it
    /// (rcv-settle-mode second; `receiver-settle-mode` 1).
    case peekLock
    /// The message is removed on delivery (pre-settled; `receiver-settle-mode` 0).
    case receiveAndDelete

    /// The `receiver-settle-mode` of receive-by-sequence-number.
    public var receiverSettleMode: UInt32 {
        switch self {
        case .peekLock: return 1
        case .receiveAndDelete: return 0
        }
    }

    public init?(receiverSettleMode: Int64) {
        switch receiverSettleMode {
        case 0: self = .receiveAndDelete
        case 1: self = .peekLock
        default: return nil
        }
    }
}

/// One message in a peek or receive-by-sequence-number answer: `{message: binary,
/// lock-token: uuid?}`; the binary is a whole encoded AMQP message.
public struct ManagementMessageEntry: Hashable, Sendable {
    public var encodedMessage: ByteBuffer
    /// Present for peek-locked receive-by-sequence-number answers.
    public var lockToken: ServiceBusLockToken?

    public init(encodedMessage: ByteBuffer, lockToken: ServiceBusLockToken? = nil) {
        self.encodedMessage = encodedMessage
        self.lockToken = lockToken
    }

    public init(message: AMQPMessage, lockToken: ServiceBusLockToken? = nil) {
        self.init(encodedMessage: message.encoded(), lockToken: lockToken)
    }

    /// The embedded message, decoded.
    public func decodedMessage() throws(ServiceBusMessageFormatError) -> AMQPMessage {
        do {
            return try AMQPMessage(decoding: encodedMessage)
        } catch {
            throw ServiceBusMessageFormatError(code: .undecodableMessage, field: ManagementKey.message, decodingError: error)
        }
    }

    init(fields: ServiceBusFieldMap) throws(ServiceBusMessageFormatError) {
        var token: ServiceBusLockToken? = nil
        if let value = fields.value(ManagementKey.lockToken) {
            guard let parsed = value.serviceBusLockToken else { throw .invalid(ManagementKey.lockToken) }
            token = parsed
        }
        self.init(encodedMessage: try fields.requiredBinary(ManagementKey.message), lockToken: token)
    }

    var value: AMQPValue {
        var map: AMQPMap = [.string(ManagementKey.message): .binary(encodedMessage)]
        if let lockToken { map[string: ManagementKey.lockToken] = .uuid(lockToken.amqpUUID) }
        return .map(map)
    }
}

/// The answer of peek-message and receive-by-sequence-number: `{messages: [{message, lock-token?}]}`.
public struct ManagementMessagesResponse: ManagementResponseBody {
    public var messages: [ManagementMessageEntry]

    /// 204: no messages.
    public static var noContent: Self? { Self(messages: []) }

    public init(messages: [ManagementMessageEntry]) { self.messages = messages }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        var entries: [ManagementMessageEntry] = []
        for fields in try ServiceBusFieldMap(map).maps(ManagementKey.messages) {
            entries.append(try ManagementMessageEntry(fields: fields))
        }
        self.init(messages: entries)
    }

    public var map: AMQPMap { [.string(ManagementKey.messages): .list(messages.map(\.value))] }
}

/// `com.microsoft:peek-message`: `{from-sequence-number: long, message-count: int, session-id?}`
/// → `ManagementMessagesResponse` (no lock tokens).
public struct PeekMessageRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.peekMessage
    public var fromSequenceNumber: Int64
    public var messageCount: Int32
    public var sessionID: String?

    public init(fromSequenceNumber: Int64, messageCount: Int32, sessionID: String? = nil) {
        self.fromSequenceNumber = fromSequenceNumber
        self.messageCount = messageCount
        self.sessionID = sessionID
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        self.init(
            fromSequenceNumber: try fields.requiredInteger(ManagementKey.fromSequenceNumber),
            messageCount: try fields.requiredInt32(ManagementKey.messageCount),
            sessionID: try fields.string(ManagementKey.sessionID))
    }

    public var map: AMQPMap {
        var map: AMQPMap = [
            .string(ManagementKey.fromSequenceNumber): .long(fromSequenceNumber),
            .string(ManagementKey.messageCount): .int(messageCount),
        ]
        if let sessionID { map[string: ManagementKey.sessionID] = .string(sessionID) }
        return map
    }
}

/// One message to schedule: `{message-id, session-id?, partition-key?, via-partition-key?,
/// message: binary}`. The encoded message carries `x-opt-scheduled-enqueue-time`.
public struct ScheduledMessageEntry: Hashable, Sendable {
    public var messageID: String
    public var sessionID: String?
    public var partitionKey: String?
    public var viaPartitionKey: String?
    public var encodedMessage: ByteBuffer

    public init(
        messageID: String, sessionID: String? = nil, partitionKey: String? = nil, viaPartitionKey: String? = nil,
        encodedMessage: ByteBuffer
    ) {
        self.messageID = messageID
        self.sessionID = sessionID
        self.partitionKey = partitionKey
        self.viaPartitionKey = viaPartitionKey
        self.encodedMessage = encodedMessage
    }

    init(fields: ServiceBusFieldMap) throws(ServiceBusMessageFormatError) {
        self.init(
            messageID: try fields.requiredString(ManagementKey.messageID),
            sessionID: try fields.string(ManagementKey.sessionID),
            partitionKey: try fields.string(ManagementKey.partitionKey),
            viaPartitionKey: try fields.string(ManagementKey.viaPartitionKey),
            encodedMessage: try fields.requiredBinary(ManagementKey.message))
    }

    var value: AMQPValue {
        var map: AMQPMap = [.string(ManagementKey.messageID): .string(messageID)]
        if let sessionID { map[string: ManagementKey.sessionID] = .string(sessionID) }
        if let partitionKey { map[string: ManagementKey.partitionKey] = .string(partitionKey) }
        if let viaPartitionKey { map[string: ManagementKey.viaPartitionKey] = .string(viaPartitionKey) }
        map[string: ManagementKey.message] = .binary(encodedMessage)
        return .map(map)
    }
}

/// `com.microsoft:schedule-message`: `{messages: [ScheduledMessageEntry]}` → `SequenceNumbersResponse`.
public struct ScheduleMessageRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.scheduleMessage
    public var messages: [ScheduledMessageEntry]

    public init(messages: [ScheduledMessageEntry]) { self.messages = messages }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        var entries: [ScheduledMessageEntry] = []
        for fields in try ServiceBusFieldMap(map).maps(ManagementKey.messages) {
            entries.append(try ScheduledMessageEntry(fields: fields))
        }
        self.init(messages: entries)
    }

    public var map: AMQPMap { [.string(ManagementKey.messages): .list(messages.map(\.value))] }
}

/// `{sequence-numbers: long[]}`: the schedule-message answer.
public struct SequenceNumbersResponse: ManagementResponseBody {
    public var sequenceNumbers: [Int64]

    public init(sequenceNumbers: [Int64]) { self.sequenceNumbers = sequenceNumbers }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        self.init(sequenceNumbers: try ServiceBusFieldMap(map).integers(ManagementKey.sequenceNumbers))
    }

    public var map: AMQPMap {
        [.string(ManagementKey.sequenceNumbers): .serviceBusArray(sequenceNumbers.map { .long($0) }, of: .long)]
    }
}

/// `com.microsoft:cancel-scheduled-message`: `{sequence-numbers: long[]}` → empty.
public struct CancelScheduledMessageRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.cancelScheduledMessage
    public var sequenceNumbers: [Int64]

    public init(sequenceNumbers: [Int64]) { self.sequenceNumbers = sequenceNumbers }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        self.init(sequenceNumbers: try ServiceBusFieldMap(map).integers(ManagementKey.sequenceNumbers))
    }

    public var map: AMQPMap {
        [.string(ManagementKey.sequenceNumbers): .serviceBusArray(sequenceNumbers.map { .long($0) }, of: .long)]
    }
}

/// `com.microsoft:receive-by-sequence-number` (deferred messages): `{sequence-numbers: long[],
/// receiver-settle-mode: uint, session-id?}` → `ManagementMessagesResponse` with lock tokens.
public struct ReceiveBySequenceNumberRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.receiveBySequenceNumber
    public var sequenceNumbers: [Int64]
    public var receiveMode: ServiceBusReceiveMode
    public var sessionID: String?

    public init(sequenceNumbers: [Int64], receiveMode: ServiceBusReceiveMode = .peekLock, sessionID: String? = nil) {
        self.sequenceNumbers = sequenceNumbers
        self.receiveMode = receiveMode
        self.sessionID = sessionID
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        let mode = try fields.requiredInteger(ManagementKey.receiverSettleMode)
        guard let receiveMode = ServiceBusReceiveMode(receiverSettleMode: mode) else {
            throw .invalid(ManagementKey.receiverSettleMode)
        }
        self.init(
            sequenceNumbers: try fields.integers(ManagementKey.sequenceNumbers),
            receiveMode: receiveMode,
            sessionID: try fields.string(ManagementKey.sessionID))
    }

    public var map: AMQPMap {
        var map: AMQPMap = [
            .string(ManagementKey.sequenceNumbers): .serviceBusArray(sequenceNumbers.map { .long($0) }, of: .long),
            .string(ManagementKey.receiverSettleMode): .uint(receiveMode.receiverSettleMode),
        ]
        if let sessionID { map[string: ManagementKey.sessionID] = .string(sessionID) }
        return map
    }
}
