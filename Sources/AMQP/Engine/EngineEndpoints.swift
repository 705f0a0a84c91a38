import AMQPCore
import NIOCore

/// A link, named by where this side attached it: its session's local channel and its handle.
public struct LinkID: Hashable, Sendable, CustomStringConvertible {
    public var channel: UInt16
    public var handle: UInt32
    public init(channel: UInt16, handle: UInt32) {
        self.channel = channel
        self.handle = handle
    }
    public var description: String { "\(channel)/\(handle)" }
}

/// The peer's channel and handle of a receiving link, with our session and link for them.
struct TransferRoute {
    let remoteChannel: UInt16
    let remoteHandle: UInt32
    let id: LinkID
    let session: SessionEndpoint
    let link: LinkEndpoint
}

/// A message queued on a sending link, sent frame by frame as credit and window allow.
struct OutgoingDelivery: Sendable {
    var tag: ByteBuffer
    /// The encoded message bytes not yet sent (slices of the caller's buffer).
    var remaining: ByteBuffer
    var settled: Bool
    var messageFormat: UInt32
    /// Assigned when the first frame goes out.
    var deliveryID: UInt32?
    /// Its place among the link's deliveries, counted from 0 in the order queued.
    var sequence: UInt64
}

/// One link inside the engine: its lifecycle, its credit, and its deliveries in each direction.
///
/// A reference type on purpose: the engine reads and updates links on every frame, and a
/// link holds both attaches (sources, targets, maps); as a value in the engine's
/// dictionaries every read would copy it (measured: a third of the send path in retains and
/// releases). The machines inside stay pure values; only the engine owns these. Their
/// properties skip the run-time exclusivity check (`@exclusivity(unchecked)`): the engine
/// runs on one thread and its accesses never overlap; the checks cost about 5 % of a
/// delivery's CPU.
final class LinkEndpoint {
    @exclusivity(unchecked) var machine: LinkStateMachine
    @exclusivity(unchecked) var sender: SenderCreditState?
    @exclusivity(unchecked) var receiver: ReceiverCreditState?
    @exclusivity(unchecked) var assembler: IncomingDeliveryAssembler
    /// Deliveries not started yet (each needs credit).
    @exclusivity(unchecked) var queue: CircularBuffer<OutgoingDelivery> = CircularBuffer()
    /// The delivery partly sent (its first frames out, credit used), which goes on first.
    @exclusivity(unchecked) var inProgress: OutgoingDelivery?
    /// The `sequence` of the next delivery queued.
    @exclusivity(unchecked) var nextSequence: UInt64 = 0
    /// The handle the peer uses for this link, once attached.
    @exclusivity(unchecked) var remoteHandle: UInt32?
    /// Credit the receiver grants and keeps up (0: manual).
    let prefetch: UInt32

    init(attach: Attach, prefetch: UInt32) {
        self.machine = LinkStateMachine(attach: attach)
        self.assembler = IncomingDeliveryAssembler(maxMessageSize: attach.maxMessageSize.flatMap { $0 == 0 ? nil : $0 })
        self.prefetch = prefetch
    }

    var role: Role { machine.local.role }
}

/// One session inside the engine (a reference type, as `LinkEndpoint`).
final class SessionEndpoint {
    @exclusivity(unchecked) var machine: SessionStateMachine
    @exclusivity(unchecked) var remoteChannel: UInt16?
    @exclusivity(unchecked) var links: [UInt32: LinkEndpoint] = [:]
    /// The peer's handle → our handle.
    @exclusivity(unchecked) var byRemoteHandle: [UInt32: UInt32] = [:]
    /// Links the peer attached that the application has not answered yet, by the peer's
    /// handle, with the last flow the peer sent for each meanwhile (it may grant credit
    /// before our attach: spec 2.6.7 lets it send a flow as soon as it has attached).
    @exclusivity(unchecked) var requested: [UInt32: Flow?] = [:]
    /// Our next outgoing delivery-id (session-scoped, spec 2.6.12).
    @exclusivity(unchecked) var nextDeliveryID: UInt32 = 0
    /// Deliveries we sent and the peer has not settled, with their link's handle and tag.
    @exclusivity(unchecked) var unsettledSent = UnsettledDeliveries<SentDelivery>()
    /// Deliveries we received and have not settled, with the handle of their link.
    @exclusivity(unchecked) var unsettledReceived = UnsettledDeliveries<UInt32>()
    /// Received deliveries on links in rcv-settle-mode `second` whose outcome we sent: they
    /// settle when the sender does (spec 2.6.12), by delivery-id, with their link's handle.
    @exclusivity(unchecked) var awaitingSenderSettlement = UnsettledDeliveries<UInt32>()
    /// Settlements decided but not yet sent: ours as receiver, and as sender (settling a
    /// delivery whose receiver, in mode `second`, sent its outcome unsettled).
    @exclusivity(unchecked) var dispositions = DispositionBatch()
    @exclusivity(unchecked) var senderDispositions = DispositionBatch()

    init(configuration: SessionConfiguration) {
        machine = SessionStateMachine(configuration: configuration)
    }
}

/// What the engine remembers of a delivery it sent until the peer settles it.
struct SentDelivery: Sendable {
    var handle: UInt32
    var tag: ByteBuffer
    /// Its place among the link's deliveries, counted from 0 in the order queued.
    var sequence: UInt64
}
