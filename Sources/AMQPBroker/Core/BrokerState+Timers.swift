import AMQPCore

extension BrokerState {
    /// The earliest time ``tick(now:)`` has something to do (a lock, session lock, schedule,
    /// expiry or duplicate-detection entry coming due); nil when nothing is pending. It may be
    /// early (a lazily-removed entry), never late.
    public var nextDeadline: AMQPTimestamp? {
        let storeDeadline = stores.values.compactMap(\.nextDeadline).min()
        let dedupDeadline = dedup.values.compactMap(\.nextDeadline).min()
        return [storeDeadline, dedupDeadline].compactMap { $0 }.min().map(AMQPTimestamp.init(millisecondsSince1970:))
    }

    /// Processes everything due at `now`: expired message locks (redelivery with the count up,
    /// or dead-letter), expired session locks (``BrokerActions/sessionLocksLost``), scheduled
    /// messages becoming active, messages past their time to live, and the duplicate-detection
    /// history. Returns the deliveries that follow.
    public mutating func tick(now: AMQPTimestamp) -> BrokerActions {
        let due = now.millisecondsSince1970
        for key in storeOrder {
            guard let deadline = stores[key]?.nextDeadline, deadline <= due else { continue }
            expireLocks(in: key, due: due, now: now)
            expireSessionLocks(in: key, due: due, now: now)
            activateScheduled(in: key, due: due, now: now)
            expireMessages(in: key, due: due, now: now)
        }
        for entity in dedup.keys { dedup[entity]?.prune(now: due) }
        return flush(now: now)
    }

    private mutating func expireLocks(in key: StoreKey, due: Int64, now: AMQPTimestamp) {
        while let top = stores[key]?.lockExpiries.min, top.key <= due {
            _ = stores[key]?.lockExpiries.popMin()
            guard let message = stores[key]?.messages[top.sequenceNumber], message.lockToken != nil,
                  message.lockedUntil?.millisecondsSince1970 == top.key else { continue }
            release(top.sequenceNumber, in: key, now: now)
        }
    }

    private mutating func expireSessionLocks(in key: StoreKey, due: Int64, now: AMQPTimestamp) {
        while let top = stores[key]?.sessionExpiries.min, top.key <= due {
            _ = stores[key]?.sessionExpiries.popMin()
            guard let session = stores[key]?.sessions[top.session], let owner = session.owner,
                  session.lockedUntil?.millisecondsSince1970 == top.key else { continue }
            receivers[owner]?.sessionID = nil
            pending.sessionLocksLost.append(owner)
            releaseSession(top.session, in: key, now: now)
        }
    }

    private mutating func activateScheduled(in key: StoreKey, due: Int64, now: AMQPTimestamp) {
        while let top = stores[key]?.scheduled.min, top.key <= due {
            _ = stores[key]?.scheduled.popMin()
            guard let store = stores[key], let message = store.messages[top.sequenceNumber], message.state == .scheduled,
                  let time = message.scheduledEnqueueTime, time.millisecondsSince1970 == top.key else { continue }
            if store.path.kind == .topic {
                // A topic's scheduled message fans out when its time comes.
                guard var activated = removeMessage(top.sequenceNumber, from: key) else { continue }
                activated.state = .active
                fanOut(activated, topic: store.path, sequenceNumber: activated.sequenceNumber, now: time, hops: activated.hops)
                continue
            }
            let order = store.nextOrder
            stores[key]?.nextOrder += 1
            let expiresAt = expiry(of: message, settings: store.settings, from: time)
            updateMessage(top.sequenceNumber, in: key) { m in
                m.state = .active
                m.order = order
                m.enqueuedTime = time
                m.expiresAt = expiresAt
            }
            if let expiresAt, expiresAt <= now { expire(top.sequenceNumber, in: key, now: now) }
        }
    }

    private mutating func expireMessages(in key: StoreKey, due: Int64, now: AMQPTimestamp) {
        while let top = stores[key]?.expiries.min, top.key <= due {
            _ = stores[key]?.expiries.popMin()
            guard let message = stores[key]?.messages[top.sequenceNumber], message.expiresAt?.millisecondsSince1970 == top.key,
                  message.state != .scheduled else { continue }
            // A locked message expires when its lock ends (see `release`).
            guard message.lockToken == nil else { continue }
            expire(top.sequenceNumber, in: key, now: now)
        }
    }
}
