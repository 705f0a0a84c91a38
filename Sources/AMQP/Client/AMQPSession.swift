import AMQPCore

/// A session (spec 2.5): an ordered, flow-controlled conversation on one channel, which
/// senders and receivers attach to. Ending it detaches them.
public final class AMQPSession: Sendable {
    public let connection: AMQPConnection
    let key: UInt64

    init(connection: AMQPConnection, key: UInt64) {
        self.connection = connection
        self.key = key
    }

    /// Attaches a sender to the node at `address` (a queue, a topic, …). Throws the peer's
    /// refusal (e.g. `amqp:not-found`) as a typed error.
    public func openSender(to address: String, options: AMQPSenderOptions = AMQPSenderOptions())
        async throws(AMQPClientError) -> AMQPSender
    {
        let target = Target(address: address, durable: options.durable ?? .none, capabilities: options.targetCapabilities)
        let (key, attached) = try await connection.attach(
            session: self, role: .sender, name: options.name, source: Source(), target: target,
            senderSettleMode: options.presettled ? .settled : .unsettled, receiverSettleMode: .first, prefetch: 0,
            maxMessageSize: options.maxMessageSize, properties: options.properties)
        return AMQPSender(connection: connection, key: key, address: address, terms: attached)
    }

    /// Attaches a receiver to the node at `address`, or (with `options.dynamic` and no address)
    /// to a node the peer creates, whose address is then `receiver.address`.
    public func openReceiver(from address: String?, options: AMQPReceiverOptions = AMQPReceiverOptions())
        async throws(AMQPClientError) -> AMQPReceiver
    {
        let source = Source(address: options.dynamic ? nil : address, dynamic: options.dynamic,
                            filter: options.filter, capabilities: options.sourceCapabilities)
        let (key, attached) = try await connection.attach(
            session: self, role: .receiver, name: options.name, source: source, target: Target(),
            senderSettleMode: options.presettled ? .settled : .mixed, receiverSettleMode: options.settleMode,
            prefetch: options.prefetch,
            maxMessageSize: options.maxMessageSize, properties: options.properties)
        let remoteAddress = attached.remote.source?.address
        return AMQPReceiver(connection: connection, key: key, address: remoteAddress ?? address, terms: attached)
    }

    /// Ends the session (spec 2.7.7) and waits for the peer's end.
    public func close() async throws(AMQPClientError) {
        try await connection.endSession(self)
    }
}

extension AMQPConnection {
    /// Begins a session and waits for the peer's begin.
    public func openSession(_ configuration: SessionConfiguration? = nil) async throws(AMQPClientError) -> AMQPSession {
        try await ensureReady()
        guard let handler, let channel = handler.perform({ $0.beginSession(configuration) }) else {
            throw AMQPClientError(code: .sessionEnded, detail: "no free channel")
        }
        let slot = SessionSlot(key: makeKey(), channel: channel, configuration: configuration)
        sessions[channel] = slot
        sessionsByKey[slot.key] = slot
        if !slot.begun {
            try await wait(timeout: options.operationTimeout, { .begin($0, channel: channel, key: slot.key) },
                           registered: { slot.begin = $0 })
        }
        return AMQPSession(connection: self, key: slot.key)
    }

    func endSession(_ session: AMQPSession) async throws(AMQPClientError) {
        guard let slot = sessionsByKey[session.key], slot.ended == nil else { return }
        guard !recovering else {
            // No session on the wire to end now; it is not begun again.
            sessionEnded(slot, error: nil)
            sessionsByKey[slot.key] = nil
            return
        }
        try await wait(timeout: options.operationTimeout, { .end($0, channel: slot.channel) }) { ticket in
            slot.end = ticket
            handler?.perform { $0.endSession(slot.channel) }
        }
    }

    func attach(
        session: AMQPSession, role: Role, name: String?, source: Source, target: Target,
        senderSettleMode: SenderSettleMode, receiverSettleMode: ReceiverSettleMode, prefetch: UInt32,
        maxMessageSize: UInt64?, properties: AMQPMap?
    ) async throws(AMQPClientError) -> (UInt64, AttachedLink) {
        try await ensureReady()
        guard let sessionSlot = sessionsByKey[session.key], sessionSlot.ended == nil else {
            throw AMQPClientError(code: .sessionEnded, detail: "the session has ended")
        }
        let key = makeKey()
        let linkName = name ?? "\(role == .sender ? "sender" : "receiver")-\(key)-\(UInt32.random(in: 0...UInt32.max))"
        let request = AttachRequest(
            name: linkName, role: role, source: source, target: target, senderSettleMode: senderSettleMode,
            receiverSettleMode: receiverSettleMode, prefetch: prefetch, maxMessageSize: maxMessageSize, properties: properties)
        guard let id = startAttach(request, channel: sessionSlot.channel) else {
            throw AMQPClientError(code: .linkDetached, detail: "no free handle")
        }
        let slot = LinkSlot(key: key, id: id, sessionKey: session.key, request: request)
        if role == .sender {
            slot.sender = SenderSlot(presettled: senderSettleMode == .settled, key: key,
                                     keepsBytes: options.reconnect != .never)
        } else {
            slot.receiver = ReceiverSlot()
        }
        links[id] = slot
        linksByKey[key] = slot
        // A refusal (an attach without the terminus, then a detach: spec 2.6.3) fails this
        // wait with the peer's error.
        let terms = try await wait(timeout: options.operationTimeout, { .attach($0, key: key) },
                                   registered: { slot.attach = $0 })
        return (key, terms)
    }

    /// Detaches (closing) a link and waits for the peer's detach.
    func detach(key: UInt64) async throws(AMQPClientError) {
        guard let slot = linksByKey[key] else { return }
        guard let id = slot.id else {
            // Detached already, or waiting to be re-attached: it is not re-attached now.
            if slot.detached == nil { linkDetached(slot, error: nil) }
            linksByKey[key] = nil
            return
        }
        try await wait(timeout: options.operationTimeout, { .detach($0, key: key) }) { ticket in
            slot.detach = ticket
            handler?.perform { $0.detachLink(id, closed: true) }
        }
    }

    /// Asks the engine to attach a link as `request` says, on `channel`.
    func startAttach(_ request: AttachRequest, channel: UInt16) -> LinkID? {
        let attached = handler?.perform {
            $0.attachLink(channel: channel, name: request.name, role: request.role, source: request.source,
                          target: request.target, senderSettleMode: request.senderSettleMode,
                          receiverSettleMode: request.receiverSettleMode, prefetch: request.prefetch,
                          maxMessageSize: request.maxMessageSize, properties: request.properties)
        }
        return attached ?? nil
    }

    /// The link's slot by key, attached or detached.
    func linkSlot(_ key: UInt64) -> LinkSlot? {
        linksByKey[key]
    }
}
