import AMQPCore
import NIOCore

/// Everything one AMQP connection does, without I/O: the connection, its sessions and their
/// links, composed from their state machines. Received headers and frames go in
/// (`received(_:)`), commands go in (`beginSession`, `attachLink`, `send`, `settle`, …); frames
/// to write collect in `outbound` and what the application should learn in `events`. The
/// channel handler drains both after each call and performs them.
///
/// Not `Sendable`, and not to be copied: its sessions and links are reference types (see
/// `LinkEndpoint`), owned by the one engine; the channel handler keeps it on its event loop.
public struct ConnectionEngine {
    public enum Event: Sendable, Hashable {
        case opened(NegotiatedConnection)
        case sessionBegun(channel: UInt16)
        case sessionEnded(channel: UInt16, AMQPSessionError?)
        case linkAttached(LinkID, AttachedLink)
        /// The peer attached a link of its own on this session: `acceptLink` or `refuseLink`.
        case linkRequested(channel: UInt16, Attach)
        case linkDetached(LinkID, AMQPLinkError?)
        /// A sending link may send this many more deliveries.
        case creditAvailable(LinkID, UInt32)
        /// A drain this receiver asked for is complete.
        case drained(LinkID)
        /// Deliveries that arrived on a receiving link, in order: consecutive ones on one
        /// link come as one event (one per read, typically), not one each.
        case deliveries(LinkID, [IncomingDelivery])
        /// Outcomes for deliveries we sent: `count` consecutive deliveries of the link, from
        /// its `first`-th (counting the link's deliveries from 0 in the order they were
        /// queued), the first of them tagged `firstTag`, all with `state` (`settled`: final).
        /// A disposition from the peer gives one event per run of a link's deliveries, not one
        /// per delivery. Deliveries sent pre-settled are reported once their last frame is
        /// written, with `state` nil and `settled` true.
        case outcomes(LinkID, first: UInt64, firstTag: ByteBuffer, count: Int, state: DeliveryState?, settled: Bool)
        /// Close the transport; nil error for a clean close.
        case closeTransport(AMQPConnectionError?)
    }

    var connection: ConnectionStateMachine
    var sessions: [UInt16: SessionEndpoint] = [:]
    var byRemoteChannel: [UInt16: UInt16] = [:]
    /// Where the last transfer went: transfers come in runs for one link, and this saves the
    /// four dictionary lookups from the peer's channel and handle to our session and link.
    /// Forgotten whenever a session or link goes or a mapping changes.
    var lastTransferRoute: TransferRoute?
    /// Sessions whose sending stopped at `pumpChunk` bytes of output (see `resumePumping`).
    var stalledPumps: Set<UInt16> = []
    let sessionConfiguration: SessionConfiguration
    var nextChannel: UInt16 = 0
    /// Sending links asked to drain: the drain completes at `flush()` once their queue is empty.
    var pendingDrains: Set<LinkID> = []
    /// Headers and frames to write, in order.
    public internal(set) var outbound: [AMQPInbound] = []
    /// When set (`encodeOutbound`), headers and frames are encoded here as they are produced
    /// instead of collecting in `outbound`.
    public internal(set) var encoded: EncodedOutbound?

    /// From now on, encode what is to be written as it is produced (`encoded`), payloads of
    /// `gatheringThreshold` bytes or more kept as buffers of their own.
    public mutating func encodeOutbound(gatheringThreshold: Int = 4096) {
        encoded = EncodedOutbound(gatheringThreshold: gatheringThreshold)
    }

    /// Moves the encoded output into `buffer` (see `EncodedOutbound.take(into:)`).
    public mutating func takeEncoded(into buffer: inout [ByteBuffer]) {
        guard encoded != nil else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        encoded!.take(into: &buffer)
    }
    /// What happened, in order (`takeEvents` adds the deliveries still gathering in
    /// `deliveryRun`).
    public internal(set) var events: [Event] = []
    /// Deliveries in a row on one link, reported as one event once something else happens or
    /// the events are taken.
    var deliveryRun: (link: LinkID, deliveries: [IncomingDelivery])?

    public init(role: ConnectionStateMachine.Role, configuration: ConnectionConfiguration,
                sessionConfiguration: SessionConfiguration = SessionConfiguration()) {
        connection = ConnectionStateMachine(role: role, configuration: configuration)
        self.sessionConfiguration = sessionConfiguration
    }

    public var negotiated: NegotiatedConnection? { connection.negotiated }
    /// What we offer (our open).
    public var configuration: ConnectionConfiguration { connection.configuration }

    /// Takes what is to be written, leaving the queue empty.
    public mutating func takeOutbound() -> [AMQPInbound] {
        defer { outbound.removeAll(keepingCapacity: true) }
        return outbound
    }

    public mutating func takeEvents() -> [Event] {
        flushDeliveries()
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Moves the pending events into `buffer` (emptied first), keeping both arrays' storage
    /// for reuse: no allocation per batch.
    public mutating func takeEvents(into buffer: inout [Event]) {
        flushDeliveries()
        buffer.removeAll(keepingCapacity: true)
        swap(&buffer, &events)
    }

    /// Moves what is to be written into `buffer` (emptied first), as `takeEvents(into:)`.
    public mutating func takeOutbound(into buffer: inout [AMQPInbound]) {
        buffer.removeAll(keepingCapacity: true)
        swap(&buffer, &outbound)
    }

    public var hasEvents: Bool { !events.isEmpty || deliveryRun != nil }

    /// Reports the deliveries gathered in `deliveryRun` (before any other event, to keep the order).
    mutating func flushDeliveries() {
        guard let run = deliveryRun else { return }
        deliveryRun = nil
        events.append(.deliveries(run.link, run.deliveries))
    }

    /// Adds an event, after the deliveries before it.
    mutating func report(_ event: Event) {
        flushDeliveries()
        events.append(event)
    }

    // MARK: Inbound

    public mutating func received(_ item: AMQPInbound) {
        switch item {
        case .header(let header):
            apply(connection.headerReceived(header))
        case .frame(let frame):
            switch frame.body {
            case .empty:
                break  // a heartbeat: the handler resets its idle timer on any frame
            case .sasl(let body):
                apply(connection.protocolViolated(.notAllowed, "SASL \(body.specName) after the AMQP header"))
            case .amqp(.transfer(let transfer), let payload):
                received(transfer: transfer, payload: payload, channel: frame.channel)
            case .amqp(let performative, let payload):
                received(performative, payload: payload, channel: frame.channel)
            }
        }
    }

    /// `received(_:)` for a transfer frame on `channel` given as its parts.
    public mutating func received(transfer: Transfer, payload: ByteBuffer, channel: UInt16) {
        if let route = lastTransferRoute, route.remoteChannel == channel, route.remoteHandle == transfer.handle {
            return transferReceived(transfer, payload: payload, route: route)
        }
        received(.transfer(transfer), payload: payload, channel: channel)
    }

    private mutating func received(_ performative: Performative, payload: ByteBuffer, channel: UInt16) {
        switch performative {
        case .open(let open):
            apply(connection.openReceived(open))
            return
        case .close(let close):
            apply(connection.closeReceived(close))
            return
        case .begin(let begin):
            beginReceived(begin, channel: channel)
            return
        default:
            break
        }
        guard connection.negotiated != nil else {
            apply(connection.protocolViolated(.illegalState, "\(performative.specName) before open"))
            return
        }
        guard let local = byRemoteChannel[channel], sessions[local] != nil else {
            apply(connection.protocolViolated(.notFound, "\(performative.specName) on channel \(channel), which has no session"))
            return
        }
        switch performative {
        case .end(let end): apply(sessions[local]!.machine.endReceived(end), channel: local)
        case .attach(let attach): attachReceived(attach, channel: local)
        case .detach(let detach): detachReceived(detach, channel: local)
        case .flow(let flow): flowReceived(flow, channel: local)
        case .transfer(let transfer): transferReceived(transfer, payload: payload, channel: local)
        case .disposition(let disposition): dispositionReceived(disposition, channel: local)
        case .open, .close, .begin: break
        }
    }

    private mutating func beginReceived(_ begin: Begin, channel: UInt16) {
        guard let negotiated = connection.negotiated else {
            apply(connection.protocolViolated(.illegalState, "begin before open"))
            return
        }
        guard channel <= negotiated.incomingChannelMax else {
            apply(connection.protocolViolated(.framingError, "channel \(channel) above channel-max \(negotiated.incomingChannelMax)"))
            return
        }
        guard byRemoteChannel[channel] == nil else {
            apply(connection.protocolViolated(.illegalState, "begin on channel \(channel), which has a session"))
            return
        }
        if let ours = begin.remoteChannel {
            // The answer to a begin of ours.
            guard sessions[ours]?.remoteChannel == nil, sessions[ours] != nil else {
                apply(connection.protocolViolated(.illegalState, "begin answers channel \(ours), which began no session"))
                return
            }
            sessions[ours]!.remoteChannel = channel
            byRemoteChannel[channel] = ours
            lastTransferRoute = nil
            apply(sessions[ours]!.machine.beginReceived(begin), channel: ours)
            return
        }
        // The peer begins: answer on a channel of ours.
        guard let local = freeChannel() else {
            apply(connection.protocolViolated(.resourceLimitExceeded, "no free channel for the peer's session"))
            return
        }
        var session = SessionEndpoint(configuration: sessionConfiguration)
        session.remoteChannel = channel
        _ = session.machine.beginReceived(begin)
        sessions[local] = session
        byRemoteChannel[channel] = local
        lastTransferRoute = nil
        apply(sessions[local]!.machine.beginRequested(answering: channel), channel: local)
        report(.sessionBegun(channel: local))
    }

    private mutating func attachReceived(_ attach: Attach, channel: UInt16) {
        let sessionAction = sessions[channel]!.machine.attachReceived(handle: attach.handle)
        guard sessionAction == .none else { return apply(sessionAction, channel: channel) }
        // Ours, if we asked for a link of this name in the other role and it is not attached yet.
        let match = sessions[channel]!.links.first { _, link in
            link.machine.local.name == attach.name && link.remoteHandle == nil && link.role != attach.role
        }
        guard let (handle, _) = match else {
            sessions[channel]!.requested[attach.handle] = .some(nil)
            report(.linkRequested(channel: channel, attach))
            return
        }
        sessions[channel]!.links[handle]!.remoteHandle = attach.handle
        sessions[channel]!.byRemoteHandle[attach.handle] = handle
        lastTransferRoute = nil
        apply(sessions[channel]!.links[handle]!.machine.attachReceived(attach), link: LinkID(channel: channel, handle: handle))
    }

    private mutating func detachReceived(_ detach: Detach, channel: UInt16) {
        let sessionAction = sessions[channel]!.machine.detachReceived(handle: detach.handle)
        guard sessionAction == .none else { return apply(sessionAction, channel: channel) }
        guard let handle = sessions[channel]!.byRemoteHandle[detach.handle] else {
            sessions[channel]!.requested[detach.handle] = nil
            return
        }
        apply(sessions[channel]!.links[handle]!.machine.detachReceived(detach), link: LinkID(channel: channel, handle: handle))
    }

    private mutating func flowReceived(_ flow: Flow, channel: UInt16) {
        let sessionAction = sessions[channel]!.machine.flowReceived(flow)
        if sessionAction != .none { apply(sessionAction, channel: channel) }
        if let remote = flow.handle, let handle = sessions[channel]?.byRemoteHandle[remote] {
            linkFlowReceived(flow, link: LinkID(channel: channel, handle: handle))
        } else if let remote = flow.handle, sessions[channel]?.requested[remote] != nil {
            sessions[channel]!.requested[remote] = .some(flow)
        }
        pump(channel: channel)
    }

    /// The link part of a flow (spec 2.7.4): credit for our sender, or our receiver's view of
    /// the sender's delivery-count, echo and drain.
    mutating func linkFlowReceived(_ flow: Flow, link id: LinkID) {
        let (channel, handle) = (id.channel, id.handle)
        if sessions[channel]!.links[handle]!.role == .sender {
            // A drain completes once the application has had the credit and queued what it
            // has (spec 2.6.7: "after sending all available messages"): until `flush()`, count
            // the application as having something available.
            let queued = sessions[channel]!.links[handle]!.queue.count
            sessions[channel]!.links[handle]!.sender?.available = UInt32(clamping: flow.drain ? max(queued, 1) : queued)
            if flow.drain { pendingDrains.insert(id) }
            let action = sessions[channel]!.links[handle]!.sender?.flowReceived(
                deliveryCount: flow.deliveryCount, linkCredit: flow.linkCredit, drain: flow.drain, echo: flow.echo) ?? .none
            switch action {
            case .none: break
            case .creditAvailable(let credit): report(.creditAvailable(id, credit))
            case .sendFlow(let state): sendLinkFlow(state, link: id)
            }
        } else {
            var receiver = sessions[channel]!.links[handle]!.receiver
            let action = receiver?.flowReceived(deliveryCount: flow.deliveryCount, available: flow.available) ?? .none
            if case .drainCompleted = action { report(.drained(id)) }
            if flow.echo, let echo = receiver?.echoRequested(), case .sendFlow(let state) = echo { sendLinkFlow(state, link: id) }
            sessions[channel]!.links[handle]!.receiver = receiver
        }
    }

    private mutating func transferReceived(_ transfer: Transfer, payload: ByteBuffer, channel: UInt16) {
        let session = sessions[channel]!
        let sessionAction = session.machine.transferReceived(handle: transfer.handle)
        guard sessionAction == .none else { return apply(sessionAction, channel: channel) }
        guard let handle = session.byRemoteHandle[transfer.handle], let link = session.links[handle], link.role == .receiver
        else {
            apply(session.machine.endRequested(error: AMQPError(condition: .unattachedHandle,
                                                               errorDescription: "transfer to a sending link")), channel: channel)
            return
        }
        let route = TransferRoute(remoteChannel: session.remoteChannel ?? 0, remoteHandle: transfer.handle,
                                  id: LinkID(channel: channel, handle: handle), session: session, link: link)
        if session.remoteChannel != nil { lastTransferRoute = route }
        transferReceived(transfer, payload: payload, route: route, sessionChecked: true)
    }

    private mutating func transferReceived(_ transfer: Transfer, payload: ByteBuffer, route: TransferRoute,
                                           sessionChecked: Bool = false) {
        let (session, link, id) = (route.session, route.link, route.id)
        if !sessionChecked {
            let sessionAction = session.machine.transferReceived(handle: transfer.handle)
            guard sessionAction == .none else { return apply(sessionAction, channel: id.channel) }
        }
        let handle = id.handle
        // Detaching (we sent our detach): what still arrives for the link is dropped.
        guard link.machine.isAttached else { return }
        switch link.receiver?.transferReceived(more: transfer.more, aborted: transfer.aborted) ?? .none {
        case .violation(let condition):
            return apply(link.machine.protocolViolated(condition, "transfer without credit"), link: id)
        case .sendFlow(let state): sendLinkFlow(state, link: id)
        case .drainCompleted: report(.drained(id))
        case .none: break
        }
        switch link.assembler.transferReceived(transfer, payload: payload) {
        case .incomplete, .aborted:
            break
        case .violation(let condition, let description):
            apply(link.machine.protocolViolated(condition, description), link: id)
        case .delivery(let delivery):
            if !delivery.settled { session.unsettledReceived.sent(delivery.deliveryID, handle) }
            if deliveryRun?.link == id {
                deliveryRun!.deliveries.append(delivery)
            } else {
                flushDeliveries()
                deliveryRun = (id, [delivery])
            }
        }
    }

    private mutating func dispositionReceived(_ disposition: Disposition, channel: UInt16) {
        if disposition.role == .receiver {
            // A terminal outcome the receiver left unsettled (its mode is `second`): we settle,
            // and tell it so (spec 2.6.12).
            let settles = disposition.settled || disposition.state.map(Self.isTerminal) == true
            let session = sessions[channel]!
            let state = disposition.state
            // Runs of one link's deliveries in the order it sent them: one event each.
            var run: (handle: UInt32, first: UInt64, firstTag: ByteBuffer, count: Int)?
            let outcomes = { (run: (handle: UInt32, first: UInt64, firstTag: ByteBuffer, count: Int)) in
                Event.outcomes(LinkID(channel: channel, handle: run.handle), first: run.first, firstTag: run.firstTag,
                               count: run.count, state: state, settled: settles)
            }
            session.unsettledSent.dispositionReceived(first: disposition.first, last: disposition.last,
                                                      settled: settles) { id, sent in
                if !disposition.settled && settles { session.senderDispositions.add(id, state: state, settled: true) }
                if let current = run, current.handle == sent.handle, current.first &+ UInt64(current.count) == sent.sequence {
                    run!.count += 1
                    return
                }
                if let done = run { report(outcomes(done)) }
                run = (sent.handle, sent.sequence, sent.tag, 1)
            }
            if let done = run { report(outcomes(done)) }
        } else if disposition.settled {
            sessions[channel]!.unsettledReceived.dispositionReceived(first: disposition.first, last: disposition.last,
                                                                     settled: true) { _, _ in }
            sessions[channel]!.awaitingSenderSettlement.dispositionReceived(first: disposition.first, last: disposition.last,
                                                                            settled: true) { _, _ in }
        }
    }

    /// An outcome that ends a delivery (spec 3.4): not `received`, which only reports progress.
    static func isTerminal(_ state: DeliveryState) -> Bool {
        if case .received = state { return false }
        return true
    }

    /// A free channel for a session of ours: the next one not in use after the last one
    /// taken, wrapping at the peer's channel-max (a channel just released is not reused at once).
    mutating func freeChannel() -> UInt16? {
        let limit = connection.negotiated?.outgoingChannelMax ?? connection.configuration.channelMax
        guard sessions.count <= Int(limit) else { return nil }
        var channel = nextChannel > limit ? 0 : nextChannel
        while sessions[channel] != nil {
            channel = channel >= limit ? 0 : channel + 1
        }
        nextChannel = channel &+ 1
        return channel
    }
}
