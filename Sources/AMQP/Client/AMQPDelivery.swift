import AMQPCore
import NIOCore

/// A message received on a link, with what it takes to settle it.
///
/// An unsettled delivery is settled once: the first of `accept`, `reject`, `release` or
/// `modify` sends the outcome, and a second throws `alreadySettled` (the engine keeps the
/// unsettled set, so copies of the value cannot settle twice either). A delivery the sender
/// sent pre-settled needs no outcome: settling it does nothing.
public struct AMQPDelivery: Sendable {
    /// The message, decoded lazily; `message.data` is a slice of the received frame.
    public let message: AMQPMessageView
    public let deliveryID: UInt32
    public let deliveryTag: ByteBuffer
    /// Sent pre-settled (at-most-once): no outcome is expected.
    public let isSettled: Bool
    public let receiver: AMQPReceiver
    /// Which of the receiver's links it came on (a new one after each re-attach).
    let epoch: UInt64

    init(receiver: AMQPReceiver, delivery: IncomingDelivery, epoch: UInt64, message: AMQPMessageView) {
        self.receiver = receiver
        self.epoch = epoch
        self.message = message
        self.deliveryID = delivery.deliveryID
        self.deliveryTag = delivery.deliveryTag
        self.isSettled = delivery.settled
    }

    /// Processed: the peer forgets the message.
    public func accept() async throws(AMQPClientError) {
        try await settle(.accepted(Accepted()))
    }

    /// Invalid: the peer must not redeliver it (it may dead-letter it), with `error` as why.
    public func reject(_ error: AMQPError? = nil) async throws(AMQPClientError) {
        try await settle(.rejected(Rejected(error: error)))
    }

    /// Not processed: the peer may deliver it again, to us or another receiver.
    public func release() async throws(AMQPClientError) {
        try await settle(.released(Released()))
    }

    /// Not processed, with delivery-failed / undeliverable-here and annotations to merge.
    public func modify(deliveryFailed: Bool = true, undeliverableHere: Bool = false,
                       annotations: AMQPMap? = nil) async throws(AMQPClientError) {
        try await settle(.modified(Modified(deliveryFailed: deliveryFailed, undeliverableHere: undeliverableHere,
                                            messageAnnotations: annotations)))
    }

    public func settle(_ state: DeliveryState) async throws(AMQPClientError) {
        guard !isSettled else { return }
        try await receiver.connection.settle(CollectionOfOne(deliveryID), receiver: receiver.key, epoch: epoch, state: state)
    }
}

extension AMQPReceiver {
    /// Settles many deliveries of this receiver with one outcome, in one step (dispositions
    /// coalesced into ranges). Pre-settled ones are skipped.
    public func settle(_ deliveries: [AMQPDelivery], _ state: DeliveryState = .accepted(Accepted())) async throws(AMQPClientError) {
        let mine = deliveries.filter { !$0.isSettled && $0.receiver === self }
        guard let epoch = mine.first?.epoch else { return }
        // All from one link, as `receive` hands them out; else each epoch on its own.
        if mine.allSatisfy({ $0.epoch == epoch }) {
            try await connection.settle(mine.map(\.deliveryID), receiver: key, epoch: epoch, state: state)
        } else {
            for delivery in mine { try await delivery.settle(state) }
        }
    }
}
