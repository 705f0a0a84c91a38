import AMQPCore

/// One link's life (spec 2.6.3-2.6.4): attach, detach (closing or not), refusal, and the terms
/// both ends agreed on. Credit and deliveries are separate machines.
public struct LinkStateMachine: Sendable {
    public enum Action: Sendable, Hashable {
        case none
        /// Write this attach.
        case sendAttach(Attach)
        /// Both attaches are exchanged: the link is usable on these terms.
        case attached(AttachedLink)
        /// The peer attached with no terminus (it cannot create the node): its detach with the
        /// reason follows (spec 2.6.3).
        case awaitingRefusal
        /// Write this detach and wait for the peer's.
        case sendDetach(Detach)
        /// The peer detached first: write our detach; the link is over, for `error`.
        case sendDetachAndRelease(Detach, AMQPLinkError)
        /// Both detaches are exchanged; nil error for a clean detach we asked for.
        case released(AMQPLinkError?)
    }

    enum State: Sendable, Hashable {
        case detached
        case attachSent
        case refusing
        case attached(AttachedLink)
        case detachSent(reason: AMQPLinkError?)
        case released
    }

    /// Our attach.
    public let local: Attach
    private(set) var state: State = .detached

    public init(attach: Attach) {
        self.local = attach
    }

    public var isAttached: Bool {
        if case .attached = state { return true }
        return false
    }

    public mutating func attachRequested() -> Action {
        guard case .detached = state else { return .none }
        state = .attachSent
        return .sendAttach(local)
    }

    public mutating func attachReceived(_ remote: Attach) -> Action {
        switch state {
        case .attachSent:
            guard remote.role != local.role else {
                return violation(.invalidField, "the peer attached as a \(remote.role) too")
            }
            // A refusal: the terminus we asked the peer to provide is missing (spec 2.6.3).
            let missing = local.role == .sender ? remote.target == nil : remote.source == nil
            if missing {
                state = .refusing
                return .awaitingRefusal
            }
            let link = AttachedLink(local: local, remote: remote)
            state = .attached(link)
            return .attached(link)
        case .detached:
            // The peer attaches first; the caller answers with attachRequested() using an
            // attach built for it, then applies this one with attachReceived again.
            return .none
        case .detachSent, .released:
            return .none
        case .attached, .refusing:
            return violation(.illegalState, "attach on a link that is already attached")
        }
    }

    public mutating func detachRequested(closed: Bool = true, error: AMQPError? = nil) -> Action {
        switch state {
        case .attachSent, .attached, .refusing:
            state = .detachSent(reason: nil)
            return .sendDetach(Detach(handle: local.handle, closed: closed, error: error))
        default:
            return .none
        }
    }

    public mutating func detachReceived(_ detach: Detach) -> Action {
        switch state {
        case .detachSent(let reason):
            state = .released
            return .released(reason)
        case .refusing:
            state = .released
            return .sendDetachAndRelease(Detach(handle: local.handle, closed: detach.closed),
                                         AMQPLinkError(code: .refused, error: detach.error))
        case .released, .detached:
            return .none
        default:
            state = .released
            return .sendDetachAndRelease(Detach(handle: local.handle, closed: detach.closed),
                                         AMQPLinkError(code: .detachedByPeer, error: detach.error))
        }
    }

    /// A link-scoped protocol error (e.g. transfer-limit-exceeded): detach with it.
    /// The peer broke the link protocol: detach with `condition`, once (what else arrives for
    /// the link until the peer's detach is dropped).
    public mutating func protocolViolated(_ condition: AMQPErrorCondition, _ description: String) -> Action {
        if case .detachSent = state { return .none }
        if case .released = state { return .none }
        return violation(condition, description)
    }

    private mutating func violation(_ condition: AMQPErrorCondition, _ description: String) -> Action {
        let error = AMQPError(condition: condition, errorDescription: description)
        state = .detachSent(reason: AMQPLinkError(code: .protocolViolation, error: error))
        return .sendDetach(Detach(handle: local.handle, closed: true, error: error))
    }
}

/// The terms of an attached link, from both attaches (spec 2.6.3, 2.7.3).
public struct AttachedLink: Sendable, Hashable {
    public var local: Attach
    public var remote: Attach

    public init(local: Attach, remote: Attach) {
        self.local = local
        self.remote = remote
    }

    /// The sender decides how it settles (its snd-settle-mode), the receiver how it does
    /// (its rcv-settle-mode).
    public var senderSettleMode: SenderSettleMode { local.role == .sender ? local.sndSettleMode : remote.sndSettleMode }
    public var receiverSettleMode: ReceiverSettleMode { local.role == .receiver ? local.rcvSettleMode : remote.rcvSettleMode }

    /// The sender's initial delivery-count (spec 2.7.3: only the sender's attach carries it).
    public var initialDeliveryCount: UInt32 {
        (local.role == .sender ? local.initialDeliveryCount : remote.initialDeliveryCount) ?? 0
    }

    /// The largest message we may send: the peer's max-message-size (nil or 0: no limit).
    public var outgoingMaxMessageSize: UInt64? { remote.maxMessageSize.flatMap { $0 == 0 ? nil : $0 } }
    /// The largest message we accept.
    public var incomingMaxMessageSize: UInt64? { local.maxMessageSize.flatMap { $0 == 0 ? nil : $0 } }
}
