import AMQPCore
import NIOCore

extension BrokerState {
    /// peek-message: up to `count` messages from `fromSequenceNumber` on, in sequence order,
    /// without locking them. As in Service Bus, every message in the store is shown: active
    /// (locked or not), deferred and scheduled (their `state` tells which); a session filter
    /// narrows to one session. The copies carry no lock token.
    public func peek(at address: String, fromSequenceNumber: Int64, count: Int, session: String? = nil) throws(BrokerError) -> [BrokerMessage] {
        let key = try storeKey(for: address)
        guard let store = stores[key] else { return [] }
        let wanted = min(max(0, count), limits.maxBatch)
        guard wanted > 0 else { return [] }
        var result: [BrokerMessage] = []
        for seq in store.messages.keys.sorted() where seq >= fromSequenceNumber {
            guard var message = store.messages[seq] else { continue }
            if let session, message.sessionID != session { continue }
            message.lockToken = nil
            result.append(message)
            if result.count == wanted { break }
        }
        return result
    }

    /// schedule-message: sends each message (its `x-opt-scheduled-enqueue-time` says when it
    /// becomes active; without one, or in the past, it is active at once). Returns their
    /// sequence numbers in order, 0 for a duplicate dropped by duplicate detection. All are
    /// parsed and checked before any is stored.
    public mutating func schedule(_ payloads: [ByteBuffer], to address: String, now: AMQPTimestamp) throws(BrokerError) -> (sequenceNumbers: [Int64], actions: BrokerActions) {
        let path = try sendTarget(address)
        guard payloads.count <= limits.maxBatch else {
            throw BrokerError(code: .limitExceeded, detail: "\(payloads.count) messages, at most \(limits.maxBatch)")
        }
        var messages: [BrokerMessage] = []
        for payload in payloads { messages.append(try BrokerMessage(transferPayload: payload)) }
        var numbers: [Int64] = []
        for message in messages {
            switch try accept(message, to: path, now: now) {
            case .accepted(let seq): numbers.append(seq)
            case .duplicate: numbers.append(0)
            }
        }
        return (numbers, flush(now: now))
    }

    /// cancel-scheduled-message: removes scheduled messages of a queue or topic by sequence
    /// number; `messageNotFound` (and nothing removed) when one is not scheduled there.
    public mutating func cancelScheduled(_ sequenceNumbers: [Int64], at address: String) throws(BrokerError) {
        let path = try sendTarget(address)
        let key = StoreKey(entity: path.key, deadLetter: false)
        guard sequenceNumbers.count <= limits.maxBatch else {
            throw BrokerError(code: .limitExceeded, detail: "\(sequenceNumbers.count) sequence numbers, at most \(limits.maxBatch)")
        }
        for seq in sequenceNumbers where stores[key]?.messages[seq]?.state != .scheduled {
            throw BrokerError(code: .messageNotFound, detail: "no scheduled message \(seq) in \(path)")
        }
        for seq in sequenceNumbers { removeMessage(seq, from: key) }
    }

    /// receive-by-sequence-number: takes deferred messages (peek-lock locks them, with no
    /// receiver; receive-and-delete removes them). `messageNotFound` (and nothing taken) when
    /// one is not a deferred, unlocked message of `address`; in a session entity its session
    /// must be locked (`sessionLockLost`). One past its time to live expires instead and is
    /// left out of the result.
    public mutating func receiveDeferred(_ sequenceNumbers: [Int64], at address: String, mode: BrokerReceiveMode,
                                         now: AMQPTimestamp) throws(BrokerError) -> (deliveries: [BrokerDelivery], actions: BrokerActions) {
        let key = try storeKey(for: address)
        guard sequenceNumbers.count <= limits.maxBatch else {
            throw BrokerError(code: .limitExceeded, detail: "\(sequenceNumbers.count) sequence numbers, at most \(limits.maxBatch)")
        }
        guard Set(sequenceNumbers).count == sequenceNumbers.count else {
            throw BrokerError(code: .invalidOperation, detail: "a sequence number appears twice")
        }
        for seq in sequenceNumbers {
            guard let message = stores[key]?.messages[seq], message.state == .deferred, message.lockToken == nil else {
                throw BrokerError(code: .messageNotFound, detail: "no deferred message \(seq) in \(address.prefix(200))")
            }
            // In a session entity only the session's holder takes its deferred messages.
            if stores[key]?.usesSessions == true, let session = message.sessionID {
                try checkSessionLocked(session, in: key, now: now)
            }
        }
        let start = pending.deliveries.count
        for seq in sequenceNumbers { deliver(seq, from: key, to: nil, mode: mode, now: now) }
        let deliveries = Array(pending.deliveries[start...])
        pending.deliveries.removeSubrange(start...)
        return (deliveries, flush(now: now))
    }

    /// How many messages a store holds, by state (for tests, metrics and the management API).
    public func messageCounts(at address: String) throws(BrokerError) -> (active: Int, locked: Int, deferred: Int, scheduled: Int) {
        let key = try storeKey(for: address, allowTopic: true)
        var counts = (active: 0, locked: 0, deferred: 0, scheduled: 0)
        for message in stores[key]?.messages.values ?? [:].values {
            switch message.state {
            case .scheduled: counts.scheduled += 1
            case .deferred: counts.deferred += 1
            case .active: if message.lockToken == nil { counts.active += 1 } else { counts.locked += 1 }
            }
        }
        return counts
    }
}
