import AMQPCore
import NIOCore

extension BrokerState {
    /// A transfer to a queue or topic: `payload` is the encoded message as received.
    ///
    /// Checks the message size, the session id (session queues), duplicates (within the
    /// window, accepted and dropped), the quota of every store the message would land in;
    /// then numbers it, schedules it (`x-opt-scheduled-enqueue-time` in the future), fans it
    /// out to matching subscriptions, follows `ForwardTo`.
    public mutating func send(_ payload: ByteBuffer, to address: String, now: AMQPTimestamp) throws(BrokerError) -> BrokerSendResult {
        let path = try sendTarget(address)
        let message = try BrokerMessage(transferPayload: payload)
        let outcome = try accept(message, to: path, now: now)
        return BrokerSendResult(outcome: outcome, actions: flush(now: now))
    }

    /// A transfer to a queue or topic already resolved (the adapter resolves a link's address
    /// once, at attach).
    public mutating func send(_ payload: ByteBuffer, to path: BrokerEntityPath, now: AMQPTimestamp) throws(BrokerError) -> BrokerSendResult {
        guard path.kind != .subscription, let entity = entities[path.key] else {
            throw BrokerError(code: .invalidOperation, detail: "\(path) does not take messages: send to a queue or topic")
        }
        let message = try BrokerMessage(transferPayload: payload)
        let outcome = try accept(message, to: entity.path, now: now)
        return BrokerSendResult(outcome: outcome, actions: flush(now: now))
    }

    func sendTarget(_ address: String) throws(BrokerError) -> BrokerEntityPath {
        let node = try resolve(address)
        guard case .messages(let path, deadLetter: false) = node, path.kind != .subscription else {
            throw BrokerError(code: .invalidOperation, detail: "\(address.prefix(200)) does not take messages: send to a queue or topic")
        }
        return path
    }

    mutating func accept(_ message: BrokerMessage, to path: BrokerEntityPath, now: AMQPTimestamp) throws(BrokerError) -> BrokerSendResult.Outcome {
        guard let entity = entities[path.key] else { throw BrokerError.notFound("entity \(path)") }
        guard message.bareMessage.readableBytes <= entity.maxMessageBytes else {
            throw BrokerError(code: .messageSizeExceeded,
                              detail: "\(message.bareMessage.readableBytes) bytes, \(path) takes at most \(entity.maxMessageBytes)")
        }
        if let session = message.sessionID, session.utf8.count > 128 {
            throw BrokerError(code: .invalidMessage, detail: "a session id (group-id) has at most 128 bytes")
        }
        if path.kind == .queue, stores[StoreKey(entity: path.key, deadLetter: false)]?.usesSessions == true, message.sessionID == nil {
            throw BrokerError(code: .sessionIdRequired, detail: "\(path) requires sessions: set the message's group-id")
        }
        if let id = message.messageID, dedup[path.key] != nil {
            dedup[path.key]?.prune(now: now.millisecondsSince1970)
            if dedup[path.key]?.isDuplicate(id, now: now.millisecondsSince1970) == true { return .duplicate }
        }
        for key in destinations(of: message, at: path, hops: message.hops, now: now) {
            try checkRoom(for: message, in: key)
        }
        if let id = message.messageID, dedup[path.key] != nil { recordMessageID(id, entity: path.key, now: now) }
        return .accepted(sequenceNumber: enqueue(message, to: path, now: now, hops: message.hops))
    }

    /// Throws when `key` cannot take `message` (bytes, count, sessions).
    func checkRoom(for message: BrokerMessage, in key: StoreKey) throws(BrokerError) {
        guard let store = stores[key] else { return }
        let entityKey = key.entity
        if store.messages.count >= limits.maxMessagesPerEntity {
            throw BrokerError(code: .quotaExceeded, detail: "\(store.displayName) holds \(store.messages.count) messages, the most it may")
        }
        // An entity's size counts its dead-letter queue (a subscription counts against its topic's size).
        let limit = entities[entityKey]?.maxEntityBytes ?? .max
        let used = (stores[StoreKey(entity: entityKey, deadLetter: false)]?.byteCount ?? 0)
            + (stores[StoreKey(entity: entityKey, deadLetter: true)]?.byteCount ?? 0)
        if used + message.size > limit {
            throw BrokerError(code: .quotaExceeded, detail: "\(store.path) is full (\(used) of \(limit) bytes)")
        }
        if store.usesSessions, let session = message.sessionID, store.sessions[session] == nil,
           store.sessions.count >= limits.maxSessionsPerEntity {
            throw BrokerError(code: .limitExceeded, detail: "\(store.displayName) has \(store.sessions.count) sessions, the most it may")
        }
    }

    /// The stores a message sent to `path` ends up in (after fan-out and forwarding).
    func destinations(of message: BrokerMessage, at path: BrokerEntityPath, hops: Int, now: AMQPTimestamp) -> [StoreKey] {
        let main = StoreKey(entity: path.key, deadLetter: false)
        switch path.kind {
        case .queue, .subscription:
            if let forward = stores[main]?.settings.forwardTo, let target = entities[forward.lowercased()] {
                guard hops < limits.maxForwardHops else { return [StoreKey(entity: path.key, deadLetter: true)] }
                return destinations(of: message, at: target.path, hops: hops + 1, now: now)
            }
            if stores[main]?.usesSessions == true, message.sessionID == nil { return [] }
            return [main]
        case .topic:
            if let time = message.scheduledEnqueueTime, time > now { return [main] }
            guard let topic = topics[path.key] else { return [] }
            var input = message.filterInput
            input.sequenceNumber = stores[main]?.nextSequenceNumber ?? 0
            input.enqueuedTime = now.date
            return topic.subscriptions.filter { $0.matches(input) }.flatMap { subscription in
                entities[subscription.key].map { destinations(of: message, at: $0.path, hops: hops, now: now) } ?? []
            }
        }
    }

    /// Stores, fans out or forwards a checked message; returns its sequence number in `path`.
    @discardableResult
    mutating func enqueue(_ message: BrokerMessage, to path: BrokerEntityPath, now: AMQPTimestamp, hops: Int) -> Int64 {
        let main = StoreKey(entity: path.key, deadLetter: false)
        var message = message
        message.hops = hops
        switch path.kind {
        case .queue:
            if let forward = stores[main]?.settings.forwardTo, let target = entities[forward.lowercased()] {
                guard hops < limits.maxForwardHops else {
                    var failed = message.copyForEnqueue()
                    failed.sequenceNumber = stores[main]?.nextSequenceNumber ?? 0
                    stores[main]?.nextSequenceNumber += 1
                    moveToDeadLetter(failed, from: main, reason: "TransferHopCountExceeded",
                                     description: "The message was forwarded more than \(limits.maxForwardHops) times.", now: now)
                    return failed.sequenceNumber
                }
                return enqueue(message, to: target.path, now: now, hops: hops + 1)
            }
            return store(message, in: main, sequenceNumber: nil, now: now)
        case .subscription:
            // Reached by ForwardTo chains only through fan-out (see `fanOut`).
            return store(message, in: main, sequenceNumber: nil, now: now)
        case .topic:
            let seq = stores[main]?.nextSequenceNumber ?? 1
            if let time = message.scheduledEnqueueTime, time > now {
                return store(message, in: main, sequenceNumber: nil, now: now)
            }
            stores[main]?.nextSequenceNumber = seq + 1
            fanOut(message, topic: path, sequenceNumber: seq, now: now, hops: hops)
            return seq
        }
    }

    /// Copies a topic's message into each subscription with a matching rule, in topic order.
    mutating func fanOut(_ message: BrokerMessage, topic path: BrokerEntityPath, sequenceNumber: Int64, now: AMQPTimestamp, hops: Int) {
        guard let topic = topics[path.key] else { return }
        var input = message.filterInput
        input.sequenceNumber = sequenceNumber
        input.enqueuedTime = now.date
        for subscription in topic.subscriptions where subscription.matches(input) {
            let key = StoreKey(entity: subscription.key, deadLetter: false)
            guard let settings = stores[key]?.settings else { continue }
            if let forward = settings.forwardTo, let target = entities[forward.lowercased()] {
                if hops < limits.maxForwardHops {
                    enqueue(message, to: target.path, now: now, hops: hops + 1)
                } else {
                    var failed = message.copyForEnqueue()
                    failed.sequenceNumber = sequenceNumber
                    moveToDeadLetter(failed, from: key, reason: "TransferHopCountExceeded",
                                     description: "The message was forwarded more than \(limits.maxForwardHops) times.", now: now)
                }
                continue
            }
            // A subscription that requires sessions does not take messages without one.
            if stores[key]?.usesSessions == true, message.sessionID == nil { continue }
            store(message, in: key, sequenceNumber: sequenceNumber, now: now)
        }
    }

    /// Numbers a copy of `message` (or keeps the topic's `sequenceNumber`) and puts it in `key`:
    /// scheduled if its enqueue time is ahead, else active with its expiry.
    @discardableResult
    mutating func store(_ message: BrokerMessage, in key: StoreKey, sequenceNumber: Int64?, now: AMQPTimestamp) -> Int64 {
        guard let store = stores[key] else { return 0 }
        if (try? checkRoom(for: message, in: key)) == nil {
            pending.droppedMessages += 1
            return 0
        }
        var copy = message.copyForEnqueue()
        let seq = sequenceNumber ?? store.nextSequenceNumber
        stores[key]?.nextSequenceNumber = max(store.nextSequenceNumber, seq + 1)
        copy.sequenceNumber = seq
        copy.enqueuedTime = now
        if !store.isDeadLetter, let time = copy.scheduledEnqueueTime, time > now {
            copy.state = .scheduled
        } else {
            copy.order = store.nextOrder
            stores[key]?.nextOrder += 1
            // Messages in a dead-letter queue never expire.
            copy.expiresAt = store.isDeadLetter ? nil : expiry(of: copy, settings: store.settings, from: now)
        }
        insertMessage(copy, into: key)
        return seq
    }

    /// When a message becoming active at `start` expires: the smallest of its header's ttl,
    /// the entity's default time to live and its absolute-expiry-time; nil for never.
    func expiry(of message: BrokerMessage, settings: StoreSettings, from start: AMQPTimestamp) -> AMQPTimestamp? {
        var ttl = settings.defaultTimeToLive
        if let headerTTL = message.header?.ttl { ttl = min(ttl, Int64(headerTTL)) }
        var expires: AMQPTimestamp? = ttl >= ISO8601Duration.effectivelyInfinite.milliseconds ? nil : start.adding(milliseconds: ttl)
        if let absolute = message.absoluteExpiryTime, absolute.millisecondsSince1970 > 0 {
            expires = min(expires ?? absolute, absolute)
        }
        return expires
    }

    /// Moves a message that left `key` (already removed, or never stored) to the dead-letter
    /// queue of `key`'s entity, or to its `ForwardDeadLetteredMessagesTo` entity.
    mutating func moveToDeadLetter(_ message: BrokerMessage, from key: StoreKey, reason: String?, description: String?,
                                   properties: [String: AMQPValue] = [:], now: AMQPTimestamp) {
        guard let source = stores[key] else { return }
        var dead = message
        var changes = properties
        if let reason { changes[BrokerDeadLetterProperty.reason] = .string(String(reason.prefix(4096))) }
        if let description { changes[BrokerDeadLetterProperty.errorDescription] = .string(String(description.prefix(4096))) }
        dead.modifyApplicationProperties(changes)
        if dead.enqueueSequenceNumber == nil { dead.enqueueSequenceNumber = message.sequenceNumber }
        if let forward = source.settings.forwardDeadLetteredMessagesTo, let target = entities[forward.lowercased()],
           message.hops < limits.maxForwardHops {
            dead.deadLetterSource = source.displayName
            let hops = message.hops + 1
            if destinations(of: dead, at: target.path, hops: hops, now: now).allSatisfy({ (try? checkRoom(for: dead, in: $0)) != nil }) {
                enqueue(dead, to: target.path, now: now, hops: hops)
                return
            }
        }
        store(dead, in: StoreKey(entity: key.entity, deadLetter: true), sequenceNumber: nil, now: now)
    }
}
