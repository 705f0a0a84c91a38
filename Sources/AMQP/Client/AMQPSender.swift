import AMQPCore
import NIOCore

/// What a batch send ended with: how many deliveries the peer accepted (or, pre-settled, how
/// many were written), and every other outcome by its position in the batch.
public struct AMQPBatchOutcome: Sendable, Hashable {
    public struct Failure: Sendable, Hashable {
        /// The message's position in the batch.
        public var index: Int
        /// The peer's outcome: rejected (with its error), released or modified.
        public var state: DeliveryState?
    }

    public var accepted = 0
    public var failures: [Failure] = []

    public init() {}
}

/// One outcome of a batch send, as it happens.
public struct AMQPSendReport: Sendable, Hashable {
    /// The message's position in the batch.
    public var index: Int
    /// The peer's outcome; nil for a pre-settled message (reported once written).
    public var state: DeliveryState?
    /// From queueing the message to its settlement (or, pre-settled, to its last frame).
    public var latency: Duration
}

/// The sending end of a link (spec 2.6). Deliveries go out as the peer's credit and the
/// session window allow; nothing is sent beyond them.
public final class AMQPSender: Sendable {
    public let connection: AMQPConnection
    /// The target address.
    public let address: String
    /// Both attaches: what the peer agreed to (settle modes, max-message-size, …).
    public let terms: AttachedLink
    @usableFromInline let key: UInt64

    init(connection: AMQPConnection, key: UInt64, address: String, terms: AttachedLink) {
        self.connection = connection
        self.key = key
        self.address = address
        self.terms = terms
    }

    /// Sends `message` and returns the peer's outcome (`accepted`, `rejected`, `released`,
    /// `modified`), or nil for a pre-settled sender once the message is written.
    @discardableResult
    public func send(_ message: AMQPMessage) async throws(AMQPClientError) -> DeliveryState? {
        try await send(encoded: message.encoded())
    }

    /// Sends a message already encoded (`AMQPMessage.encoded()`, or bytes from elsewhere).
    @discardableResult
    public func send(encoded message: ByteBuffer) async throws(AMQPClientError) -> DeliveryState? {
        try await connection.send(message, sender: key)
    }

    /// Sends every message, keeping at most `window` unsettled deliveries in flight (one
    /// await for the lot), and returns the outcomes. The sequence is read, and each message
    /// encoded, on the event loop as the window opens, so it may be lazy (or end on a
    /// deadline). `observe`, when given, hears each outcome as it comes, on the event loop
    /// (keep it short), with the time from queueing to settlement.
    ///
    /// Inlinable, so that the sequence is iterated by code specialised for its type (a
    /// generic iterator costs more per message than the rest of the send path).
    @inlinable
    public func send<Messages: Sequence & Sendable>(
        contentsOf messages: Messages, window: Int = 1000, observe: (@Sendable (AMQPSendReport) -> Void)? = nil
    ) async throws(AMQPClientError) -> AMQPBatchOutcome where Messages.Element == AMQPMessage {
        try await connection.sendBatch(sender: key, window: window, observe: observe) {
            var iterator = messages.makeIterator()
            return { iterator.next()?.encoded() }
        }
    }

    /// `send(contentsOf:window:observe:)` for messages already encoded.
    @inlinable
    public func send<Messages: Sequence & Sendable>(
        encodedContentsOf messages: Messages, window: Int = 1000, observe: (@Sendable (AMQPSendReport) -> Void)? = nil
    ) async throws(AMQPClientError) -> AMQPBatchOutcome where Messages.Element == ByteBuffer {
        try await connection.sendBatch(sender: key, window: window, observe: observe) {
            var iterator = messages.makeIterator()
            return { iterator.next() }
        }
    }

    /// Detaches (closing the link) and waits for the peer's detach. Unsettled sends fail.
    public func close() async throws(AMQPClientError) {
        try await connection.detach(key: key)
    }
}

extension AMQPConnection {
    /// The sender's link now (nil while it waits to be re-attached) and its slot.
    func sendingSlot(_ key: UInt64) throws(AMQPClientError) -> (LinkID?, SenderSlot) {
        try ensureOpen()
        guard let slot = linkSlot(key), let sender = slot.sender else {
            throw AMQPClientError(code: .linkDetached, detail: "not a sender of this connection")
        }
        guard let id = slot.id else {
            if case .some(let error?) = slot.detached { throw error }
            // Waiting to be re-attached: what is sent now goes out once it is.
            if slot.detached == nil, sender.keepsBytes { return (nil, sender) }
            throw AMQPClientError(code: .linkDetached, detail: "the sender is closed")
        }
        return (id, sender)
    }

    func send(_ message: ByteBuffer, sender key: UInt64) async throws(AMQPClientError) -> DeliveryState? {
        let (id, sender) = try sendingSlot(key)
        // The tag is taken only once the wait is in (both closures run back to back): a send
        // that ends before it (a cancelled task) takes none, so tags keep counting as the
        // link's deliveries do.
        return try await wait(timeout: options.sendTimeout, { .send($0, key: key, tag: sender.nextTag) }) { ticket in
            let tag = sender.nextTag
            sender.nextTag &+= 1
            sender.waiting[tag] = ticket
            if let id {
                queue([message], tags: tag, on: id, sender: sender)
            } else {
                sender.unsettledBytes[tag] = message
            }
        }
    }

    @usableFromInline
    func sendBatch(
        sender key: UInt64, window: Int, observe: (@Sendable (AMQPSendReport) -> Void)?, _ makeNext: () -> () -> ByteBuffer?
    ) async throws(AMQPClientError) -> AMQPBatchOutcome {
        let (_, sender) = try sendingSlot(key)
        let next = makeNext()
        return try await wait(timeout: options.sendTimeout, { continuation in
            let batch = BatchSend(window: window, next: next, continuation: continuation)
            batch.observe = observe
            return .batch(batch, key: key)
        }) { ticket in
            guard case .batch(let batch, _)? = waits.waiter(ticket) else { return }
            batch.ticket = ticket
            sender.batches[ObjectIdentifier(batch)] = batch
            feed(batch, sender: sender, key: key)
        }
    }

    /// Queues deliveries with consecutive tags from `first` (one engine call, one flush).
    private func queue(_ messages: [ByteBuffer], tags first: UInt64, on id: LinkID, sender: SenderSlot) {
        let settled = sender.presettled
        var bytes = 0
        for message in messages { bytes += message.readableBytes }
        if sender.keepsBytes {
            // Kept until settled, to send again if the link has to be re-attached.
            for index in messages.indices { sender.unsettledBytes[first &+ UInt64(index)] = messages[index] }
        }
        handler?.perform { engine in
            engine.send(messages.indices.lazy.map { (message: messages[$0], tag: sender.tag(first &+ UInt64($0))) },
                        on: id, settled: settled)
        }
        metrics.messagesOut.increment(by: Int64(messages.count))
        metrics.bytesOut.increment(by: Int64(bytes))
        if !settled { metrics.unsettledOut.increment(by: Double(messages.count)) }
    }

    /// Tops the batch's window up; finishes it when everything is out and settled.
    func feed(_ batch: BatchSend, sender: SenderSlot, key: UInt64) {
        // Ended already (timed out, cancelled): nothing more goes out for it.
        guard batch.continuation != nil else { return }
        guard !batch.feeding else {
            batch.feedAgain = true
            return
        }
        batch.feeding = true
        repeat {
            batch.feedAgain = false
            guard let slot = linkSlot(key), let id = slot.id else {
                batch.feeding = false
                // Waiting to be re-attached: the batch goes on once it is.
                if let slot = linkSlot(key), slot.detached == nil, sender.keepsBytes { return }
                // The link is gone: the batch ends with its outcome if nothing was left to
                // send, else with why.
                let error: AMQPClientError
                if case .some(let reason?) = linkSlot(key)?.detached {
                    error = reason
                } else {
                    error = closedError ?? AMQPClientError(code: .linkDetached, detail: "the sender is closed")
                }
                finish(batch, sender: sender, linkGone: error)
                return
            }
            var messages: [ByteBuffer] = []
            let first = sender.nextTag
            while batch.inFlight + messages.count < batch.window, !batch.exhausted {
                guard let message = batch.next() else {
                    batch.exhausted = true
                    break
                }
                messages.append(message)
            }
            guard !messages.isEmpty else { break }
            sender.nextTag &+= UInt64(messages.count)
            sender.batchRanges.append(SenderSlot.BatchRange(
                first: first, count: messages.count, baseIndex: batch.sent,
                queuedAt: batch.observe == nil ? NIODeadline.uptimeNanoseconds(0) : .now(), batch: batch))
            batch.sent += messages.count
            batch.inFlight += messages.count
            queue(messages, tags: first, on: id, sender: sender)
        } while batch.feedAgain
        batch.feeding = false
        if batch.exhausted, batch.inFlight == 0 { finish(batch, sender: sender, linkGone: nil) }
    }

    /// Ends `batch` once: with its outcome when every message it had was settled, or, when
    /// the link is gone (`linkGone`) with messages unsent or unsettled, with that error.
    func finish(_ batch: BatchSend, sender: SenderSlot, linkGone error: AMQPClientError?) {
        sender.batches[ObjectIdentifier(batch)] = nil
        _ = takeWait(batch.ticket)
        guard batch.continuation != nil else { return }
        // Outcomes for all it sent, and nothing more to send: the batch is complete.
        if let error, batch.inFlight > 0 || !(batch.exhausted || batch.next() == nil) {
            batch.fail(error)
        } else {
            batch.exhausted = true
            batch.succeed()
        }
    }

    /// Tops up the windows of batches that had outcomes in the events just delivered; each
    /// made progress, so its time limit starts again.
    func feedBatches() {
        let batches = batchesToFeed
        batchesToFeed.removeAll(keepingCapacity: true)
        let deadline = options.sendTimeout.map { NIODeadline.now() + TimeAmount($0) }
        for (batch, sender) in batches {
            batch.feedPending = false
            if let deadline, let ticket = batch.ticket { applyTimer(waits.extend(ticket, to: deadline)) }
            feed(batch, sender: sender, key: sender.key)
        }
    }

    /// Accepted, or pre-settled (nil): pattern matching, not comparing whole outcome values.
    static func isAccepted(_ state: DeliveryState?) -> Bool {
        switch state {
        case nil, .accepted?: return true
        default: return false
        }
    }

    /// The delivery tagged `value` is settled with `state` (nil: it was sent pre-settled).
    func outcomeReceived(_ sender: SenderSlot, tag value: UInt64, state: DeliveryState?) {
        if sender.keepsBytes { sender.unsettledBytes[value] = nil }
        if let (range, index) = sender.settleInBatch(value) {
            if !sender.presettled { pendingMetrics.unsettledOutSettled += 1 }
            let batch = range.batch
            batch.inFlight -= 1
            if Self.isAccepted(state) {
                batch.outcome.accepted += 1
            } else {
                batch.outcome.failures.append(.init(index: index, state: state))
            }
            if let observe = batch.observe {
                observe(AMQPSendReport(index: index, state: state,
                                       latency: .nanoseconds((NIODeadline.now() - range.queuedAt).nanoseconds)))
            }
            // Fed once per batch of events (`eventsDelivered`), not once per outcome.
            if !batch.feedPending {
                batch.feedPending = true
                batchesToFeed.append((batch, sender))
            }
            return
        }
        guard let ticket = sender.waiting.removeValue(forKey: value) else { return }
        if !sender.presettled { metrics.unsettledOut.decrement() }
        guard case .send(let continuation, _, _)? = takeWait(ticket) else { return }
        continuation.resume(returning: state)
    }
}
