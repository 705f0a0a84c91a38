import AMQPCore
import NIOCore

// What the engine reports, on the event loop: wake whoever waits for it.
extension AMQPConnection {
    func handle(_ event: ConnectionEngine.Event) {
        switch event {
        case .opened(let negotiated):
            self.negotiated = negotiated
            logger.debug("opened", metadata: ["amqp.peer.container-id": "\(negotiated.remoteOpen.containerID)"])
            if case .connect(let continuation)? = takeWait(connectWait) { continuation.resume(returning: negotiated) }
            connectWait = nil
        case .sessionBegun(let channel):
            guard let slot = sessions[channel] else { return }
            slot.begun = true
            if case .begin(let continuation, _, _)? = takeWait(slot.begin) { continuation.resume() }
            slot.begin = nil
        case .sessionEnded(let channel, let error):
            guard let slot = sessions.removeValue(forKey: channel) else { return }
            sessionsByKey[slot.key] = nil
            sessionEnded(slot, error: error.map(AMQPClientError.init))
        case .linkAttached(let id, let attached):
            guard let slot = links[id] else { return }
            slot.attached = attached
            if case .attach(let continuation, _)? = takeWait(slot.attach) { continuation.resume(returning: attached) }
            slot.attach = nil
        case .linkRequested(let channel, let attach):
            // A client offers no nodes: refuse (spec 2.6.3).
            handler?.perform {
                $0.refuseLink(channel: channel, attach, error: AMQPError(
                    condition: .notAllowed, errorDescription: "this client does not accept links"))
            }
        case .linkDetached(let id, let error):
            guard let slot = links.removeValue(forKey: id) else { return }
            if lastLink === slot { lastLink = nil }
            if error?.error?.condition == .detachForced, options.reconnect != .never, !closing, slot.detach == nil,
               slot.attached != nil {
                // Service Bus detaches idle links (10 minutes): this one comes back alone.
                logger.info("link detached by the peer (forced): re-attaching", metadata: ["amqp.link": "\(slot.request.name)"])
                reattachAfterForcedDetach(slot)
                return
            }
            linkDetached(slot, error: error.map(AMQPClientError.init))
        case .creditAvailable(let id, let credit):
            links[id]?.sender?.credit = credit
            metrics.credit.record(Int(credit))
        case .drained(let id):
            guard let receiver = links[id]?.receiver else { return }
            let drains = receiver.drains
            receiver.drains = []
            for ticket in drains {
                if case .drain(let continuation, _)? = takeWait(ticket) { continuation.resume() }
            }
        case .deliveries(let id, let deliveries):
            pendingMetrics.messagesIn += deliveries.count
            for index in deliveries.indices {
                pendingMetrics.bytesIn += deliveries[index].payload.readableBytes
                if !deliveries[index].settled { pendingMetrics.unsettledIn += 1 }
            }
            guard let slot = attachedLink(id), let receiver = slot.receiver else { return }
            receiver.buffer.append(deliveries)
            // The waiter wakes once the whole batch of events is in (`eventsDelivered`), with
            // as many deliveries as it asked for, not with the first alone.
            if receiver.waiter != nil, !receiver.wakePending {
                receiver.wakePending = true
                receiversToWake.append((receiver, id))
            }
        case .outcomes(let id, let first, _, let count, let state, let settled):
            // The run counts deliveries in the order they were queued on this link; the
            // sender knows each one's tag.
            guard settled, let sender = attachedLink(id)?.sender else { return }
            for offset in 0..<UInt64(count) {
                outcomeReceived(sender, tag: sender.tag(forSequence: first &+ offset), state: state)
            }
        case .closeTransport(let error):
            if let error {
                transportEnded(error)
            } else {
                transportClosed(AMQPClientError(code: .connectionClosed, detail: "closed"))
            }
        }
    }

    /// A batch of events has been delivered: what is cheaper done once per batch than once
    /// per event (metrics, batch windows, waking receivers).
    func eventsDelivered() {
        pendingMetrics.report(to: metrics)
        if !batchesToFeed.isEmpty { feedBatches() }
        guard !receiversToWake.isEmpty else { return }
        let receivers = receiversToWake
        receiversToWake.removeAll(keepingCapacity: true)
        for (receiver, id) in receivers {
            receiver.wakePending = false
            guard let waiter = receiver.waiter, !receiver.buffer.isEmpty else { continue }
            receiver.waiter = nil
            guard case .receive(let continuation, _, _)? = takeWait(waiter.ticket) else { continue }
            continuation.resume(returning: take(waiter.max, from: receiver, link: id))
        }
    }

    /// The attached link `id`, remembering the last one asked for: deliveries and outcomes
    /// come in runs for one link, and this saves a dictionary lookup for each.
    func attachedLink(_ id: LinkID) -> LinkSlot? {
        if let last = lastLink, last.id == id { return last }
        lastLink = links[id]
        return lastLink
    }

    /// Takes up to `max` buffered deliveries and tells the engine (which tops credit up).
    func take(_ max: Int, from receiver: ReceiverSlot, link id: LinkID?) -> [[IncomingDelivery]] {
        let count = min(max, receiver.buffer.count)
        let taken = receiver.buffer.take(count)
        if let id, count > 0 { handler?.perform { $0.consumed(count, on: id) } }
        return taken
    }

    func sessionEnded(_ slot: SessionSlot, error: AMQPClientError?) {
        slot.ended = .some(error)
        if let error { logger.debug("session ended", metadata: ["amqp.error": "\(error)"]) }
        let failure = error ?? AMQPClientError(code: .sessionEnded, detail: "ended")
        takeWait(slot.begin)?.fail(failure)
        slot.begin = nil
        if case .end(let continuation, _)? = takeWait(slot.end) { continuation.resume() }
        slot.end = nil
    }

    func linkDetached(_ slot: LinkSlot, error: AMQPClientError?) {
        slot.id = nil
        slot.detached = .some(error)
        let failure = error ?? AMQPClientError(code: .linkDetached, detail: "detached")
        takeWait(slot.attach)?.fail(failure)
        slot.attach = nil
        if case .detach(let continuation, _)? = takeWait(slot.detach) { continuation.resume() }
        slot.detach = nil
        if let sender = slot.sender {
            let waiting = sender.waiting
            sender.waiting = [:]
            for ticket in waiting.values { takeWait(ticket)?.fail(failure) }
            // Every running batch, including one whose deliveries are all settled (its
            // ranges are gone) and that only waited to be fed once more.
            sender.batchRanges.removeAll()
            for batch in sender.batches.values { finish(batch, sender: sender, linkGone: failure) }
        }
        if let receiver = slot.receiver {
            for ticket in receiver.drains { takeWait(ticket)?.fail(failure) }
            receiver.drains = []
            if let waiter = receiver.waiter {
                receiver.waiter = nil
                if case .receive(let continuation, _, _)? = takeWait(waiter.ticket) {
                    // What arrived before the detach is still the consumer's; then the end.
                    if receiver.buffer.isEmpty {
                        if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: []) }
                    } else {
                        continuation.resume(returning: take(waiter.max, from: receiver, link: nil))
                    }
                }
            }
        }
    }

    func transportClosed(_ error: AMQPClientError) {
        guard closedError == nil else { return }
        closedError = error
        recovering = false
        recoveryTask?.cancel()
        recoveryTask = nil
        logger.debug("connection closed", metadata: ["amqp.error": "\(error)"])
        for slot in sessions.values { sessionEnded(slot, error: error) }
        sessions = [:]
        for slot in links.values { linkDetached(slot, error: error) }
        links = [:]
        lastLink = nil
        // Their links are gone: `eventsDelivered` will not run for this batch of events.
        for (batch, _) in batchesToFeed { batch.feedPending = false }
        batchesToFeed.removeAll()
        for (receiver, _) in receiversToWake { receiver.wakePending = false }
        receiversToWake.removeAll()
        handler?.onEvents = { _ in }
        handler?.onEventsDelivered = {}
        // Whatever still waits (the open, our close, …) ends with the connection.
        connectWait = nil
        readyWaits = []
        failAllWaits(error)
        publish(.closed(closing ? nil : error))
    }
}
