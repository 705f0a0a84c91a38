import AMQPCore

extension BrokerState {
    /// Registers a receiving link on a queue, subscription or dead-letter queue.
    ///
    /// On a session entity a session is required (`.id` or `.nextAvailable`) and locked for
    /// the receiver until it detaches or the lock expires; `.nextAvailable` picks the session
    /// whose oldest available message is oldest, among those nobody holds.
    public mutating func attachReceiver(to address: String, mode: BrokerReceiveMode,
                                        session: BrokerSessionRequest = .none, now: AMQPTimestamp) throws(BrokerError) -> BrokerReceiverAttached {
        let key = try storeKey(for: address)
        guard let store = stores[key] else { throw BrokerError.notFound("entity \(address.prefix(200))") }
        guard receivers.count < limits.maxReceivers else {
            throw BrokerError(code: .limitExceeded, detail: "\(receivers.count) receivers, the most the broker takes")
        }
        var sessionID: String?
        var lockedUntil: AMQPTimestamp?
        switch (store.usesSessions, session) {
        case (false, .none):
            break
        case (false, _):
            throw BrokerError(code: .invalidOperation, detail: "\(store.displayName) does not use sessions")
        case (true, .none):
            throw BrokerError(code: .invalidOperation, detail: "\(store.displayName) requires sessions: accept a session")
        case (true, .id(let id)):
            guard !id.isEmpty, id.utf8.count <= 128 else {
                throw BrokerError(code: .invalidOperation, detail: "a session id has 1 to 128 bytes")
            }
            try checkSessionFree(id, in: key, now: now)
            sessionID = id
        case (true, .nextAvailable):
            guard let id = nextAvailableSession(in: key, now: now) else {
                throw BrokerError(code: .noSessionAvailable, detail: "no session of \(store.displayName) is available")
            }
            sessionID = id
        }
        let id = BrokerReceiverID(rawValue: nextReceiverID)
        nextReceiverID += 1
        receivers[id] = Receiver(id: id, store: key, mode: mode, sessionID: sessionID)
        stores[key]?.receivers.append(id)
        if let sessionID {
            lockedUntil = lockSession(sessionID, in: key, for: id, now: now)
        }
        return BrokerReceiverAttached(id: id, sessionID: sessionID, sessionLockedUntil: lockedUntil)
    }

    /// Adds link credit; returns the deliveries it allows now.
    public mutating func addCredit(_ credit: Int, to receiver: BrokerReceiverID, now: AMQPTimestamp) throws(BrokerError) -> BrokerActions {
        guard let current = receivers[receiver]?.credit else { throw BrokerError(code: .unknownReceiver, detail: "\(receiver)") }
        let (sum, overflow) = current.addingReportingOverflow(max(0, credit))
        return try setCredit(overflow ? .max : sum, for: receiver, now: now)
    }

    /// Sets link credit (a flow's `link-credit`; 0 stops deliveries, as a drain does).
    public mutating func setCredit(_ credit: Int, for receiver: BrokerReceiverID, now: AMQPTimestamp) throws(BrokerError) -> BrokerActions {
        guard let key = receivers[receiver]?.store else { throw BrokerError(code: .unknownReceiver, detail: "\(receiver)") }
        let capped = min(max(0, credit), limits.maxCreditPerReceiver)
        receivers[receiver]?.credit = capped
        markForDispatch(key)
        return flush(now: now)
    }

    /// The receiver's credit left.
    public func credit(of receiver: BrokerReceiverID) -> Int? { receivers[receiver]?.credit }

    /// Unregisters a receiver. A session receiver releases its session, and the locks of its
    /// session's messages are lost (those messages come back with their delivery count up).
    /// A plain receiver's locks stay until they expire, as in Service Bus: the messages can
    /// still be settled by lock token through `$management`.
    public mutating func detachReceiver(_ receiver: BrokerReceiverID, now: AMQPTimestamp) -> BrokerActions {
        guard let record = receivers.removeValue(forKey: receiver) else { return BrokerActions() }
        stores[record.store]?.receivers.removeAll { $0 == receiver }
        if let session = record.sessionID {
            releaseSession(session, in: record.store, now: now)
        } else {
            for token in record.unsettled {
                guard let seq = stores[record.store]?.locks[token] else { continue }
                updateMessage(seq, in: record.store) { $0.lockOwner = nil }
            }
        }
        return flush(now: now)
    }

    /// Runs pending deliveries and returns everything the adapter must do.
    mutating func flush(now: AMQPTimestamp) -> BrokerActions {
        var rounds = 0
        while !pendingDispatch.isEmpty, rounds < 1_000_000 {
            let key = pendingDispatch.removeFirst()
            dispatch(key, now: now)
            rounds += 1
        }
        defer { pending = BrokerActions() }
        return pending
    }

    /// Hands available messages of `key` to its receivers with credit, round-robin.
    mutating func dispatch(_ key: StoreKey, now: AMQPTimestamp) {
        guard let store = stores[key], !store.receivers.isEmpty else { return }
        if store.usesSessions {
            for id in store.receivers {
                guard let session = receivers[id]?.sessionID else { continue }
                while canTake(id), let seq = stores[key]?.popAvailable(session: session) {
                    deliver(seq, from: key, to: id, now: now)
                }
            }
            return
        }
        var idle = 0
        while idle < store.receivers.count {
            let index = (stores[key]?.nextReceiver ?? 0) % store.receivers.count
            let id = store.receivers[index]
            guard canTake(id) else {
                stores[key]?.nextReceiver = index + 1
                idle += 1
                continue
            }
            guard let seq = stores[key]?.popAvailable() else { return }
            if deliver(seq, from: key, to: id, now: now) {
                stores[key]?.nextReceiver = index + 1
                idle = 0
            }
        }
    }

    private func canTake(_ id: BrokerReceiverID) -> Bool {
        guard let receiver = receivers[id], receiver.credit > 0 else { return false }
        return receiver.mode == .receiveAndDelete || receiver.unsettled.count < limits.maxUnsettledPerReceiver
    }

    /// Locks (peek-lock) or removes (receive-and-delete) a message for a receiver; false when
    /// the message had expired instead.
    @discardableResult
    mutating func deliver(_ seq: Int64, from key: StoreKey, to id: BrokerReceiverID?, mode: BrokerReceiveMode? = nil, now: AMQPTimestamp) -> Bool {
        guard let message = stores[key]?.messages[seq], let settings = stores[key]?.settings,
              let source = stores[key]?.displayName else { return false }
        if let expiresAt = message.expiresAt, expiresAt <= now {
            expire(seq, in: key, now: now)
            return false
        }
        let mode = mode ?? receivers[id ?? BrokerReceiverID(rawValue: 0)]?.mode ?? .peekLock
        let delivered: BrokerMessage?
        switch mode {
        case .receiveAndDelete:
            delivered = removeMessage(seq, from: key)
        case .peekLock:
            let token = newLockToken(in: key)
            let until = now.adding(milliseconds: settings.lockDuration)
            delivered = updateMessage(seq, in: key) { m in
                m.lockToken = token
                m.lockedUntil = until
                m.lockOwner = id
            }
            if let id { receivers[id]?.unsettled.insert(token) }
        }
        guard let delivered else { return false }
        if let id { receivers[id]?.credit -= 1 }
        pending.deliveries.append(BrokerDelivery(receiver: id, source: source, message: delivered))
        return true
    }
}
