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

    init(receiver: AMQPReceiver, delivery: IncomingDelivery, message: AMQPMessageView) {
        self.receiver = receiver
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
        try await receiver.connection.settle(deliveryID, receiver: receiver.key, state: state)
    }
}

extension AMQPReceiver {
    /// Settles many deliveries of this receiver with one outcome, in one step (dispositions
    /// coalesced into ranges). Pre-settled ones are skipped.
    public func settle(_ deliveries: [AMQPDelivery], _ state: DeliveryState = .accepted(Accepted())) async throws(AMQPClientError) {
        let ids = deliveries.lazy.filter { !$0.isSettled && $0.receiver === self }.map(\.deliveryID)
        guard !ids.isEmpty else { return }
        try await connection.settle(Array(ids), receiver: key, state: state)
    }
}
