import AMQPCore
import NIOCore

/// What the application asks of a connection.
extension ConnectionEngine {
    /// The transport is up (after SASL, if any): clients send their header and open.
    public mutating func start() {
        apply(connection.start())
    }

    /// Closes; the dispositions decided before it go out first (they would be lost after).
    public mutating func close(error: AMQPError? = nil) {
        for channel in sessions.keys.sorted() { sendDispositions(channel: channel) }
        apply(connection.closeRequested(error: error))
    }

    /// Input that cannot be decoded (or otherwise breaks the protocol): close with `condition`.
    public mutating func protocolViolated(_ condition: AMQPErrorCondition, _ description: String) {
        apply(connection.protocolViolated(condition, description))
    }

    /// The transport closed under us (EOF, a reset): the connection ends, with the reason it
    /// was already closing for if there was one (our idle time-out, say).
    public mutating func transportClosed() {
        apply(connection.transportClosed())
    }

    /// Our idle time-out passed with nothing received.
    public mutating func idleTimeoutElapsed() {
        apply(connection.idleTimeoutElapsed())
    }

    /// Begins a session; returns its channel, nil when no channel is free or not open yet.
    public mutating func beginSession(_ configuration: SessionConfiguration? = nil) -> UInt16? {
        guard connection.negotiated != nil, let channel = freeChannel() else { return nil }
        sessions[channel] = SessionEndpoint(configuration: configuration ?? sessionConfiguration)
        apply(sessions[channel]!.machine.beginRequested(), channel: channel)
        return channel
    }

    public mutating func endSession(_ channel: UInt16, error: AMQPError? = nil) {
        guard sessions[channel] != nil else { return }
        sendDispositions(channel: channel)
        apply(sessions[channel]!.machine.endRequested(error: error), channel: channel)
    }

    /// Attaches a link on a begun session; returns its id, nil when no handle is free.
    /// `prefetch` is the credit a receiver keeps up (0: manual, with `grantCredit`).
    public mutating func attachLink(
        channel: UInt16, name: String, role: Role, source: Source?, target: Target?,
        senderSettleMode: SenderSettleMode = .mixed, receiverSettleMode: ReceiverSettleMode = .first,
        prefetch: UInt32 = 100, maxMessageSize: UInt64? = nil, properties: AMQPMap? = nil
    ) -> LinkID? {
        guard let handle = sessions[channel]?.machine.freeHandle() else { return nil }
        let attach = Attach(name: name, handle: handle, role: role, sndSettleMode: senderSettleMode,
                            rcvSettleMode: receiverSettleMode, source: source, target: target.map { .target($0) },
                            initialDeliveryCount: role == .sender ? 0 : nil, maxMessageSize: maxMessageSize,
                            properties: properties)
        return startLink(attach, channel: channel, prefetch: prefetch, remote: nil)
    }

    /// Accepts a link the peer attached (`Event.linkRequested`), as the other end of it.
    /// `source` and `target` replace the peer's terminus where given (a dynamic node's address).
    public mutating func acceptLink(channel: UInt16, _ remote: Attach, prefetch: UInt32 = 100,
                                    source: Source? = nil, target: Target? = nil) -> LinkID? {
        guard let handle = sessions[channel]?.machine.freeHandle() else { return nil }
        let attach = Attach(name: remote.name, handle: handle, role: remote.role == .sender ? .receiver : .sender,
                            sndSettleMode: remote.sndSettleMode, rcvSettleMode: remote.rcvSettleMode,
                            source: source ?? remote.source, target: target.map { .target($0) } ?? remote.target,
                            initialDeliveryCount: remote.role == .sender ? nil : 0)
        return startLink(attach, channel: channel, prefetch: prefetch, remote: remote)
    }

    /// Refuses a link the peer attached: an attach without the terminus this side would own,
    /// then a detach with `error` (spec 2.6.3).
    public mutating func refuseLink(channel: UInt16, _ remote: Attach, error: AMQPError) {
        guard let handle = sessions[channel]?.machine.freeHandle() else { return }
        let weReceive = remote.role == .sender
        let attach = Attach(name: remote.name, handle: handle, role: weReceive ? .receiver : .sender,
                            source: weReceive ? remote.source : nil, target: weReceive ? nil : remote.target,
                            initialDeliveryCount: weReceive ? nil : 0)
        let id = startLink(attach, channel: channel, prefetch: 0, remote: remote)
        detachLink(id, closed: true, error: error)
    }

    private mutating func startLink(_ attach: Attach, channel: UInt16, prefetch: UInt32, remote: Attach?) -> LinkID {
        let id = LinkID(channel: channel, handle: attach.handle)
        sessions[channel]!.links[attach.handle] = LinkEndpoint(attach: attach, prefetch: prefetch)
        apply(sessions[channel]!.links[attach.handle]!.machine.attachRequested(), link: id)
        if let remote {
            sessions[channel]!.links[attach.handle]!.remoteHandle = remote.handle
            sessions[channel]!.byRemoteHandle[remote.handle] = attach.handle
            lastTransferRoute = nil
            let earlyFlow = sessions[channel]!.requested.removeValue(forKey: remote.handle) ?? nil
            apply(sessions[channel]!.links[attach.handle]!.machine.attachReceived(remote), link: id)
            // The peer's flow that came before our answer: apply it now (only its link part
            // matters; the session part was applied when it came).
            if let earlyFlow, sessions[channel]?.links[attach.handle] != nil {
                linkFlowReceived(earlyFlow, link: id)
                pump(channel: channel)
            }
        }
        return id
    }

    public mutating func detachLink(_ id: LinkID, closed: Bool = true, error: AMQPError? = nil) {
        guard sessions[id.channel]?.links[id.handle] != nil else { return }
        sendDispositions(channel: id.channel)
        apply(sessions[id.channel]!.links[id.handle]!.machine.detachRequested(closed: closed, error: error), link: id)
    }

    /// Queues a message (already encoded) on a sending link; it goes out as credit and the
    /// session window allow. `tag` must be unique among the link's unsettled deliveries.
    public mutating func send(_ message: ByteBuffer, tag: ByteBuffer, on id: LinkID, settled: Bool = false,
                              messageFormat: UInt32 = 0) {
        send(CollectionOfOne((message: message, tag: tag)), on: id, settled: settled, messageFormat: messageFormat)
    }

    /// Queues many messages (already encoded, each with its tag) on a sending link, then sends
    /// what credit and window allow: `send(_:tag:on:settled:messageFormat:)` for a batch, with
    /// one pass of the sending loop instead of one per message.
    public mutating func send<Deliveries: Sequence>(
        _ deliveries: Deliveries, on id: LinkID, settled: Bool = false, messageFormat: UInt32 = 0
    ) where Deliveries.Element == (message: ByteBuffer, tag: ByteBuffer) {
        guard let link = sessions[id.channel]?.links[id.handle], link.role == .sender else { return }
        for (message, tag) in deliveries {
            link.queue.append(OutgoingDelivery(tag: tag, remaining: message, settled: settled, messageFormat: messageFormat,
                                               sequence: link.nextSequence))
            link.nextSequence &+= 1
        }
        pump(channel: id.channel)
    }

    /// Takes back deliveries queued on a sending link that have not started (no frame of
    /// theirs sent, no credit used), those whose tag `matches`: they are never sent. Returns
    /// how many. The one partly sent cannot be taken back.
    public mutating func withdraw(on id: LinkID, where matches: (ByteBuffer) -> Bool) -> Int {
        guard let link = sessions[id.channel]?.links[id.handle], link.role == .sender else { return 0 }
        let before = link.queue.count
        link.queue.removeAll { matches($0.tag) }
        return before - link.queue.count
    }

    /// Deliveries queued on a sending link and not yet fully sent. With `Event.creditAvailable`
    /// (the link's whole credit) it tells how many more are worth queueing.
    public func queued(on id: LinkID) -> Int {
        guard let link = sessions[id.channel]?.links[id.handle] else { return 0 }
        return link.queue.count + (link.inProgress == nil ? 0 : 1)
    }

    /// Settles a received delivery with `state` (accepted, rejected, released, modified); the
    /// disposition goes out, coalesced with others, at the next `flush()`. Returns false, and
    /// sends nothing, for a delivery that is not unsettled on this session (settled already,
    /// sent pre-settled, or its session gone): a delivery is settled once.
    ///
    /// On a link in rcv-settle-mode `second` the outcome goes out unsettled and the delivery
    /// settles when the sender settles it (spec 2.6.12, 3.2.16).
    @discardableResult
    public mutating func settle(_ deliveryID: UInt32, on id: LinkID, state: DeliveryState) -> Bool {
        settle(CollectionOfOne(deliveryID), on: id, state: state) == 0
    }

    /// Settles received deliveries with one outcome (one session and link lookup for all);
    /// returns how many were not unsettled deliveries of ours (settled already, or unknown).
    public mutating func settle(_ deliveryIDs: some Collection<UInt32>, on id: LinkID, state: DeliveryState) -> Int {
        guard let session = sessions[id.channel] else { return deliveryIDs.count }
        let second = session.links[id.handle]?.machine.local.rcvSettleMode == .second
        var missing = 0
        for deliveryID in deliveryIDs {
            guard session.unsettledReceived.remove(deliveryID) != nil else {
                missing += 1
                continue
            }
            if second { session.awaitingSenderSettlement.sent(deliveryID, id.handle) }
            session.dispositions.add(deliveryID, state: state, settled: !second)
        }
        return missing
    }

    /// The application took `count` deliveries from a receiving link: keeps its credit up.
    public mutating func consumed(_ count: Int, on id: LinkID) {
        guard let link = sessions[id.channel]?.links[id.handle], link.receiver != nil else { return }
        let action = link.receiver!.deliveriesConsumed(count)
        if case .sendFlow(let state) = action { sendLinkFlow(state, link: id) }
    }

    /// Deliveries a sending link may still queue: its credit beyond what is queued already.
    public func sendableCredit(on id: LinkID) -> Int {
        guard let link = sessions[id.channel]?.links[id.handle], let sender = link.sender else { return 0 }
        return max(Int(sender.linkCredit) - link.queue.count, 0)
    }

    /// The credit a receiving link has granted and the sender has not used yet.
    public func linkCredit(on id: LinkID) -> UInt32 {
        sessions[id.channel]?.links[id.handle]?.receiver?.linkCredit ?? 0
    }

    /// Manual credit for a receiving link, optionally draining.
    public mutating func grantCredit(_ credit: UInt32, on id: LinkID, drain: Bool = false) {
        guard sessions[id.channel]?.links[id.handle]?.receiver != nil else { return }
        let action = sessions[id.channel]!.links[id.handle]!.receiver!.creditRequested(credit, drain: drain)
        if case .sendFlow(let state) = action { sendLinkFlow(state, link: id) }
    }

    /// Goes on sending where a chunk of output stopped it, once the transport has taken that
    /// output; returns whether there was anything to go on with.
    public mutating func resumePumping() -> Bool {
        guard !stalledPumps.isEmpty else { return false }
        let channels = stalledPumps
        stalledPumps = []
        for channel in channels.sorted() { pump(channel: channel) }
        return true
    }

    /// The handler finished one read: sends the dispositions decided meanwhile and reopens
    /// session windows (one flow per session, not one per transfer).
    public mutating func flush() {
        for id in pendingDrains {
            guard let link = sessions[id.channel]?.links[id.handle], link.sender?.drain == true else {
                pendingDrains.remove(id)
                continue
            }
            guard link.queue.isEmpty, link.inProgress == nil else { continue }
            pendingDrains.remove(id)
            if case .sendFlow(let state) = sessions[id.channel]!.links[id.handle]!.sender!.drainIfIdle(available: 0) {
                sendLinkFlow(state, link: id)
            }
        }
        for channel in sessions.keys.sorted() {
            sendDispositions(channel: channel)
            apply(sessions[channel]!.machine.readCompleted(), channel: channel)
        }
    }

    /// Sends the session's coalesced dispositions now: at the end of a read, and before a
    /// detach, end or close that would otherwise overtake (and so lose) them.
    mutating func sendDispositions(channel: UInt16) {
        guard sessions[channel] != nil else { return }
        for disposition in sessions[channel]!.dispositions.flush(role: .receiver) {
            send(.disposition(disposition), channel: channel)
        }
        for disposition in sessions[channel]!.senderDispositions.flush(role: .sender) {
            send(.disposition(disposition), channel: channel)
        }
    }
}
