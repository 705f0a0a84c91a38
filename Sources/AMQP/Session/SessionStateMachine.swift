import AMQPCore

/// One session's own state (spec 2.5): begin/end, the transfer-id windows in both directions,
/// and which link handles are attached. Link credit lives in the link machines.
///
/// Transfer-ids and windows use serial-number arithmetic (spec 2.8.9: RFC 1982, 32 bits):
/// every addition wraps.
public struct SessionStateMachine: Sendable {
    public enum Action: Sendable, Hashable {
        case none
        /// Write this begin.
        case sendBegin(Begin)
        /// Both begins are exchanged: the session is mapped (spec 2.5.1).
        case mapped
        /// Write this session-level flow (no handle).
        case sendFlow(Flow)
        /// Write this end and wait for the peer's.
        case sendEnd(End)
        /// The peer ended first: write our end; the session is over, for `error`.
        case sendEndAndRelease(End, AMQPSessionError)
        /// Both ends are exchanged; `error` says why, nil for a clean end we asked for.
        case released(AMQPSessionError?)
        /// An error at connection scope (spec 2.8.15-16): close the connection with it.
        case closeConnection(AMQPErrorCondition, String)
    }

    enum State: Sendable, Hashable {
        case unmapped
        case beginSent
        case mapped
        case endSent(reason: AMQPSessionError?)
        case ended
    }

    public let configuration: SessionConfiguration
    private(set) var state: State = .unmapped

    // Outgoing direction.
    /// Our first transfer-id (sent in begin).
    static let initialOutgoingID: UInt32 = 0
    /// The transfer-id of our next transfer frame.
    public private(set) var nextOutgoingID: UInt32 = initialOutgoingID
    /// Transfer frames the peer will still accept (from its begin and flows).
    public private(set) var remoteIncomingWindow: UInt32 = 0
    // Incoming direction.
    /// The transfer-id we expect on the peer's next transfer frame.
    public private(set) var nextIncomingID: UInt32 = 0
    /// Transfer frames we still accept before we must widen the window.
    public private(set) var incomingWindow: UInt32
    public private(set) var remoteOutgoingWindow: UInt32 = 0
    /// The highest handle we may attach with (the peer's handle-max).
    public private(set) var remoteHandleMax: UInt32 = 0
    private var remoteHandles: Set<UInt32> = []
    private var localHandles: Set<UInt32> = []
    /// Where the search for a free handle starts: just past the last one taken, so a handle
    /// just released is not reused at once (news about its old link may still be on its way
    /// to the application).
    private var nextHandle: UInt32 = 0

    public init(configuration: SessionConfiguration = SessionConfiguration()) {
        self.configuration = configuration
        self.incomingWindow = configuration.incomingWindow
    }

    // MARK: Begin and end

    /// We begin the session (`remoteChannel` nil), or answer the peer's begin on `remoteChannel`.
    public mutating func beginRequested(answering remoteChannel: UInt16? = nil) -> Action {
        guard case .unmapped = state else { return .none }
        let begin = Begin(remoteChannel: remoteChannel, nextOutgoingID: nextOutgoingID, incomingWindow: incomingWindow,
                          outgoingWindow: configuration.outgoingWindow, handleMax: configuration.handleMax,
                          offeredCapabilities: configuration.offeredCapabilities,
                          desiredCapabilities: configuration.desiredCapabilities, properties: configuration.properties)
        state = remoteChannel == nil ? .beginSent : .mapped
        return .sendBegin(begin)
    }

    /// The peer's begin: the answer to ours, or (before `beginRequested(answering:)`) its own.
    public mutating func beginReceived(_ begin: Begin) -> Action {
        switch state {
        case .unmapped, .beginSent:
            nextIncomingID = begin.nextOutgoingID
            remoteIncomingWindow = begin.incomingWindow
            remoteOutgoingWindow = begin.outgoingWindow
            remoteHandleMax = begin.handleMax
            if case .beginSent = state {
                state = .mapped
                return .mapped
            }
            return .none  // the connection answers with beginRequested(answering:)
        default:
            return .closeConnection(.illegalState, "begin on a channel that already has a session")
        }
    }

    public mutating func endRequested(error: AMQPError? = nil) -> Action {
        switch state {
        case .beginSent, .mapped:
            state = .endSent(reason: nil)
            return .sendEnd(End(error: error))
        default:
            return .none
        }
    }

    public mutating func endReceived(_ end: End) -> Action {
        switch state {
        case .endSent(let reason):
            state = .ended
            return .released(reason)
        case .ended:
            return .closeConnection(.illegalState, "end on a channel with no session")
        default:
            state = .ended
            return .sendEndAndRelease(End(), AMQPSessionError(code: .endedByPeer, error: end.error))
        }
    }

    // MARK: Links

    /// A free handle we may attach a link with, if any (spec 2.6.2): the next one not in use
    /// at or after the last one taken, wrapping at the peer's handle-max.
    public func freeHandle() -> UInt32? {
        guard UInt64(localHandles.count) <= UInt64(remoteHandleMax) else { return nil }
        var handle = nextHandle > remoteHandleMax ? 0 : nextHandle
        while localHandles.contains(handle) {
            handle = handle >= remoteHandleMax ? 0 : handle + 1
        }
        return handle
    }

    /// We attach a link with `handle` (from `freeHandle()`).
    public mutating func linkAttachRequested(handle: UInt32) {
        localHandles.insert(handle)
        nextHandle = handle &+ 1
    }

    /// We detached (with `closed` or not) and no longer use `handle`.
    public mutating func linkDetachSent(handle: UInt32) {
        localHandles.remove(handle)
    }

    /// The peer attached a link with `handle`.
    public mutating func attachReceived(handle: UInt32) -> Action {
        guard case .mapped = state else { return .none }
        guard handle <= configuration.handleMax else {
            // Spec 2.7.2 handle-max: a handle out of range closes the connection.
            return .closeConnection(.framingError, "handle \(handle) above handle-max \(configuration.handleMax)")
        }
        guard remoteHandles.insert(handle).inserted else {
            return violation(.handleInUse, "handle \(handle) is already attached")
        }
        return .none
    }

    /// The peer detached `handle`.
    public mutating func detachReceived(handle: UInt32) -> Action {
        guard case .mapped = state else { return .none }
        guard remoteHandles.remove(handle) != nil else {
            return violation(.unattachedHandle, "detach of handle \(handle), which is not attached")
        }
        return .none
    }

    /// Whether the peer has attached `handle`.
    public func isAttached(remoteHandle handle: UInt32) -> Bool { remoteHandles.contains(handle) }

    // MARK: Transfers and flow

    /// Whether the peer's incoming window lets us send another transfer frame.
    public var canSendTransfer: Bool {
        guard case .mapped = state else { return false }
        return remoteIncomingWindow > 0
    }

    /// We sent one transfer frame; returns its transfer-id. Check `canSendTransfer` first.
    public mutating func transferSent() -> UInt32 {
        precondition(remoteIncomingWindow > 0, "transfer sent outside the peer's incoming window")
        let id = nextOutgoingID
        nextOutgoingID &+= 1
        remoteIncomingWindow -= 1
        return id
    }

    /// The peer sent a transfer frame on `handle` (spec 2.5.6): it must fit our incoming
    /// window and name an attached link.
    public mutating func transferReceived(handle: UInt32) -> Action {
        guard case .mapped = state else { return .none }
        guard remoteHandles.contains(handle) else {
            return violation(.unattachedHandle, "transfer on handle \(handle), which is not attached")
        }
        guard incomingWindow > 0 else {
            return violation(.windowViolation, "transfer beyond the incoming window")
        }
        nextIncomingID &+= 1
        incomingWindow -= 1
        remoteOutgoingWindow &-= 1
        return .none
    }

    /// The connection finished handling what one read brought: when half the incoming window
    /// is used, widen it again with one flow (one per read, not one per transfer).
    public mutating func readCompleted() -> Action {
        guard case .mapped = state, incomingWindow <= configuration.incomingWindow / 2 else { return .none }
        incomingWindow = configuration.incomingWindow
        return .sendFlow(flow())
    }

    /// The peer's flow (spec 2.5.6, 2.7.4): its session-level fields. The link-level fields
    /// (a flow with a handle) go to that link's machine; an unattached handle is an error.
    public mutating func flowReceived(_ flow: Flow) -> Action {
        guard case .mapped = state else { return .none }
        if let handle = flow.handle, !remoteHandles.contains(handle) {
            return violation(.unattachedHandle, "flow on handle \(handle), which is not attached")
        }
        // remote-incoming-window = next-incoming-id(flow) + incoming-window(flow) - next-outgoing-id(ours);
        // a flow sent before the peer saw our begin has no next-incoming-id: use our initial id.
        let theirNextIncoming = flow.nextIncomingID ?? Self.initialOutgoingID
        remoteIncomingWindow = theirNextIncoming &+ flow.incomingWindow &- nextOutgoingID
        remoteOutgoingWindow = flow.outgoingWindow
        if flow.echo && flow.handle == nil { return .sendFlow(self.flow()) }
        return .none
    }

    /// The session-level fields of a flow we send; link machines add theirs.
    public func flow() -> Flow {
        Flow(nextIncomingID: nextIncomingID, incomingWindow: incomingWindow, nextOutgoingID: nextOutgoingID,
             outgoingWindow: configuration.outgoingWindow)
    }

    private mutating func violation(_ condition: AMQPErrorCondition, _ description: String) -> Action {
        let error = AMQPError(condition: condition, errorDescription: description)
        state = .endSent(reason: AMQPSessionError(code: .protocolViolation, error: error))
        return .sendEnd(End(error: error))
    }
}
