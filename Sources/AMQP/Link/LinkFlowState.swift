import AMQPCore

/// The link-level fields of a `flow` (spec 2.7.4) that one link endpoint wants to send. The
/// session adds its own fields (`next-incoming-id`, windows, `handle`) with `apply(to:)`.
public struct LinkFlowState: Hashable, Sendable {
    public var deliveryCount: SequenceNumber
    public var linkCredit: UInt32
    /// The sender's count of deliveries awaiting credit; `nil` in a receiver's flow.
    public var available: UInt32?
    public var drain: Bool

    public init(deliveryCount: SequenceNumber, linkCredit: UInt32, available: UInt32? = nil, drain: Bool = false) {
        self.deliveryCount = deliveryCount
        self.linkCredit = linkCredit
        self.available = available
        self.drain = drain
    }

    /// Writes these link fields into a flow whose session fields are already set.
    public func apply(to flow: inout Flow) {
        flow.deliveryCount = deliveryCount.rawValue
        flow.linkCredit = linkCredit
        flow.available = available
        flow.drain = drain
    }
}
