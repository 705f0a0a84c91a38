import AMQPCore
import NIOCore

/// The receiving end of a link (spec 2.6), as an `AsyncSequence` of deliveries.
///
/// Credit follows the consumer: with a prefetch of N, at most N deliveries are granted or
/// waiting to be taken, and credit is topped up as they are taken (so a slow consumer slows
/// the sender, and nothing buffers without bound). With prefetch 0, credit is manual
/// (`addCredit`, `drain`). Iteration ends when the link detaches cleanly and throws when it
/// detaches with an error.
public final class AMQPReceiver: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    public let connection: AMQPConnection
    /// The source address (for a dynamic receiver, the one the peer assigned).
    public let address: String?
    public let terms: AttachedLink
    let key: UInt64

    init(connection: AMQPConnection, key: UInt64, address: String?, terms: AttachedLink) {
        self.connection = connection
        self.key = key
        self.address = address
        self.terms = terms
    }

    /// The next delivery, waiting as long as it takes; nil once the link has detached
    /// cleanly. Cancelling the task ends the wait with `cancelled`.
    public func receive() async throws(AMQPClientError) -> AMQPDelivery? {
        try await receive(max: 1).first
    }

    /// Up to `max` deliveries: those already here, else waits for at least one, at most
    /// `timeout` (nil: no limit) — an empty array when the time passes or the link has
    /// detached cleanly. One wait for many deliveries.
    public func receive(max: Int, timeout: Duration? = nil) async throws(AMQPClientError) -> [AMQPDelivery] {
        let (runs, epoch) = try await connection.receive(key: key, max: Swift.max(max, 1), timeout: timeout)
        var deliveries: [AMQPDelivery] = []
        deliveries.reserveCapacity(runs.reduce(0) { $0 + $1.count })
        for delivery in runs.joined() {
            do {
                deliveries.append(AMQPDelivery(receiver: self, delivery: delivery, epoch: epoch,
                                               message: try AMQPMessageView(decoding: delivery.payload)))
            } catch {
                // Not a message: refuse it (if it wants an outcome) and go on with the rest.
                if !delivery.settled {
                    let rejected = DeliveryState.rejected(Rejected(error: AMQPError(condition: .decodeError, errorDescription: "\(error)")))
                    try? await connection.settle(CollectionOfOne(delivery.deliveryID), receiver: key, epoch: epoch, state: rejected)
                }
            }
        }
        return deliveries
    }

    /// Grants `credit` more deliveries (manual credit: prefetch 0).
    public func addCredit(_ credit: UInt32) async throws(AMQPClientError) {
        try await connection.grantCredit(credit, receiver: key, drain: false)
    }

    /// Asks the sender to use up the credit granted or give it back (spec 2.6.7), and
    /// returns once it has; what arrived meanwhile is there to `receive`.
    public func drain() async throws(AMQPClientError) {
        try await connection.grantCredit(nil, receiver: key, drain: true)
    }

    /// Detaches (closing the link) and waits for the peer's detach. Deliveries not yet
    /// settled are left for the peer to redeliver.
    public func close() async throws(AMQPClientError) {
        try await connection.detach(key: key)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let receiver: AMQPReceiver

        public mutating func next() async throws(AMQPClientError) -> AMQPDelivery? {
            try await receiver.receive()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(AMQPClientError) -> AMQPDelivery? {
            try await receiver.receive()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(receiver: self)
    }
}

extension AMQPConnection {
    /// Up to `max` deliveries (as runs), with the receiver's link epoch they came on.
    func receive(key: UInt64, max: Int, timeout: Duration?) async throws(AMQPClientError) -> ([[IncomingDelivery]], UInt64) {
        try ensureOpenOrBuffered(key)
        guard let slot = linkSlot(key), let receiver = slot.receiver else {
            throw AMQPClientError(code: .linkDetached, detail: "not a receiver of this connection")
        }
        if !receiver.buffer.isEmpty {
            let taken = take(max, from: receiver, link: slot.id)
            return (taken, receiver.epoch)
        }
        if case .some(let error) = slot.detached {
            if let error { throw error }
            return ([], receiver.epoch)
        }
        guard receiver.waiter == nil else {
            throw AMQPClientError(code: .cancelled, detail: "another task is already receiving on this receiver")
        }
        let runs = try await wait(timeout: timeout, { .receive($0, key: key, max: max) },
                                  registered: { receiver.waiter = (max, $0) })
        return (runs, receiver.epoch)
    }

    /// Buffered deliveries stay readable after the connection ends; nothing else does.
    private func ensureOpenOrBuffered(_ key: UInt64) throws(AMQPClientError) {
        guard let closedError else { return }
        if linkSlot(key)?.receiver?.buffer.isEmpty == false { return }
        throw closedError
    }

    func grantCredit(_ credit: UInt32?, receiver key: UInt64, drain: Bool) async throws(AMQPClientError) {
        try ensureOpen()
        guard let slot = linkSlot(key), let receiver = slot.receiver, let id = slot.id else {
            throw AMQPClientError(code: .linkDetached, detail: "the receiver is closed")
        }
        guard let handler else { return }
        let current = handler.inspect { $0.linkCredit(on: id) }
        let granted = credit ?? current
        guard drain else {
            handler.perform { $0.grantCredit(current &+ granted, on: id) }
            return
        }
        guard granted > 0 else { return }
        try await wait(timeout: options.operationTimeout, { .drain($0, key: key) }) { ticket in
            receiver.drains.append(ticket)
            handler.perform { $0.grantCredit(granted, on: id, drain: true) }
        }
    }

    /// Settles received deliveries with one outcome (one disposition per run of ids). Throws
    /// `alreadySettled`, after settling the rest, if any of them was settled before, and
    /// `staleDelivery` for deliveries that came on a link since re-attached (`epoch`).
    func settle(_ deliveryIDs: some Collection<UInt32>, receiver key: UInt64, epoch: UInt64,
                state: DeliveryState) throws(AMQPClientError) {
        try ensureOpen()
        guard let slot = linkSlot(key), let id = slot.id, let handler, slot.receiver?.epoch == epoch else {
            if case .some(let error?) = linkSlot(key)?.detached { throw error }
            if let link = linkSlot(key), let receiver = link.receiver, receiver.epoch != epoch || link.id == nil {
                throw AMQPClientError(code: .staleDelivery, detail: "it came before the link was re-attached; the peer sends it again")
            }
            throw AMQPClientError(code: .linkDetached, detail: "the receiver is closed; the peer will redeliver")
        }
        let twice = handler.perform { $0.settle(deliveryIDs, on: id, state: state) }
        metrics.unsettledIn.decrement(by: Double(deliveryIDs.count - twice))
        if twice > 0 {
            throw AMQPClientError(code: .alreadySettled,
                                  detail: twice == 1 ? "one delivery was settled already" : "\(twice) deliveries were settled already")
        }
    }
}
