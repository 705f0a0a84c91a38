import AMQPCore
import AMQPTLS
import Logging
import NIOCore

/// Drives a `ConnectionEngine` (and, first, the SASL layer) on a NIO channel: bytes in (split
/// into headers and frames here, by an `AMQPFrameSplitter`: no pipeline step per frame),
/// encoded frames out, one write per batch of work and one flush per read. It runs on the
/// channel's event loop only; the application talks to it through `perform(_:)`, and hears
/// from it through `onEvents` (or `onEvent`).
///
/// Undecodable input closes the connection with `amqp:connection:framing-error`.
public final class AMQPConnectionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = Never
    public typealias OutboundOut = ByteBuffer

    /// How the SASL layer goes, if there is one.
    public enum SASL {
        case none
        /// Client: present these credentials, most preferred first.
        case client([SASLCredentials], hostname: String?)
        /// Server: offer these mechanisms and check what the client presents.
        case server([AMQPSymbol], verify: (SASLPresented) -> Bool)
    }

    private enum Phase {
        case sasl
        case amqp
        case closed
    }

    /// Touched only on the event loop, never in overlapping accesses (commands issued while
    /// events are delivered run after `takeEvents` returned): no run-time exclusivity check.
    @exclusivity(unchecked) private var engine: ConnectionEngine
    private var splitter: AMQPFrameSplitter
    private var saslClient: SASLClientStateMachine?
    private var saslServer: SASLServerStateMachine?
    private let verify: ((SASLPresented) -> Bool)?
    private var phase: Phase
    private var context: ChannelHandlerContext?
    private var heartbeat: RepeatedTask?
    private var idleCheck: RepeatedTask?
    private var lastRead = NIODeadline.now()
    private var wroteSinceHeartbeat = false
    /// Reused between drains (no allocation per batch).
    private var eventBatch: [ConnectionEngine.Event] = []
    private var outboundBatch: [AMQPInbound] = []
    private var encodedBatch: [ByteBuffer] = []
    private var deliveringEvents = false
    /// The identity SASL established (server side).
    public private(set) var identity: SASLPresented?
    /// The subject of the certificate the peer proved in TLS, if any (what SASL EXTERNAL
    /// stands for).
    public private(set) var peerCertificateSubject: String?
    private var flushScheduled = false
    /// Everything the engine reports, on the event loop, in order (unless `onEvents` is set).
    public var onEvent: (ConnectionEngine.Event) -> Void = { _ in }
    /// When set, hears the events a batch at a time instead of `onEvent`: one call (and one
    /// isolation check on the receiving side) per batch rather than per event.
    public var onEvents: (([ConnectionEngine.Event]) -> Void)?
    /// After each batch of events has been delivered: the place for work that is cheaper done
    /// once per batch than once per event (commands issued here are written with the batch's).
    public var onEventsDelivered: () -> Void = {}
    /// Every header and frame in and out at trace level (never a SASL credential).
    public var logger = Logger(label: "amqp.connection", factory: { _ in SwiftLogNoOpLogHandler() })

    /// `maxFrameSize`: the largest frame read (nil: the engine's max-frame-size).
    public init(engine: ConnectionEngine, sasl: SASL = .none, maxFrameSize: UInt32? = nil,
                limits: AMQPDecodingLimits = .default) {
        self.engine = engine
        splitter = AMQPFrameSplitter(maxFrameSize: maxFrameSize ?? engine.configuration.maxFrameSize, limits: limits)
        switch sasl {
        case .none:
            phase = .amqp
            verify = nil
        case .client(let credentials, let hostname):
            saslClient = SASLClientStateMachine(credentials: credentials, hostname: hostname)
            phase = .sasl
            verify = nil
        case .server(let mechanisms, let check):
            saslServer = SASLServerStateMachine(mechanisms: mechanisms)
            phase = .sasl
            verify = check
        }
    }

    /// Runs a command against the engine (on the event loop) and writes what it produced;
    /// the flush comes once, at the end of this event-loop turn, for all commands of the turn.
    /// A command issued while events are being delivered (from `onEvent`) is written with
    /// the rest of that batch, its dispositions coalesced with theirs.
    public func perform<Result>(_ command: (inout ConnectionEngine) -> Result) -> Result {
        let result = command(&engine)
        guard !deliveringEvents else { return result }
        drain()
        flushSoon()
        return result
    }

    /// Reads the engine's state without changing it (no flush, nothing written).
    public func inspect<Result>(_ query: (ConnectionEngine) -> Result) -> Result {
        query(engine)
    }

    private func flushSoon() {
        guard let context, !flushScheduled else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = bound.value
            handler.flushScheduled = false
            handler.context?.flush()
        }
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Frames are encoded as the engine makes them, unless each is to be traced.
        if logger.logLevel > .trace { engine.encodeOutbound(gatheringThreshold: Self.gatheringThreshold) }
        if context.channel.isActive { start(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        lastRead = .now()
        if var client = saslClient {
            if case .sendHeader = client.start() { write(.header(.sasl)) }
            saslClient = client
        } else if saslServer == nil {
            engine.start()
            drain()
        }
        context.flush()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Closed (undecodable input among the reasons): nothing more is read.
        guard phase != .closed else { return }
        lastRead = .now()
        do {
            try splitter.split(unwrapInboundIn(data)) { received($0) }
        } catch {
            decodingFailed(error, context)
        }
    }

    private func received(_ decoded: AMQPDecodedItem) {
        if logger.logLevel <= .trace { logger.trace("received \(FrameTrace(decoded.inbound))") }
        switch phase {
        case .amqp:
            if case .transfer(let channel, let transfer, let payload) = decoded {
                engine.received(transfer: transfer, payload: payload, channel: channel)
            } else {
                engine.received(decoded.inbound)
            }
        case .sasl: saslRead(decoded.inbound)
        case .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // Events first (the application may settle or send in response), then the batched
        // dispositions and window flows of this read, then one flush.
        drain()
        context.flush()
        context.fireChannelReadComplete()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        heartbeat?.cancel()
        idleCheck?.cancel()
        if phase == .amqp {
            // The engine knows why, if it was closing (after our idle time-out, say).
            engine.transportClosed()
            if !engine.hasEvents { engine.report(.closeTransport(AMQPConnectionError(code: .transportClosed))) }
            drain()
        }
        if phase != .closed {
            phase = .closed
            deliver(.closeTransport(AMQPConnectionError(code: .transportClosed)))
        }
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished { peerCertificateSubject = established.peerSubject }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let tls = error as? TLSError {
            // The TLS layer closes the channel; nothing can be said to the peer in AMQP.
            if phase != .closed {
                phase = .closed
                deliver(.closeTransport(AMQPConnectionError(code: .tls, tls: tls)))
            }
            return
        }
        guard let decoding = error as? AMQPDecodingError else {
            // The transport failed (a reset, …): nothing more can be said to the peer.
            if phase != .closed {
                phase = .closed
                deliver(.closeTransport(AMQPConnectionError(
                    code: .transportClosed, error: AMQPError(condition: .connectionForced, errorDescription: "\(error)"))))
            }
            context.close(promise: nil)
            return
        }
        decodingFailed(decoding, context)
    }

    /// Undecodable input: tell the peer why (framing error), then close.
    private func decodingFailed(_ decoding: AMQPDecodingError, _ context: ChannelHandlerContext) {
        let detail = "\(decoding)"
        if phase == .amqp {
            engine.protocolViolated(.framingError, detail)
            drain()
        }
        phase = .closed
        deliver(.closeTransport(AMQPConnectionError(code: .protocolViolation,
                                                    error: AMQPError(condition: .framingError, errorDescription: detail))))
        closeAfterWrites(context)
    }

    /// Closes once everything written so far has gone out.
    private func closeAfterWrites(_ context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: SASL

    private func saslRead(_ item: AMQPInbound) {
        if var client = saslClient {
            let action: SASLClientStateMachine.Action
            switch item {
            case .header(let header): action = client.headerReceived(header)
            case .frame(let frame):
                guard case .sasl(let body) = frame.body else {
                    action = .fail(SASLError(code: .unexpectedFrame, detail: "an AMQP frame during SASL"))
                    break
                }
                action = client.frameReceived(body)
            }
            saslClient = client
            switch action {
            case .none, .sendHeader: break
            case .sendInit(let initiate): write(.frame(AMQPFrame(channel: 0, body: .sasl(.initiate(initiate)))))
            case .authenticated:
                phase = .amqp
                engine.start()
                drain()
            case .fail(let error): fail(.sasl, detail: "\(error)")
            }
        } else if var server = saslServer {
            var action: SASLServerStateMachine.Action
            switch item {
            case .header(let header): action = server.headerReceived(header)
            case .frame(let frame):
                guard case .sasl(let body) = frame.body else {
                    action = .reject(nil, SASLError(code: .unexpectedFrame, detail: "an AMQP frame during SASL"))
                    break
                }
                action = server.frameReceived(body)
            }
            if case .verify(var presented, _) = action {
                // EXTERNAL stands for the TLS client certificate: without one it fails, and
                // with one the identity is the certificate's subject (what TLS verified), not
                // whatever the client asked for.
                var accepted = true
                if case .external = presented {
                    if let subject = peerCertificateSubject {
                        presented = .external(authorizationID: subject)
                    } else {
                        accepted = false
                    }
                }
                accepted = accepted && (verify?(presented) ?? false)
                action = server.verified(accepted)
            }
            saslServer = server
            switch action {
            case .none, .verify: break
            case .sendHeaderAndMechanisms(let mechanisms):
                write(.header(.sasl))
                write(.frame(AMQPFrame(channel: 0, body: .sasl(.mechanisms(mechanisms)))))
            case .succeed(let outcome, let presented):
                if case .external = presented, let subject = peerCertificateSubject {
                    identity = .external(authorizationID: subject)
                } else {
                    identity = presented
                }
                write(.frame(AMQPFrame(channel: 0, body: .sasl(.outcome(outcome)))))
                phase = .amqp
                engine.start()
            case .reject(let outcome, let error):
                if let outcome { write(.frame(AMQPFrame(channel: 0, body: .sasl(.outcome(outcome))))) }
                fail(.sasl, detail: "\(error)")
            case .rejectHeader(let reply):
                write(.header(reply))
                fail(.unsupportedProtocol, detail: "the client did not start with SASL")
            }
        }
    }

    private func fail(_ code: AMQPConnectionError.Code, detail: String) {
        phase = .closed
        deliver(.closeTransport(AMQPConnectionError(code: code, error: AMQPError(condition: .unauthorizedAccess, errorDescription: detail))))
        guard let context else { return }
        closeAfterWrites(context)
    }

    // MARK: Output

    private func write(_ item: AMQPInbound) {
        guard let context else { return }
        if logger.logLevel <= .trace { logger.trace("sent \(FrameTrace(item))") }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        AMQPFrameEncoder().encode(data: item, out: &buffer)
        wroteSinceHeartbeat = true
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// Delivers the engine's events (the application may answer with commands, which only
    /// queue meanwhile), then writes everything that produced — dispositions and window flows
    /// coalesced, one buffer — and goes on until the engine has nothing more to say. Never
    /// re-entered, so `onEvent` is not either.
    private func drain() {
        guard let context, !deliveringEvents else { return }
        deliveringEvents = true
        defer { deliveringEvents = false }
        while true {
            engine.takeEvents(into: &eventBatch)
            var closing = false
            for index in eventBatch.indices {
                switch eventBatch[index] {
                case .opened(let negotiated): startTimers(negotiated, context)
                case .closeTransport:
                    phase = .closed
                    closing = true
                default: break
                }
            }
            if !eventBatch.isEmpty {
                deliver(eventBatch)
                onEventsDelivered()
            }
            engine.flush()
            writeOutbound(context)
            // Sending stopped at a chunk of output: that chunk goes to the socket now, so the
            // peer starts on it while the rest is encoded.
            while engine.resumePumping() {
                context.flush()
                engine.flush()
                writeOutbound(context)
            }
            if closing {
                // After the application has heard the batch: what it answered goes out first.
                heartbeat?.cancel()
                idleCheck?.cancel()
                context.flush()
                context.close(promise: nil)
                return
            }
            guard engine.hasEvents else { return }
        }
    }

    private func deliver(_ events: [ConnectionEngine.Event]) {
        if let onEvents {
            onEvents(events)
        } else {
            for index in events.indices { onEvent(events[index]) }
        }
    }

    private func deliver(_ event: ConnectionEngine.Event) {
        if let onEvents { onEvents([event]) } else { onEvent(event) }
    }

    /// Payloads at least this large go to the socket as buffers of their own, next to the
    /// frame headers (a gathering write), instead of being copied.
    static let gatheringThreshold = 4096

    /// Writes what the engine produced: frames into one buffer, large payloads beside it.
    private func writeOutbound(_ context: ChannelHandlerContext) {
        engine.takeEncoded(into: &encodedBatch)
        for chunk in encodedBatch { context.write(wrapOutboundOut(chunk), promise: nil) }
        if !encodedBatch.isEmpty { wroteSinceHeartbeat = true }
        // Tracing: the engine keeps frame values, which are logged, then encoded the same way.
        engine.takeOutbound(into: &outboundBatch)
        guard !outboundBatch.isEmpty else { return }
        var traced = EncodedOutbound(gatheringThreshold: Self.gatheringThreshold)
        for item in outboundBatch {
            logger.trace("sent \(FrameTrace(item))")
            traced.write(item)
        }
        traced.take(into: &encodedBatch)
        for chunk in encodedBatch { context.write(wrapOutboundOut(chunk), promise: nil) }
        wroteSinceHeartbeat = true
    }

    /// Heartbeats at half the peer's idle time-out; our own idle time-out checked as often.
    private func startTimers(_ negotiated: NegotiatedConnection, _ context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        if let interval = negotiated.heartbeatInterval {
            heartbeat = loop.scheduleRepeatedTask(initialDelay: .milliseconds(Int64(interval)),
                                                  delay: .milliseconds(Int64(interval))) { _ in
                let handler = bound.value
                guard handler.phase == .amqp else { return }
                if !handler.wroteSinceHeartbeat {
                    handler.write(.frame(.heartbeat()))
                    handler.context?.flush()
                }
                handler.wroteSinceHeartbeat = false
            }
        }
        if let timeout = negotiated.idleTimeout {
            let check = max(Int64(timeout) / 4, 1)
            idleCheck = loop.scheduleRepeatedTask(initialDelay: .milliseconds(check), delay: .milliseconds(check)) { _ in
                let handler = bound.value
                guard handler.phase == .amqp else { return }
                if NIODeadline.now() - handler.lastRead > .milliseconds(Int64(timeout)) {
                    handler.engine.idleTimeoutElapsed()
                    handler.drain()
                    // A peer silent this long will not answer our close either: the
                    // transport goes once the close is out (the reason stays the time-out).
                    if let context = handler.context { handler.closeAfterWrites(context) }
                }
            }
        }
    }
}

@available(*, unavailable)
extension AMQPConnectionHandler: Sendable {}
