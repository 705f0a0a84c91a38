import AMQPCore
import NIOCore

/// One thing the application waits for from the peer, with whom to wake.
enum ClientWait {
    case connect(CheckedContinuation<NegotiatedConnection, any Error>)
    case begin(CheckedContinuation<Void, any Error>, channel: UInt16, key: UInt64)
    case end(CheckedContinuation<Void, any Error>, channel: UInt16)
    case attach(CheckedContinuation<AttachedLink, any Error>, key: UInt64)
    case detach(CheckedContinuation<Void, any Error>, key: UInt64)
    /// One message's outcome (its tag, to take it back if it has not gone out).
    case send(CheckedContinuation<DeliveryState?, any Error>, key: UInt64, tag: UInt64)
    /// A batch send (the batch holds its continuation).
    case batch(BatchSend, key: UInt64)
    /// Deliveries for a receiver; at the deadline it returns what it has: none.
    case receive(CheckedContinuation<[[IncomingDelivery]], any Error>, key: UInt64, max: Int)
    case drain(CheckedContinuation<Void, any Error>, key: UInt64)
    /// Our close; at the deadline the transport is dropped.
    case close(CheckedContinuation<Void, Never>)
    /// A call waiting for the connection to be back after losing its transport.
    case ready(CheckedContinuation<Void, any Error>)

    /// What the peer did not send in time, for the time-out's message.
    var awaited: String {
        switch self {
        case .connect: "open"
        case .begin: "begin"
        case .end: "end"
        case .attach: "attach"
        case .detach: "detach"
        case .send, .batch: "outcome"
        case .receive: "delivery"
        case .drain: "drained flow"
        case .close: "close"
        case .ready: "reconnection"
        }
    }

    /// Ends the wait with `error` (a close wait simply ends: close does not fail).
    func fail(_ error: AMQPClientError) {
        switch self {
        case .connect(let continuation): continuation.resume(throwing: error)
        case .begin(let continuation, _, _), .end(let continuation, _), .detach(let continuation, _),
             .drain(let continuation, _), .ready(let continuation):
            continuation.resume(throwing: error)
        case .attach(let continuation, _): continuation.resume(throwing: error)
        case .send(let continuation, _, _): continuation.resume(throwing: error)
        case .batch(let batch, _): batch.fail(error)
        case .receive(let continuation, _, _): continuation.resume(throwing: error)
        case .close(let continuation): continuation.resume()
        }
    }
}

typealias WaitTicket = PendingWaits<NIODeadline, ClientWait>.Ticket

// The connection's one table of waits: every wait on the peer goes through `wait`, which
// bounds it by its time-out and lets the task's cancellation end it.
extension AMQPConnection {
    /// Waits for what `make` stores, at most `timeout` (nil: no limit), and ends early if the
    /// task is cancelled. `registered` runs once the wait is in the table (store the ticket
    /// where the answer will find it, then ask the peer).
    func wait<Value>(
        timeout: Duration?, _ make: (CheckedContinuation<Value, any Error>) -> ClientWait,
        registered: (WaitTicket) -> Void
    ) async throws(AMQPClientError) -> Value {
        if Task.isCancelled { throw AMQPClientError(code: .cancelled) }
        let ticket = waits.makeTicket()
        let loop = eventLoop
        let result: Result<Value, AMQPClientError> = await withTaskCancellationHandler {
            do throws(AMQPClientError) {
                return .success(try await awaiting { continuation in
                    let deadline = timeout.map { NIODeadline.now() + TimeAmount($0) }
                    applyTimer(waits.add(make(continuation), ticket: ticket, deadline: deadline))
                    registered(ticket)
                })
            } catch {
                return .failure(error)
            }
        } onCancel: {
            // After the wait was added: this runs on the loop, after the current job.
            loop.execute { self.assumeIsolated { $0.cancelWait(ticket) } }
        }
        return try result.get()
    }

    /// Ends the wait under `ticket` and returns it to be resumed with the answer; nil if it
    /// ended already (timed out, cancelled).
    func takeWait(_ ticket: WaitTicket?) -> ClientWait? {
        guard let ticket else { return nil }
        return waits.take(ticket)
    }

    /// The task waiting under `ticket` was cancelled: undo what the wait asked for where it
    /// can be undone, then end it.
    func cancelWait(_ ticket: WaitTicket) {
        guard let wait = waits.take(ticket) else { return }
        let error = AMQPClientError(code: .cancelled, detail: "the waiting task was cancelled")
        abandon(wait, error: error)
        wait.fail(error)
    }

    /// The timer fired: ends every wait past its deadline.
    func expireWaits() {
        let (expired, timer) = waits.expire(now: .now())
        applyTimer(timer)
        for (_, wait) in expired {
            switch wait {
            case .receive(let continuation, let key, _):
                // A receive with a time limit returns nothing when the time is up.
                linkSlot(key)?.receiver?.waiter = nil
                continuation.resume(returning: [])
            case .close(let continuation):
                continuation.resume()
                closeTimedOut()
            case .connect:
                let error = AMQPClientError(code: .timedOut, detail: "no open from the peer within \(options.connectTimeout)")
                wait.fail(error)
                transportClosed(error)
                channel?.close(promise: nil)
            default:
                let error = AMQPClientError(code: .timedOut, detail: "no \(wait.awaited) from the peer in time")
                abandon(wait, error: error)
                wait.fail(error)
            }
        }
    }

    /// The connection is over: every wait ends with `error`.
    func failAllWaits(_ error: AMQPClientError) {
        let (all, timer) = waits.takeAll()
        applyTimer(timer)
        for wait in all { wait.fail(error) }
    }

    /// A wait ended without its answer (time-out, cancellation): take back what was asked of
    /// the peer where that is still possible, so nothing is left half done.
    private func abandon(_ wait: ClientWait, error: AMQPClientError) {
        switch wait {
        case .connect:
            transportClosed(error)
            channel?.close(promise: nil)
        case .begin(_, let channel, let key):
            // A session nobody will use: end it when (if) it begins.
            if let slot = sessions[channel], slot.key == key { handler?.perform { $0.endSession(channel) } }
        case .attach(_, let key):
            if let id = linkSlot(key)?.id { handler?.perform { $0.detachLink(id, closed: true) } }
        case .send(_, let key, let tag):
            guard let slot = linkSlot(key), let sender = slot.sender else { return }
            sender.waiting[tag] = nil
            sender.unsettledBytes[tag] = nil
            if let id = slot.id { withdraw([tag], from: id) }
        case .batch(let batch, let key):
            batch.exhausted = true
            guard let slot = linkSlot(key), let sender = slot.sender else { return }
            sender.batches[ObjectIdentifier(batch)] = nil
            let tags = sender.tags(of: batch)
            if let id = slot.id { withdraw(tags, from: id) }
            for tag in tags { sender.unsettledBytes[tag] = nil }
            sender.dropRanges(of: batch)
        case .receive(_, let key, _):
            linkSlot(key)?.receiver?.waiter = nil
        case .drain, .end, .detach, .close, .ready:
            break
        }
    }

    /// Takes back deliveries not yet sent (no frame out): they are never sent.
    private func withdraw(_ tags: some Collection<UInt64>, from id: LinkID) {
        guard !tags.isEmpty else { return }
        let wanted = Set(tags)
        let withdrawn = handler?.perform { engine in
            engine.withdraw(on: id) { tag in SenderSlot.tagValue(tag).map(wanted.contains) ?? false }
        } ?? 0
        if withdrawn > 0 { logger.debug("withdrew unsent deliveries", metadata: ["amqp.count": "\(withdrawn)"]) }
    }

    func applyTimer(_ action: PendingWaits<NIODeadline, ClientWait>.TimerAction) {
        switch action {
        case .keep:
            return
        case .cancel:
            waitTimer?.cancel()
            waitTimer = nil
        case .arm(let deadline):
            waitTimer?.cancel()
            waitTimer = eventLoop.scheduleTask(deadline: deadline) {
                self.assumeIsolated { $0.expireWaits() }
            }
        }
    }
}
