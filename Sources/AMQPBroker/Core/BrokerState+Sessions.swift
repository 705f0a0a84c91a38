import AMQPCore
import NIOCore

extension BrokerState {
    /// Throws when another receiver holds `session` (its lock not yet expired).
    func checkSessionFree(_ session: String, in key: StoreKey, now: AMQPTimestamp) throws(BrokerError) {
        guard let store = stores[key] else { return }
        if let state = store.sessions[session] {
            if state.owner != nil, let until = state.lockedUntil, until > now {
                throw BrokerError(code: .sessionCannotBeLocked, detail: "session \(session.prefix(128)) is locked by another receiver")
            }
        } else if store.sessions.count >= limits.maxSessionsPerEntity {
            throw BrokerError(code: .limitExceeded, detail: "\(store.displayName) has \(store.sessions.count) sessions, the most it may")
        }
    }

    /// The unlocked session whose next available message came first.
    mutating func nextAvailableSession(in key: StoreKey, now: AMQPTimestamp) -> String? {
        guard let names = stores[key]?.sessions.keys.sorted() else { return nil }
        var best: (order: Int64, name: String)?
        for name in names {
            guard let state = stores[key]?.sessions[name] else { continue }
            if state.owner != nil, let until = state.lockedUntil, until > now { continue }
            guard stores[key]?.sessionHasAvailable(name) == true,
                  let head = stores[key]?.sessions[name]?.available.min else { continue }
            if let current = best, current.order <= head.key { continue }
            best = (head.key, name)
        }
        return best?.name
    }

    /// Gives `session` to `receiver` until now + the lock duration; a previous holder whose
    /// lock expired loses it.
    mutating func lockSession(_ session: String, in key: StoreKey, for receiver: BrokerReceiverID, now: AMQPTimestamp) -> AMQPTimestamp {
        if let previous = stores[key]?.sessions[session]?.owner, previous != receiver {
            receivers[previous]?.sessionID = nil
            pending.sessionLocksLost.append(previous)
            releaseSession(session, in: key, now: now)
        }
        let until = now.adding(milliseconds: stores[key]?.settings.lockDuration ?? 60_000)
        stores[key]?.sessions[session, default: SessionQueue()].owner = receiver
        stores[key]?.sessions[session]?.lockedUntil = until
        stores[key]?.sessionExpiries.insert(SessionExpiry(key: until.millisecondsSince1970, session: session))
        markForDispatch(key)
        return until
    }

    /// Frees `session`; the locks of its messages are lost (released with the count up).
    mutating func releaseSession(_ session: String, in key: StoreKey, now: AMQPTimestamp) {
        guard stores[key]?.sessions[session] != nil else { return }
        stores[key]?.sessions[session]?.owner = nil
        stores[key]?.sessions[session]?.lockedUntil = nil
        let locked = (stores[key]?.locks ?? [:]).values.filter { stores[key]?.messages[$0]?.sessionID == session }.sorted()
        for seq in locked { release(seq, in: key, now: now) }
        if stores[key]?.sessions[session]?.isEmpty == true { stores[key]?.sessions[session] = nil }
        markForDispatch(key)
    }

    /// Throws unless `session` of `key` is locked (by anyone) until after `now`.
    func checkSessionLocked(_ session: String, in key: StoreKey, now: AMQPTimestamp) throws(BrokerError) {
        guard let state = stores[key]?.sessions[session], state.owner != nil, let until = state.lockedUntil, until > now else {
            throw BrokerError(code: .sessionLockLost, detail: "session \(session.prefix(128)) is not locked")
        }
    }

    /// renew-session-lock: extends the lock of a held session.
    public mutating func renewSessionLock(_ session: String, at address: String, now: AMQPTimestamp) throws(BrokerError) -> AMQPTimestamp {
        let key = try storeKey(for: address)
        try checkSessionLocked(session, in: key, now: now)
        let until = now.adding(milliseconds: stores[key]?.settings.lockDuration ?? 60_000)
        stores[key]?.sessions[session]?.lockedUntil = until
        stores[key]?.sessionExpiries.insert(SessionExpiry(key: until.millisecondsSince1970, session: session))
        return until
    }

    /// get-session-state of a held session (nil: none set).
    public func sessionState(_ session: String, at address: String, now: AMQPTimestamp) throws(BrokerError) -> ByteBuffer? {
        let key = try storeKey(for: address)
        try checkSessionLocked(session, in: key, now: now)
        return stores[key]?.sessions[session]?.state
    }

    /// set-session-state of a held session (nil clears it).
    public mutating func setSessionState(_ state: ByteBuffer?, session: String, at address: String, now: AMQPTimestamp) throws(BrokerError) {
        let key = try storeKey(for: address)
        try checkSessionLocked(session, in: key, now: now)
        if let state, state.readableBytes > limits.maxSessionStateBytes {
            throw BrokerError(code: .messageSizeExceeded, detail: "session state of \(state.readableBytes) bytes, at most \(limits.maxSessionStateBytes)")
        }
        writeSessionState(state, session: session, in: key)
    }

    /// get-message-sessions: sessions that hold messages or state, by name, paged.
    public func messageSessions(at address: String, skip: Int = 0, top: Int = 100) throws(BrokerError) -> [String] {
        let key = try storeKey(for: address)
        guard let store = stores[key], store.usesSessions else {
            throw BrokerError(code: .invalidOperation, detail: "\(address.prefix(200)) does not use sessions")
        }
        let names = store.sessions.filter { $0.value.messageCount > 0 || $0.value.state != nil }.keys.sorted()
        let start = min(max(0, skip), names.count)
        return Array(names[start..<min(names.count, start + min(max(0, top), limits.maxBatch))])
    }

    /// The session a receiver holds (nil after its lock was lost).
    public func session(of receiver: BrokerReceiverID) -> String? { receivers[receiver]?.sessionID }
}
