import AMQPCore
import NIOCore

// Coming back after the transport is lost (`AMQPReconnectPolicy`): a new transport, SASL and
// open again, every session begun again and every link re-attached with the same terms;
// senders send again what was unsettled, receivers get their credit back.
extension AMQPConnection {
    /// The transport ended with `error`: come back if the policy says so, else end.
    func transportEnded(_ error: AMQPConnectionError) {
        let failure = AMQPClientError(error)
        if recovering, !closing, closedError == nil {
            // An attempt's transport is gone: that attempt fails, the next follows.
            failAttempt(failure)
            return
        }
        guard !closing, closedError == nil, negotiated != nil, options.reconnect.recovers(from: error) else {
            transportClosed(failure)
            return
        }
        suspendForRecovery()
        recoveryTask = Task { await self.recover(after: failure) }
    }

    /// Stops using the lost transport: its late events are ignored, sessions wait to be begun
    /// and links to be re-attached; what receivers buffered unsettled is dropped (the peer
    /// sends it again) and deliveries already taken can no longer be settled.
    private func suspendForRecovery() {
        recovering = true
        generation &+= 1
        handler?.onEvents = { _ in }
        handler?.onEventsDelivered = {}
        handler = nil
        channel?.close(promise: nil)
        channel = nil
        for slot in sessionsByKey.values { slot.begun = false }
        sessions = [:]
        for slot in linksByKey.values where slot.id != nil { suspend(slot) }
        links = [:]
        lastLink = nil
        for (batch, _) in batchesToFeed { batch.feedPending = false }
        batchesToFeed.removeAll()
        for (receiver, _) in receiversToWake { receiver.wakePending = false }
        receiversToWake.removeAll()
    }

    /// A link that is to be re-attached: off the wire until then.
    private func suspend(_ slot: LinkSlot) {
        slot.id = nil
        if let receiver = slot.receiver {
            receiver.epoch &+= 1
            receiver.buffer.dropUnsettled()
        }
    }

    /// Ends the waits of the attempt under way (its open, begins and attaches); the
    /// application's own waits go on to the next attempt.
    private func failAttempt(_ error: AMQPClientError) {
        // Also for what the attempt has yet to wait for (its transport may go before it does).
        attemptFailure = error
        let tickets = attemptWaits
        attemptWaits = []
        for ticket in tickets { takeWait(ticket)?.fail(error) }
    }

    /// A wait of the recovery itself (failed with its attempt).
    private func attemptWait<Value>(
        timeout: Duration?, _ make: (CheckedContinuation<Value, any Error>) -> ClientWait,
        registered: (WaitTicket) -> Void
    ) async throws(AMQPClientError) -> Value {
        if let attemptFailure { throw attemptFailure }
        return try await wait(timeout: timeout, make) { ticket in
            attemptWaits.insert(ticket)
            registered(ticket)
        }
    }

    /// Tries, with the policy's back-off, until the connection is back or attempts run out.
    private func recover(after first: AMQPClientError) async {
        var error = first
        var attempt = 0
        while !closing, closedError == nil {
            attempt += 1
            guard let delay = options.reconnect.delay(beforeAttempt: attempt, random: Double.random(in: 0...1)) else {
                logger.warning("reconnecting failed", metadata: ["amqp.attempts": "\(attempt - 1)", "amqp.error": "\(error)"])
                transportClosed(error)
                return
            }
            logger.info("reconnecting", metadata: ["amqp.attempt": "\(attempt)", "amqp.error": "\(error)",
                                                    "amqp.delay": "\(delay)"])
            metrics.reconnectAttempts.increment()
            publish(.reconnecting(attempt: attempt, error: error))
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            guard !closing, closedError == nil else { return }
            do throws(AMQPClientError) {
                try await reconnectOnce()
                recovering = false
                recoveryTask = nil
                logger.info("reconnected", metadata: ["amqp.attempt": "\(attempt)"])
                metrics.reconnects.increment()
                publish(.connected)
                resumeReadyWaits()
                return
            } catch let failure {
                error = failure
                // Whatever this attempt left half open goes; the next starts afresh.
                if !closing, closedError == nil { suspendForRecovery() }
            }
        }
    }

    /// One attempt: transport, SASL, open; then sessions and links as they were.
    private func reconnectOnce() async throws(AMQPClientError) {
        let url = self.url
        let tls = self.tls
        attemptFailure = nil
        attemptWaits = []
        defer { attemptWaits = [] }
        let started = NIODeadline.now()
        let bootstrap = Self.bootstrap(on: eventLoop, options: options) { channel in
            try self.assumeIsolated { try $0.install(on: channel, url: url, tls: tls) }
        }
        do {
            _ = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw AMQPClientError(code: .connectFailed, detail: "\(url): \(error)")
        }
        negotiated = nil
        let left = options.connectTimeout - .nanoseconds((NIODeadline.now() - started).nanoseconds)
        _ = try await attemptWait(timeout: max(left, .zero), { .connect($0) }, registered: { connectWait = $0 })
        for session in sessionsByKey.values.sorted(by: { $0.key < $1.key }) where session.ended == nil {
            try await begin(again: session)
        }
        for link in linksByKey.values.sorted(by: { $0.key < $1.key }) where link.id == nil && link.detached == nil {
            guard let session = sessionsByKey[link.sessionKey], session.ended == nil, session.begun else {
                linkDetached(link, error: AMQPClientError(code: .sessionEnded, detail: "its session has ended"))
                continue
            }
            try await reattach(link, on: session)
        }
    }

    /// Begins `session` again on the new transport; a caller of `openSession` waiting for it
    /// hears once it has begun.
    private func begin(again session: SessionSlot) async throws(AMQPClientError) {
        guard let channel = handler?.perform({ $0.beginSession(session.configuration) }) else {
            throw AMQPClientError(code: .sessionEnded, detail: "no free channel")
        }
        session.channel = channel
        sessions[channel] = session
        // A caller of `openSession` waiting for this session keeps waiting (its own time-out)
        // until it has begun again.
        let caller = session.begin
        do throws(AMQPClientError) {
            try await attemptWait(timeout: options.operationTimeout, { .begin($0, channel: channel, key: session.key) },
                                  registered: { session.begin = $0 })
        } catch {
            session.begin = caller
            throw error
        }
        if case .begin(let continuation, _, _)? = takeWait(caller) { continuation.resume() }
    }

    /// Attaches `link` again with the terms it first asked for; a refusal ends that link alone.
    func reattach(_ link: LinkSlot, on session: SessionSlot) async throws(AMQPClientError) {
        guard let id = startAttach(link.request, channel: session.channel) else {
            throw AMQPClientError(code: .linkDetached, detail: "no free handle")
        }
        link.id = id
        links[id] = link
        let caller = link.attach
        let attached: AttachedLink
        do throws(AMQPClientError) {
            attached = try await attemptWait(timeout: options.operationTimeout, { .attach($0, key: link.key) },
                                             registered: { link.attach = $0 })
        } catch {
            // Refused: this link is over (its waits failed with the peer's reason), the rest go on.
            guard error.code == .linkDetached else {
                link.attach = caller
                throw error
            }
            takeWait(caller)?.fail(error)
            return
        }
        if case .attach(let continuation, _)? = takeWait(caller) { continuation.resume(returning: attached) }
        if let sender = link.sender { resend(sender, on: id) }
    }

    /// Sends again, in tag order and with the same tags, every delivery not settled at the
    /// cut (and those sent meanwhile), then lets batches go on.
    private func resend(_ sender: SenderSlot, on id: LinkID) {
        let tags = sender.unsettledBytes.keys.sorted()
        sender.resentTags = tags
        sender.resumeTag = sender.nextTag
        if !tags.isEmpty {
            let bytes = sender.unsettledBytes
            handler?.perform { engine in
                engine.send(tags.lazy.map { (message: bytes[$0]!, tag: sender.tag($0)) }, on: id, settled: false)
            }
            logger.debug("resent unsettled deliveries", metadata: ["amqp.count": "\(tags.count)", "amqp.link": "\(id)"])
        }
        for batch in sender.batches.values { feed(batch, sender: sender, key: sender.key) }
    }

    /// A link the peer detached with `amqp:link:detach-forced` (Service Bus does after 10
    /// idle minutes): re-attach it alone.
    func reattachAfterForcedDetach(_ link: LinkSlot) {
        suspend(link)
        Task {
            guard let session = self.sessionsByKey[link.sessionKey], session.ended == nil, session.begun,
                  !self.recovering, self.closedError == nil
            else { return }
            do throws(AMQPClientError) {
                try await self.reattach(link, on: session)
            } catch {
                self.linkDetached(link, error: error)
            }
        }
    }

    // MARK: Waiting while reconnecting

    /// Returns once the connection is usable: at once, or after reconnecting (bounded by the
    /// operation time-out).
    func ensureReady() async throws(AMQPClientError) {
        try ensureOpen()
        guard recovering else { return }
        try await wait(timeout: options.operationTimeout, { .ready($0) }, registered: { readyWaits.append($0) })
        try ensureOpen()
    }

    private func resumeReadyWaits() {
        let tickets = readyWaits
        readyWaits = []
        for ticket in tickets {
            if case .ready(let continuation)? = takeWait(ticket) { continuation.resume() }
        }
    }

    // MARK: State changes

    /// The connection's states from now on (connected again, reconnecting, closed); at most
    /// the 64 newest are kept for a reader that falls behind.
    public func stateChanges() -> AsyncStream<AMQPConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: AMQPConnectionState.self, bufferingPolicy: .bufferingNewest(64))
        if let closedError {
            continuation.yield(.closed(closing ? nil : closedError))
            continuation.finish()
            return stream
        }
        let key = makeKey()
        stateListeners[key] = continuation
        continuation.onTermination = { _ in
            self.eventLoop.execute { self.assumeIsolated { $0.stateListeners[key] = nil } }
        }
        return stream
    }

    func publish(_ state: AMQPConnectionState) {
        for listener in stateListeners.values { listener.yield(state) }
        if case .closed = state {
            for listener in stateListeners.values { listener.finish() }
            stateListeners = [:]
        }
    }
}
