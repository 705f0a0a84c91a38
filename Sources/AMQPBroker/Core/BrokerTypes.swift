import AMQPCore
import NIOCore

/// How a receiver takes messages.
public enum BrokerReceiveMode: Hashable, Sendable {
    /// Each delivery locks its message until settled or the lock expires.
    case peekLock
    /// A delivery removes its message (pre-settled).
    case receiveAndDelete
}

/// Which session a receiver on a session-enabled entity wants.
public enum BrokerSessionRequest: Hashable, Sendable {
    /// Not a session receiver (refused on session entities).
    case none
    case id(String)
    /// The next session with available messages that nobody holds.
    case nextAvailable
}

/// What a settlement does (the disposition a receiver sent, or `$management` update-disposition).
public enum BrokerDisposition: Hashable, Sendable {
    /// `accepted`: the message is removed.
    case complete
    /// `modified` (not undeliverable): the lock is released, the delivery count goes up.
    case abandon(propertiesToModify: [String: AMQPValue] = [:])
    /// `modified{undeliverable-here}`: the message waits for receive-by-sequence-number.
    case `defer`(propertiesToModify: [String: AMQPValue] = [:])
    /// `rejected`: the message moves to the dead-letter queue.
    case deadLetter(reason: String?, description: String?, propertiesToModify: [String: AMQPValue] = [:])
}

/// A message handed to a receiver (or returned by receive-by-sequence-number).
public struct BrokerDelivery: Sendable {
    /// Nil for `$management` receive-by-sequence-number.
    public let receiver: BrokerReceiverID?
    /// The store it came from, as an address: `q`, `t/Subscriptions/s`, `q/$DeadLetterQueue`.
    public let source: String
    /// The message with its delivery state (sequence number, count, lock token and expiry).
    public let message: BrokerMessage

    /// The lock token (nil for receive-and-delete): the adapter's delivery tag, in .NET GUID byte order.
    public var lockToken: AMQPUUID? { message.lockToken }

    /// The encoded message to transfer.
    public func encoded() -> ByteBuffer { message.encodedForDelivery() }
}

/// What the adapter must do after a command or a tick.
public struct BrokerActions: Sendable {
    /// Transfers to send, in order.
    public var deliveries: [BrokerDelivery] = []
    /// Session receivers whose session lock expired: detach them with `com.microsoft:session-lock-lost`.
    public var sessionLocksLost: [BrokerReceiverID] = []
    /// Messages dropped because a dead-letter queue was full (counted, not silent).
    public var droppedMessages = 0

    public init() {}

    public var isEmpty: Bool { deliveries.isEmpty && sessionLocksLost.isEmpty && droppedMessages == 0 }
}

/// What a send did.
public struct BrokerSendResult: Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Stored (or fanned out, or forwarded) with this sequence number of the entity sent to.
        case accepted(sequenceNumber: Int64)
        /// A duplicate within the detection window: accepted and dropped.
        case duplicate
    }

    public var outcome: Outcome
    public var actions: BrokerActions
}

/// What attaching a receiver granted.
public struct BrokerReceiverAttached: Sendable {
    public var id: BrokerReceiverID
    /// The session granted, for session receivers (echo it in the attach's session filter).
    public var sessionID: String?
    /// The session lock's expiry (`com.microsoft:locked-until-utc`).
    public var sessionLockedUntil: AMQPTimestamp?
}

/// Counts the broker enforces besides the entities' own sizes.
public struct BrokerLimits: Hashable, Sendable {
    public var maxMessagesPerEntity = 100_000
    public var maxReceivers = 10_000
    public var maxCreditPerReceiver = 10_000
    public var maxUnsettledPerReceiver = 5_000
    public var maxSessionsPerEntity = 10_000
    public var maxSessionStateBytes = 256 * 1024
    public var maxDuplicateDetectionEntries = 100_000
    /// Messages per peek, receive-by-sequence-number or schedule request; lock tokens per request.
    public var maxBatch = 1_000
    /// `ForwardTo` hops before a message is dead-lettered (`TransferHopCountExceeded`); Service Bus allows 4.
    public var maxForwardHops = 4

    public init() {}

    public static let `default` = BrokerLimits()
}

/// Makes lock tokens. Injected so tests are deterministic.
public protocol LockTokenGenerator: Sendable {
    mutating func next() -> AMQPUUID
}

/// Random version-4 UUIDs from `generator`.
public struct RandomLockTokens<G: RandomNumberGenerator & Sendable>: LockTokenGenerator {
    public var generator: G
    public init(_ generator: G) { self.generator = generator }
    public mutating func next() -> AMQPUUID {
        let a: UInt64 = generator.next()
        let b: UInt64 = generator.next()
        let high = (a & ~UInt64(0xF000)) | 0x4000
        let low = (b & ~(UInt64(0xC) << 60)) | (UInt64(0x8) << 60)
        return AMQPUUID(high: high, low: low)
    }
}

extension RandomLockTokens where G == SystemRandomNumberGenerator {
    public static var system: RandomLockTokens<SystemRandomNumberGenerator> { RandomLockTokens(SystemRandomNumberGenerator()) }
}

/// A state change, for a journal (durability) to record. Enabled by `BrokerState.isJournaling`.
public enum BrokerMutation: Sendable {
    /// A message entered a store (`q`, `t/Subscriptions/s`, `q/$DeadLetterQueue`; a topic's own
    /// store holds its scheduled messages).
    case enqueued(store: String, message: BrokerMessage)
    case removed(store: String, sequenceNumber: Int64)
    /// State, delivery count, lock or application properties changed.
    case updated(store: String, message: BrokerMessage)
    case duplicateDetectionRecorded(entity: String, messageID: AMQPMessageID, at: AMQPTimestamp)
    case sessionStateSet(store: String, session: String, state: ByteBuffer?)
}
