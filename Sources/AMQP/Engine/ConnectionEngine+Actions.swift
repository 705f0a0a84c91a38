import AMQPCore
import NIOCore

// Performing what the state machines decide: frames into `outbound`, news into `events`.
extension ConnectionEngine {
    mutating func send(_ performative: Performative, channel: UInt16, payload: ByteBuffer = ByteBuffer()) {
        if encoded != nil {
            encoded!.write(performative, channel: channel, payload: payload)
        } else {
            outbound.append(.frame(AMQPFrame(channel: channel, performative: performative, payload: payload)))
        }
    }

    /// A transfer: `send(.transfer(…))` without wrapping it in a performative first.
    mutating func sendTransfer(_ transfer: Transfer, channel: UInt16, payload: ByteBuffer) {
        if encoded != nil {
            encoded!.write(transfer, channel: channel, payload: payload)
        } else {
            outbound.append(.frame(AMQPFrame(channel: channel, performative: .transfer(transfer), payload: payload)))
        }
    }

    /// Into `outbound`, or straight into `encoded` when the transport asked for that.
    mutating func emit(_ item: AMQPInbound) {
        if encoded != nil {
            encoded!.write(item)
        } else {
            outbound.append(item)
        }
    }

    mutating func apply(_ action: ConnectionStateMachine.Action) {
        switch action {
        case .none:
            break
        case .sendHeaderAndOpen(let open):
            emit(.header(.amqp))
            send(.open(open), channel: 0)
        case .rejectHeader(let reply, let error):
            if let reply { emit(.header(reply)) }
            report(.closeTransport(error))
        case .opened(let negotiated):
            report(.opened(negotiated))
        case .sendClose(let close):
            send(.close(close), channel: 0)
        case .sendCloseAndCloseTransport(let close, let error):
            send(.close(close), channel: 0)
            report(.closeTransport(error))
        case .closeTransport(let error):
            report(.closeTransport(error))
        }
    }

    mutating func apply(_ action: SessionStateMachine.Action, channel: UInt16) {
        switch action {
        case .none:
            break
        case .sendBegin(let begin):
            send(.begin(begin), channel: channel)
        case .mapped:
            report(.sessionBegun(channel: channel))
        case .sendFlow(let flow):
            send(.flow(flow), channel: channel)
        case .sendEnd(let end):
            send(.end(end), channel: channel)
        case .sendEndAndRelease(let end, let error):
            send(.end(end), channel: channel)
            releaseSession(channel, error)
        case .released(let error):
            releaseSession(channel, error)
        case .closeConnection(let condition, let description):
            apply(connection.protocolViolated(condition, description))
        }
    }

    mutating func apply(_ action: LinkStateMachine.Action, link id: LinkID) {
        switch action {
        case .none, .awaitingRefusal:
            break
        case .sendAttach(let attach):
            sessions[id.channel]!.machine.linkAttachRequested(handle: id.handle)
            send(.attach(attach), channel: id.channel)
        case .attached(let terms):
            linkAttached(id, terms)
        case .sendDetach(let detach):
            send(.detach(detach), channel: id.channel)
        case .sendDetachAndRelease(let detach, let error):
            send(.detach(detach), channel: id.channel)
            releaseLink(id, error)
        case .released(let error):
            releaseLink(id, error)
        }
    }

    private mutating func linkAttached(_ id: LinkID, _ terms: AttachedLink) {
        report(.linkAttached(id, terms))
        if terms.local.role == .sender {
            sessions[id.channel]!.links[id.handle]!.sender = SenderCreditState(initialDeliveryCount: terms.initialDeliveryCount)
        } else {
            let prefetch = sessions[id.channel]!.links[id.handle]!.prefetch
            var receiver = ReceiverCreditState(initialDeliveryCount: terms.initialDeliveryCount, prefetch: prefetch)
            if case .sendFlow(let state) = receiver.linkAttached() { sendLinkFlow(state, link: id) }
            sessions[id.channel]!.links[id.handle]!.receiver = receiver
        }
    }

    /// A flow for one link: the session's fields, then the link's.
    mutating func sendLinkFlow(_ state: LinkFlowState, link id: LinkID) {
        var flow = sessions[id.channel]!.machine.flow()
        flow.handle = id.handle
        state.apply(to: &flow)
        send(.flow(flow), channel: id.channel)
    }

    private mutating func releaseLink(_ id: LinkID, _ error: AMQPLinkError?) {
        guard let link = sessions[id.channel]?.links.removeValue(forKey: id.handle) else { return }
        lastTransferRoute = nil
        if let remote = link.remoteHandle { sessions[id.channel]!.byRemoteHandle[remote] = nil }
        sessions[id.channel]!.machine.linkDetachSent(handle: id.handle)
        report(.linkDetached(id, error))
    }

    private mutating func releaseSession(_ channel: UInt16, _ error: AMQPSessionError?) {
        guard let session = sessions.removeValue(forKey: channel) else { return }
        lastTransferRoute = nil
        if let remote = session.remoteChannel { byRemoteChannel[remote] = nil }
        // Ending a session detaches its links (spec 2.5.5).
        for handle in session.links.keys.sorted() {
            report(.linkDetached(LinkID(channel: channel, handle: handle),
                                 error.map { AMQPLinkError(code: .detachedByPeer, error: $0.error) }))
        }
        report(.sessionEnded(channel: channel, error))
    }

    /// Sends transfer frames on `channel` while the session window, link credit and queued
    /// deliveries allow: one frame at a time, so a delivery larger than a frame goes out as
    /// the window opens. Links take turns by handle, each sending what it can.
    mutating func pump(channel: UInt16) {
        guard let maxFrameSize = connection.negotiated?.outgoingMaxFrameSize, let session = sessions[channel] else { return }
        for (handle, link) in session.links where link.sender != nil && (link.inProgress != nil || !link.queue.isEmpty) {
            // Pre-settled deliveries finished meanwhile: reported as one run.
            var presettled: (first: UInt64, firstTag: ByteBuffer, count: Int)?
            while session.machine.canSendTransfer, link.machine.isAttached,
                  link.inProgress != nil || (!link.queue.isEmpty && link.sender!.linkCredit > 0) {
                if let encoded, encoded.transferCount >= Self.pumpChunk {
                    // Enough for one write: the transport writes it, then `resumePumping()`.
                    stalledPumps.insert(channel)
                    break
                }
                sendFrame(session, channel: channel, link: link, handle: handle, maxFrameSize: Int(maxFrameSize),
                          presettled: &presettled)
            }
            if let (first, firstTag, count) = presettled {
                report(.outcomes(LinkID(channel: channel, handle: handle), first: first, firstTag: firstTag,
                                 count: count, state: nil, settled: true))
            }
            guard session.machine.canSendTransfer else { return }
        }
    }

    /// Transfers encoded before the transport writes them: the peer starts on a batch while
    /// the rest is encoded (one write for a whole credit grant made the peer wait for all of
    /// it). Counted in transfers, so that large messages still go many to a write.
    static let pumpChunk = 128

    /// The most a transfer performative takes besides its delivery tag (every field at its
    /// widest encoding, list32): a delivery this much under the frame size fits in one frame.
    static let transferOverhead = 64

    private mutating func sendFrame(_ session: SessionEndpoint, channel: UInt16, link: LinkEndpoint, handle: UInt32,
                                    maxFrameSize: Int, presettled: inout (first: UInt64, firstTag: ByteBuffer, count: Int)?) {
        var delivery = link.inProgress.take() ?? link.queue.removeFirst()
        var transfer: Transfer
        if let id = delivery.deliveryID {
            transfer = Transfer(handle: handle, deliveryID: id)
        } else {
            _ = link.sender!.deliverySent()
            let id = session.nextDeliveryID
            session.nextDeliveryID &+= 1
            delivery.deliveryID = id
            transfer = Transfer(handle: handle, deliveryID: id, deliveryTag: delivery.tag,
                                messageFormat: delivery.messageFormat, settled: delivery.settled)
        }
        _ = session.machine.transferSent()
        let room = maxFrameSize - AMQPFrameLayout.headerLength
        if delivery.remaining.readableBytes + Self.transferOverhead + delivery.tag.readableBytes <= room {
            // The rest fits this frame (no need to size the performative).
            sendTransfer(transfer, channel: channel, payload: delivery.remaining)
        } else {
            transfer.more = true
            let chunk = min(delivery.remaining.readableBytes, max(room - transfer.amqpEncodedSize, 0))
            let piece = delivery.remaining.readSlice(length: chunk)!
            transfer.more = delivery.remaining.readableBytes > 0
            sendTransfer(transfer, channel: channel, payload: piece)
            guard !transfer.more else {
                link.inProgress = delivery
                return
            }
        }
        // Its last frame is out.
        if !delivery.settled {
            session.unsettledSent.sent(delivery.deliveryID!,
                                       SentDelivery(handle: handle, tag: delivery.tag, sequence: delivery.sequence))
        } else if let run = presettled, run.first &+ UInt64(run.count) == delivery.sequence {
            presettled!.count += 1
        } else {
            // Sent pre-settled: done now. A run holds consecutive deliveries only (one taken
            // back from the queue leaves a gap): the one before the gap is reported first.
            if let (first, firstTag, count) = presettled {
                report(.outcomes(LinkID(channel: channel, handle: handle), first: first, firstTag: firstTag,
                                 count: count, state: nil, settled: true))
            }
            presettled = (delivery.sequence, delivery.tag, 1)
        }
    }
}
