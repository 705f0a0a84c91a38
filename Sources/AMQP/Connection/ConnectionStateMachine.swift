import AMQPCore

/// The connection's own life (spec 2.4): protocol header exchange, open negotiation, close in
/// both directions, idle time-out. A pure state machine: each event returns the one action
/// the channel handler performs. Sessions and links are separate machines below it.
public struct ConnectionStateMachine: Sendable {
    public enum Role: Sendable, Hashable {
        /// Sends its header and open first, without waiting (pipelined, spec 2.4.1).
        case client
        /// Answers the client's header with its own header and open.
        case server
    }

    public enum Action: Sendable, Hashable {
        case none
        /// Write the AMQP protocol header, then this open.
        case sendHeaderAndOpen(Open)
        /// The peer's header is not AMQP 1.0.0: write `reply` (when there is one: the server
        /// answers with the header it speaks, spec 2.2), then close the transport.
        case rejectHeader(reply: AMQPProtocolHeader?, AMQPConnectionError)
        /// Both opens are exchanged: apply these limits (frame sizes, channels, heartbeats).
        case opened(NegotiatedConnection)
        /// Write this close, then wait (for a bounded time) for the peer's close.
        case sendClose(Close)
        /// The peer closed first: write our close, close the transport, report `error`.
        case sendCloseAndCloseTransport(Close, AMQPConnectionError)
        /// Close the transport; `error` is nil for a clean close.
        case closeTransport(AMQPConnectionError?)
    }

    enum State: Sendable, Hashable {
        case idle
        case awaitingHeader
        case awaitingOpen
        case open(NegotiatedConnection)
        /// We sent close and wait for the peer's; `reason` is what to report then (nil when the
        /// application closed the connection).
        case closeSent(reason: AMQPConnectionError?)
        case closed
    }

    public let role: Role
    public let configuration: ConnectionConfiguration
    private(set) var state: State = .idle

    public init(role: Role, configuration: ConnectionConfiguration) {
        self.role = role
        self.configuration = configuration
    }

    /// The limits in force, once open.
    public var negotiated: NegotiatedConnection? {
        if case .open(let negotiated) = state { return negotiated }
        return nil
    }

    // MARK: Events

    /// The transport is up (and SASL, if any, is done).
    public mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .awaitingHeader
        return role == .client ? .sendHeaderAndOpen(configuration.open) : .none
    }

    public mutating func headerReceived(_ header: AMQPProtocolHeader) -> Action {
        guard case .awaitingHeader = state else {
            return violation(.illegalState, "a protocol header after the AMQP header exchange")
        }
        guard header == .amqp else {
            state = .closed
            return .rejectHeader(reply: role == .server ? .amqp : nil,
                                 AMQPConnectionError(code: .unsupportedProtocol,
                                                     error: AMQPError(condition: .notImplemented, errorDescription: "\(header)")))
        }
        state = .awaitingOpen
        return role == .server ? .sendHeaderAndOpen(configuration.open) : .none
    }

    public mutating func openReceived(_ open: Open) -> Action {
        guard case .awaitingOpen = state else {
            if case .closeSent = state { return .none }
            return violation(.illegalState, "open received twice or before the protocol header")
        }
        guard open.maxFrameSize >= AMQPFrameLayout.minimumMaxFrameSize else {
            return violation(.invalidField, "max-frame-size \(open.maxFrameSize) is below 512")
        }
        let negotiated = NegotiatedConnection(
            remoteOpen: open,
            outgoingMaxFrameSize: open.maxFrameSize,
            incomingMaxFrameSize: configuration.maxFrameSize,
            outgoingChannelMax: open.channelMax,
            incomingChannelMax: configuration.channelMax,
            heartbeatInterval: open.idleTimeOut.flatMap { $0 == 0 ? nil : max($0 / 2, 1) },
            idleTimeout: configuration.idleTimeout.flatMap { $0 == 0 ? nil : $0 })
        state = .open(negotiated)
        return .opened(negotiated)
    }

    public mutating func closeReceived(_ close: Close) -> Action {
        switch state {
        case .closeSent(let reason):
            state = .closed
            return .closeTransport(reason)
        case .closed:
            return .none
        default:
            state = .closed
            return .sendCloseAndCloseTransport(Close(), AMQPConnectionError(code: .closedByPeer, error: close.error))
        }
    }

    /// The application closes the connection, optionally with an error for the peer.
    public mutating func closeRequested(error: AMQPError? = nil) -> Action {
        switch state {
        case .idle, .awaitingHeader:
            state = .closed
            return .closeTransport(nil)
        case .awaitingOpen, .open:
            // Both roles have sent their open by now (the server does on the client's header).
            state = .closeSent(reason: nil)
            return .sendClose(Close(error: error))
        case .closeSent, .closed:
            return .none
        }
    }

    /// A frame broke the protocol (decided by the caller or a session/link machine): close the
    /// connection with `condition`.
    public mutating func protocolViolated(_ condition: AMQPErrorCondition, _ description: String) -> Action {
        violation(condition, description)
    }

    /// Nothing arrived for our idle time-out (spec 2.4.5).
    public mutating func idleTimeoutElapsed() -> Action {
        guard case .open = state else { return .none }
        let error = AMQPError(condition: .resourceLimitExceeded, errorDescription: "no frame within the idle time-out")
        state = .closeSent(reason: AMQPConnectionError(code: .idleTimeout, error: error))
        return .sendClose(Close(error: error))
    }

    /// The peer did not answer our close in time.
    public mutating func closeTimeoutElapsed() -> Action {
        guard case .closeSent = state else { return .none }
        state = .closed
        return .closeTransport(AMQPConnectionError(code: .transportClosed,
                                                   error: AMQPError(condition: .connectionForced, errorDescription: "no close from the peer")))
    }

    /// The transport closed (EOF or an I/O error).
    public mutating func transportClosed() -> Action {
        let previous = state
        state = .closed
        switch previous {
        case .closed: return .none
        case .closeSent(let reason): return .closeTransport(reason)
        default: return .closeTransport(AMQPConnectionError(code: .transportClosed))
        }
    }

    private mutating func violation(_ condition: AMQPErrorCondition, _ description: String) -> Action {
        switch state {
        case .closeSent, .closed:
            return .none
        case .idle, .awaitingHeader:
            state = .closed
            return .closeTransport(AMQPConnectionError(code: .protocolViolation,
                                                       error: AMQPError(condition: condition, errorDescription: description)))
        case .awaitingOpen, .open:
            let error = AMQPError(condition: condition, errorDescription: description)
            state = .closeSent(reason: AMQPConnectionError(code: .protocolViolation, error: error))
            return .sendClose(Close(error: error))
        }
    }
}
