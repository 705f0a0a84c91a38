import AMQPCore

extension BrokerState {
    /// A disposition on a receiver's link for the delivery with lock token `token`.
    ///
    /// An unknown or expired lock is `messageLockLost`; on a session receiver an expired
    /// session lock is `sessionLockLost`.
    public mutating func settle(_ token: AMQPUUID, receiver: BrokerReceiverID, _ disposition: BrokerDisposition,
                                now: AMQPTimestamp) throws(BrokerError) -> BrokerActions {
        guard let record = receivers[receiver] else { throw BrokerError(code: .unknownReceiver, detail: "\(receiver)") }
        if stores[record.store]?.usesSessions == true, record.sessionID == nil {
            throw BrokerError(code: .sessionLockLost, detail: "the receiver's session lock was lost")
        }
        try checkLock(token, in: record.store, now: now)
        // A link settles its own deliveries (and those taken through `$management`).
        if let seq = stores[record.store]?.locks[token], let owner = stores[record.store]?.messages[seq]?.lockOwner, owner != receiver {
            throw BrokerError.lockLost
        }
        try apply(disposition, to: token, in: record.store, now: now)
        markForDispatch(record.store)
        return flush(now: now)
    }

    /// `$management` update-disposition: settles messages of `address` by lock token, all or
    /// none (every lock is checked first).
    public mutating func settle(lockTokens: [AMQPUUID], at address: String, _ disposition: BrokerDisposition,
                                now: AMQPTimestamp) throws(BrokerError) -> BrokerActions {
        let key = try storeKey(for: address)
        guard lockTokens.count <= limits.maxBatch else {
            throw BrokerError(code: .limitExceeded, detail: "\(lockTokens.count) lock tokens, at most \(limits.maxBatch)")
        }
        guard Set(lockTokens).count == lockTokens.count else {
            throw BrokerError(code: .invalidOperation, detail: "a lock token appears twice")
        }
        for token in lockTokens { try checkLock(token, in: key, now: now) }
        for token in lockTokens { try apply(disposition, to: token, in: key, now: now) }
        markForDispatch(key)
        return flush(now: now)
    }

    /// Extends the locks of `lockTokens` (renew-lock); returns the new expiries in order.
    public mutating func renewLocks(_ lockTokens: [AMQPUUID], at address: String, now: AMQPTimestamp) throws(BrokerError) -> [AMQPTimestamp] {
        let key = try storeKey(for: address)
        guard lockTokens.count <= limits.maxBatch else {
            throw BrokerError(code: .limitExceeded, detail: "\(lockTokens.count) lock tokens, at most \(limits.maxBatch)")
        }
        for token in lockTokens { try checkLock(token, in: key, now: now) }
        let until = now.adding(milliseconds: stores[key]?.settings.lockDuration ?? 60_000)
        var expiries: [AMQPTimestamp] = []
        for token in lockTokens {
            guard let seq = stores[key]?.locks[token] else { continue }
            updateMessage(seq, in: key) { $0.lockedUntil = until }
            expiries.append(until)
        }
        return expiries
    }

    /// Extends one lock of a receiver's delivery.
    public mutating func renewLock(_ token: AMQPUUID, receiver: BrokerReceiverID, now: AMQPTimestamp) throws(BrokerError) -> AMQPTimestamp {
        guard let record = receivers[receiver], let store = stores[record.store] else {
            throw BrokerError(code: .unknownReceiver, detail: "\(receiver)")
        }
        let expiries = try renewLocks([token], at: store.displayName, now: now)
        return expiries.first ?? now
    }

    /// Throws unless `token` locks a message of `key` until after `now` (and, in a session
    /// store, the message's session is still locked).
    func checkLock(_ token: AMQPUUID, in key: StoreKey, now: AMQPTimestamp) throws(BrokerError) {
        guard let store = stores[key], let seq = store.locks[token], let message = store.messages[seq],
              message.lockToken == token, let until = message.lockedUntil, until > now else {
            throw BrokerError.lockLost
        }
        if store.usesSessions, let session = message.sessionID {
            guard let state = store.sessions[session], state.owner != nil, let until = state.lockedUntil, until > now else {
                throw BrokerError(code: .sessionLockLost, detail: "the lock of session \(session.prefix(128)) was lost")
            }
        }
    }

    private mutating func apply(_ disposition: BrokerDisposition, to token: AMQPUUID, in key: StoreKey, now: AMQPTimestamp) throws(BrokerError) {
        guard let seq = stores[key]?.locks[token] else { throw BrokerError.lockLost }
        switch disposition {
        case .complete:
            removeMessage(seq, from: key)
        case .abandon(let properties):
            release(seq, in: key, propertiesToModify: properties, now: now)
        case .defer(let properties):
            updateMessage(seq, in: key) { m in
                m.state = .deferred
                m.lockToken = nil
                m.lockedUntil = nil
                m.lockOwner = nil
                m.modifyApplicationProperties(properties)
            }
        case .deadLetter(let reason, let description, let properties):
            guard stores[key]?.isDeadLetter == false else {
                throw BrokerError(code: .invalidOperation, detail: "a dead-lettered message cannot be dead-lettered again")
            }
            if let message = stores[key]?.messages[seq] {
                try checkRoom(for: message, in: StoreKey(entity: key.entity, deadLetter: true))
            }
            guard var message = removeMessage(seq, from: key) else { return }
            message.lockToken = nil
            message.lockedUntil = nil
            message.lockOwner = nil
            moveToDeadLetter(message, from: key, reason: reason, description: description, properties: properties, now: now)
        }
    }

    /// Ends a message's lock without settling it (abandon, lock expiry, session lost): the
    /// delivery count goes up; at the entity's `MaxDeliveryCount` the message is dead-lettered
    /// (`MaxDeliveryCountExceeded`); an expired one expires; else it is available again, ahead
    /// of later messages (deferred ones stay deferred).
    mutating func release(_ seq: Int64, in key: StoreKey, propertiesToModify: [String: AMQPValue] = [:], now: AMQPTimestamp) {
        guard let released = updateMessage(seq, in: key, { m in
            m.lockToken = nil
            m.lockedUntil = nil
            m.lockOwner = nil
            m.deliveryCount &+= 1
            m.modifyApplicationProperties(propertiesToModify)
        }), let store = stores[key] else { return }
        if !store.isDeadLetter, released.deliveryCount >= store.settings.maxDeliveryCount {
            guard let message = removeMessage(seq, from: key) else { return }
            moveToDeadLetter(message, from: key, reason: "MaxDeliveryCountExceeded",
                             description: "Message could not be consumed after \(store.settings.maxDeliveryCount) delivery attempts.", now: now)
        } else if let expiresAt = released.expiresAt, expiresAt <= now {
            expire(seq, in: key, now: now)
        }
    }

    /// Removes an expired message, dead-lettering it (`TTLExpiredException`) when the entity
    /// says so.
    mutating func expire(_ seq: Int64, in key: StoreKey, now: AMQPTimestamp) {
        guard let settings = stores[key]?.settings, let isDeadLetter = stores[key]?.isDeadLetter,
              let message = removeMessage(seq, from: key) else { return }
        if settings.deadLetteringOnExpiration, !isDeadLetter {
            moveToDeadLetter(message, from: key, reason: "TTLExpiredException",
                             description: "The message expired and was dead lettered.", now: now)
        }
    }
}
