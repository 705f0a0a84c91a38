import AMQPCore
import NIOCore

/// The only functions that change messages, duplicate-detection history and session state:
/// a journal (durability) hooks here. Each keeps the store's indexes in step.
extension BrokerState {
    /// Puts a message (with its sequence number, state, times already set) into a store.
    mutating func insertMessage(_ message: BrokerMessage, into key: StoreKey) {
        guard stores[key] != nil else { return }
        var message = message
        message.queued = false
        let seq = message.sequenceNumber
        stores[key]?.messages[seq] = message
        stores[key]?.byteCount += message.size
        if let session = message.sessionID, stores[key]?.usesSessions == true {
            stores[key]?.sessions[session, default: SessionQueue()].messageCount += 1
        }
        stores[key]?.index(seq)
        stores[key]?.registerExpiry(seq)
        markForDispatch(key)
        if isJournaling, let name = stores[key]?.displayName { journal.append(.enqueued(store: name, message: message)) }
    }

    /// Takes a message out of its store.
    @discardableResult
    mutating func removeMessage(_ sequenceNumber: Int64, from key: StoreKey) -> BrokerMessage? {
        guard let message = stores[key]?.messages.removeValue(forKey: sequenceNumber) else { return nil }
        stores[key]?.byteCount -= message.size
        if let token = message.lockToken {
            stores[key]?.locks[token] = nil
            if let owner = message.lockOwner { receivers[owner]?.unsettled.remove(token) }
        }
        if let session = message.sessionID, stores[key]?.usesSessions == true {
            stores[key]?.sessions[session]?.messageCount -= 1
            if stores[key]?.sessions[session]?.isEmpty == true { stores[key]?.sessions[session] = nil }
        }
        if isJournaling, let name = stores[key]?.displayName { journal.append(.removed(store: name, sequenceNumber: sequenceNumber)) }
        return message
    }

    /// Changes a stored message's state, count, lock, times or application properties.
    @discardableResult
    mutating func updateMessage(_ sequenceNumber: Int64, in key: StoreKey, _ change: (inout BrokerMessage) -> Void) -> BrokerMessage? {
        guard var message = stores[key]?.messages[sequenceNumber] else { return nil }
        let before = message
        change(&message)
        // Broker-internal fields the change must not touch.
        message.sequenceNumber = before.sequenceNumber
        message.queued = before.queued
        if let old = before.lockToken, old != message.lockToken {
            stores[key]?.locks[old] = nil
            if let owner = before.lockOwner { receivers[owner]?.unsettled.remove(old) }
        }
        stores[key]?.messages[sequenceNumber] = message
        if before.lockToken != message.lockToken || before.lockedUntil != message.lockedUntil
            || before.state != message.state || before.order != message.order {
            stores[key]?.index(sequenceNumber)
        }
        if before.expiresAt != message.expiresAt { stores[key]?.registerExpiry(sequenceNumber) }
        if message.isAvailable { markForDispatch(key) }
        if isJournaling, let name = stores[key]?.displayName { journal.append(.updated(store: name, message: message)) }
        return message
    }

    /// Remembers a message-id for duplicate detection.
    mutating func recordMessageID(_ id: AMQPMessageID, entity: String, now: AMQPTimestamp) {
        let capacity = limits.maxDuplicateDetectionEntries
        dedup[entity]?.record(id, now: now.millisecondsSince1970, capacity: capacity)
        if isJournaling { journal.append(.duplicateDetectionRecorded(entity: entity, messageID: id, at: now)) }
    }

    /// Sets (nil: clears) a session's state.
    mutating func writeSessionState(_ state: ByteBuffer?, session: String, in key: StoreKey) {
        stores[key]?.sessions[session, default: SessionQueue()].state = state
        if stores[key]?.sessions[session]?.isEmpty == true { stores[key]?.sessions[session] = nil }
        if isJournaling, let name = stores[key]?.displayName { journal.append(.sessionStateSet(store: name, session: session, state: state)) }
    }

    mutating func markForDispatch(_ key: StoreKey) {
        if !pendingDispatch.contains(key) { pendingDispatch.append(key) }
    }

    /// Takes a fresh lock token no lock of `key` uses.
    mutating func newLockToken(in key: StoreKey) -> AMQPUUID {
        var token = tokens.next()
        var attempts = 0
        while stores[key]?.locks[token] != nil, attempts < 16 {
            token = tokens.next()
            attempts += 1
        }
        if stores[key]?.locks[token] != nil {
            // A generator that keeps repeating itself: make one unique by counting.
            var low = token.low
            while stores[key]?.locks[AMQPUUID(high: token.high, low: low)] != nil { low &+= 1 }
            token = AMQPUUID(high: token.high, low: low)
        }
        return token
    }
}
