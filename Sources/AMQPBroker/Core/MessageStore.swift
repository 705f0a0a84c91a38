import AMQPCore
import HeapModule
import NIOCore

/// A receiver link registered with the broker, by an id the broker hands out.
public struct BrokerReceiverID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "receiver#\(rawValue)" }
}

/// Which store of messages: an entity's own, or its dead-letter sub-queue.
struct StoreKey: Hashable, Sendable {
    var entity: String
    var deadLetter: Bool
}

/// The settings a store applies, taken from its entity's configuration.
struct StoreSettings: Sendable {
    var lockDuration: Int64
    var maxDeliveryCount: UInt32
    var defaultTimeToLive: Int64
    var deadLetteringOnExpiration: Bool
    var requiresSession: Bool
    var forwardTo: String?
    var forwardDeadLetteredMessagesTo: String?
}

/// An ordered entry: smallest `key` first, then smallest sequence number.
struct TimedEntry: Comparable, Sendable {
    var key: Int64
    var sequenceNumber: Int64
    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.key, lhs.sequenceNumber) < (rhs.key, rhs.sequenceNumber)
    }
}

/// A session of a session-enabled store: its queue of available messages, its lock, its state.
struct SessionQueue: Sendable {
    var available = Heap<TimedEntry>()
    var owner: BrokerReceiverID?
    var lockedUntil: AMQPTimestamp?
    var state: ByteBuffer?
    /// Messages of this session in the store, in any state.
    var messageCount = 0

    var isEmpty: Bool { messageCount == 0 && owner == nil && state == nil }
}

/// The messages of a queue, a subscription or a dead-letter queue, with the indexes that find
/// the next available message, the next lock to expire, the next scheduled or expiring one.
/// Indexes are lazy: an entry is checked against the message when it comes out.
struct MessageStore: Sendable {
    let path: BrokerEntityPath
    let isDeadLetter: Bool
    var settings: StoreSettings
    var messages: [Int64: BrokerMessage] = [:]
    /// Available messages (non-session stores), by `order`.
    var available = Heap<TimedEntry>()
    var sessions: [String: SessionQueue] = [:]
    var scheduled = Heap<TimedEntry>()
    var expiries = Heap<TimedEntry>()
    var lockExpiries = Heap<TimedEntry>()
    /// Session lock expiries: key = locked-until, then the session's name.
    var sessionExpiries = Heap<SessionExpiry>()
    var locks: [AMQPUUID: Int64] = [:]
    var nextSequenceNumber: Int64 = 1
    var nextOrder: Int64 = 1
    var byteCount = 0
    /// Receivers in attach order, for round-robin.
    var receivers: [BrokerReceiverID] = []
    var nextReceiver = 0

    init(path: BrokerEntityPath, isDeadLetter: Bool, settings: StoreSettings) {
        self.path = path
        self.isDeadLetter = isDeadLetter
        self.settings = settings
    }

    var usesSessions: Bool { settings.requiresSession && !isDeadLetter }

    /// The address form: `queue`, `t/Subscriptions/s`, `queue/$DeadLetterQueue`.
    var displayName: String { isDeadLetter ? "\(path)/$DeadLetterQueue" : "\(path)" }

    // MARK: Index maintenance (called by the broker's mutation functions only)

    /// Adds the entries a message needs in its current state.
    mutating func index(_ sequenceNumber: Int64) {
        guard var message = messages[sequenceNumber] else { return }
        if message.isAvailable, !message.queued {
            message.queued = true
            let entry = TimedEntry(key: message.order, sequenceNumber: sequenceNumber)
            if usesSessions, let session = message.sessionID {
                sessions[session, default: SessionQueue()].available.insert(entry)
            } else {
                available.insert(entry)
            }
        }
        if message.state == .scheduled, let time = message.scheduledEnqueueTime {
            scheduled.insert(TimedEntry(key: time.millisecondsSince1970, sequenceNumber: sequenceNumber))
        }
        if let token = message.lockToken, let until = message.lockedUntil {
            locks[token] = sequenceNumber
            lockExpiries.insert(TimedEntry(key: until.millisecondsSince1970, sequenceNumber: sequenceNumber))
        }
        messages[sequenceNumber] = message
        compactIfNeeded()
    }

    mutating func registerExpiry(_ sequenceNumber: Int64) {
        guard let expiresAt = messages[sequenceNumber]?.expiresAt else { return }
        expiries.insert(TimedEntry(key: expiresAt.millisecondsSince1970, sequenceNumber: sequenceNumber))
    }

    /// Rebuilds the lazy indexes when stale entries outnumber live messages.
    private mutating func compactIfNeeded() {
        let limit = 2 * messages.count + 1024
        if expiries.count > limit {
            expiries = Heap(messages.values.compactMap { m in
                m.expiresAt.map { TimedEntry(key: $0.millisecondsSince1970, sequenceNumber: m.sequenceNumber) }
            })
        }
        if lockExpiries.count > limit {
            lockExpiries = Heap(messages.values.compactMap { m in
                m.lockedUntil.map { TimedEntry(key: $0.millisecondsSince1970, sequenceNumber: m.sequenceNumber) }
            })
        }
        if scheduled.count > limit {
            scheduled = Heap(messages.values.compactMap { m in
                m.state == .scheduled ? m.scheduledEnqueueTime.map { TimedEntry(key: $0.millisecondsSince1970, sequenceNumber: m.sequenceNumber) } : nil
            })
        }
    }

    /// Takes the next available message's sequence number (of `session`, for session stores).
    mutating func popAvailable(session: String? = nil) -> Int64? {
        while true {
            let entry: TimedEntry?
            if let session {
                entry = sessions[session]?.available.popMin()
            } else {
                entry = available.popMin()
            }
            guard let entry else { return nil }
            guard var message = messages[entry.sequenceNumber], message.queued else { continue }
            message.queued = false
            messages[entry.sequenceNumber] = message
            if message.isAvailable, message.order == entry.key { return entry.sequenceNumber }
        }
    }

    /// Whether `session` has an available message (cleans stale heads on the way).
    mutating func sessionHasAvailable(_ session: String) -> Bool {
        while let head = sessions[session]?.available.min {
            if let message = messages[head.sequenceNumber], message.queued, message.isAvailable, message.order == head.key {
                return true
            }
            _ = sessions[session]?.available.popMin()
            if var message = messages[head.sequenceNumber], message.order == head.key {
                message.queued = false
                messages[head.sequenceNumber] = message
            }
        }
        return false
    }

    /// The earliest time an index needs attention.
    var nextDeadline: Int64? {
        [scheduled.min?.key, expiries.min?.key, lockExpiries.min?.key, sessionExpiries.min?.key].compactMap { $0 }.min()
    }
}

struct SessionExpiry: Comparable, Sendable {
    var key: Int64
    var session: String
    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.key, lhs.session) < (rhs.key, rhs.session) }
}
