import AMQPCore
import AMQPTLS
import Logging
import NIOCore
import NIOPosix

/// An AMQP 1.0 connection (spec 2.4), as a client: connect with a URL, open sessions, attach
/// senders and receivers, close.
///
/// The actor runs on its channel's event loop, so the protocol engine and the application's
/// calls meet there without locks. Every wait on the peer is bounded
/// (`AMQPConnectionOptions`); when the connection ends, everything waiting on it fails with
/// the reason. With a reconnect policy it comes back after losing its transport
/// (`AMQPReconnectPolicy`, `stateChanges()`).
public actor AMQPConnection {
    nonisolated let eventLoop: any EventLoop
    let url: AMQPURL
    let tls: TLSContext?
    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    let options: AMQPConnectionOptions
    let logger: Logger
    let metrics: ClientMetrics
    var handler: AMQPConnectionHandler?
    var channel: (any Channel)?
    var negotiated: NegotiatedConnection?
    /// Every wait on the peer, with its deadline; `waitTimer` fires at the earliest.
    var waits = PendingWaits<NIODeadline, ClientWait>()
    var waitTimer: Scheduled<Void>?
    var connectWait: WaitTicket?
    /// Set once the connection is over.
    var closedError: AMQPClientError?
    /// `close()` was called: the end is ours, nothing reconnects.
    var closing = false
    /// Between losing the transport and being back (or giving up).
    var recovering = false
    var recoveryTask: Task<Void, Never>?
    /// Counts transports: events from an earlier one are ignored.
    var generation: UInt64 = 0
    /// Calls waiting for the connection to be back.
    var readyWaits: [WaitTicket] = []
    /// The recovery's own waits in the attempt under way.
    var attemptWaits: Set<WaitTicket> = []
    /// Why the attempt under way has failed already, if it has.
    var attemptFailure: AMQPClientError?
    var stateListeners: [UInt64: AsyncStream<AMQPConnectionState>.Continuation] = [:]
    /// Sessions by channel on the current transport, and by key (for their whole life).
    var sessions: [UInt16: SessionSlot] = [:]
    var sessionsByKey: [UInt64: SessionSlot] = [:]
    var links: [LinkID: LinkSlot] = [:]
    /// The link last looked up by id (see `attachedLink`); its `id` is cleared when it detaches.
    var lastLink: LinkSlot?
    /// Links by key, attached or detached (a detached one keeps why, and a receiver the
    /// deliveries not yet taken), until the application closes its sender or receiver.
    var linksByKey: [UInt64: LinkSlot] = [:]
    var nextKey: UInt64 = 0
    var pendingMetrics = PendingMetrics()
    /// Batches with outcomes in the events being delivered.
    var batchesToFeed: [(BatchSend, SenderSlot)] = []
    /// Receivers with a waiter and deliveries in the events being delivered.
    var receiversToWake: [(ReceiverSlot, LinkID)] = []

    init(eventLoop: any EventLoop, url: AMQPURL, tls: TLSContext?, options: AMQPConnectionOptions) {
        self.eventLoop = eventLoop
        self.url = url
        self.tls = tls
        self.options = options
        self.logger = options.logger
        self.metrics = ClientMetrics(prefix: options.metricsPrefix)
    }

    /// Connects to `url` (`amqp://[user[:password]@]host[:port]`).
    public static func connect(
        to url: String, options: AMQPConnectionOptions = AMQPConnectionOptions(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(AMQPClientError) -> AMQPConnection {
        try await connect(to: AMQPURL(url), options: options, eventLoopGroup: eventLoopGroup)
    }

    /// Connects: TCP, SASL (PLAIN with the URL's user, else ANONYMOUS, unless the options
    /// say otherwise), then the header and open exchange. Returns once the peer's open is in.
    public static func connect(
        to url: AMQPURL, options: AMQPConnectionOptions = AMQPConnectionOptions(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(AMQPClientError) -> AMQPConnection {
        let loop = eventLoopGroup.next()
        let tls = try tlsContext(for: url, options: options)
        if let tls {
            if !tls.configuration.verifyPeer {
                options.logger.warning("TLS peer verification is off: the peer's identity is not checked",
                                       metadata: ["amqp.peer": "\(url)"])
            }
        }
        let connection = AMQPConnection(eventLoop: loop, url: url, tls: tls, options: options)
        let bootstrap = bootstrap(on: loop, options: options) { channel in
            try connection.assumeIsolated { try $0.install(on: channel, url: url, tls: tls) }
        }
        let started = NIODeadline.now()
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw AMQPClientError(code: .connectFailed, detail: "\(url): \(error)")
        }
        // TLS, SASL and the open exchange in what is left of the connect time-out.
        let left = options.connectTimeout - .nanoseconds((NIODeadline.now() - started).nanoseconds)
        do {
            try await connection.awaitOpen(timeout: max(left, .zero))
        } catch {
            // Timed out, refused or cancelled: nothing of the attempt is left behind.
            await connection.abandonConnect(error)
            throw error
        }
        return connection
    }

    /// What both opens agreed (frame size, channels, idle time-outs, the peer's open).
    public var negotiatedTerms: NegotiatedConnection? { negotiated }

    /// Closes gracefully: sends close and waits for the peer's (at most `closeTimeout`), then
    /// drops the transport. Sessions and links end with it; their waiters fail. Returns at
    /// once if the connection is over; a cancelled task stops waiting (the close goes on).
    public func close() async {
        guard closedError == nil else { return }
        closing = true
        guard !recovering, let handler else {
            // Between transports: nothing to say to anyone; stop trying.
            recoveryTask?.cancel()
            transportClosed(AMQPClientError(code: .connectionClosed, detail: "closed while reconnecting"))
            return
        }
        logger.debug("closing")
        handler.perform { $0.close() }
        // Closed already (the transport was gone): nothing to wait for.
        guard closedError == nil else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ticket = waits.makeTicket()
                let deadline = NIODeadline.now() + TimeAmount(options.closeTimeout)
                applyTimer(waits.add(.close(continuation), ticket: ticket, deadline: deadline))
            }
        } onCancel: {
            // Stop waiting, and do not leave the transport behind.
            eventLoop.execute { self.assumeIsolated { $0.closeTimedOut() } }
        }
    }

    /// The peer did not answer our close in time (or the closing task was cancelled): drop
    /// the transport and end the waits.
    func closeTimedOut() {
        guard closedError == nil else { return }
        // The reason first: dropping the transport reports a plain close of its own.
        transportClosed(AMQPClientError(code: .timedOut, detail: "no close from the peer within \(options.closeTimeout)"))
        channel?.close(promise: nil)
    }

    // MARK: Setup

    /// A bootstrap for this connection's transports, `install` setting up each channel.
    static func bootstrap(
        on loop: any EventLoop, options: AMQPConnectionOptions,
        install: @escaping @Sendable (any Channel) throws -> Void
    ) -> ClientBootstrap {
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // One read of up to 256 KiB per readiness, not up to four of 64 KiB: as many bytes
            // per batch of events (so credit comes back as often), fewer frames split
            // between reads (each of those is gathered: a copy), fewer calls.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 262_144))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try install(channel) }
            }
    }

    func install(on channel: any Channel, url: AMQPURL, tls: TLSContext?) throws {
        self.channel = channel
        let configuration = ConnectionConfiguration(
            containerID: options.containerID ?? "swift-amqp-\(UInt64.random(in: 0...UInt64.max))",
            hostname: options.hostname ?? url.host, maxFrameSize: options.maxFrameSize,
            channelMax: options.channelMax, idleTimeout: options.idleTimeout,
            offeredCapabilities: options.offeredCapabilities, desiredCapabilities: options.desiredCapabilities,
            properties: options.properties)
        let engine = ConnectionEngine(role: .client, configuration: configuration, sessionConfiguration: options.session)
        let handler = AMQPConnectionHandler(
            engine: engine, sasl: .client(options.credentials ?? defaultCredentials(url), hostname: options.hostname ?? url.host))
        var handlerLogger = logger
        handlerLogger[metadataKey: "amqp.peer"] = "\(url)"
        handler.logger = handlerLogger
        // A cycle (actor → handler → closure → actor) until the transport closes, which
        // clears `onEvents`: an open connection stays alive while the application holds none of it.
        let generation = self.generation
        handler.onEvents = { events in
            self.assumeIsolated { connection in
                guard connection.generation == generation else { return }
                for index in events.indices { connection.handle(events[index]) }
            }
        }
        handler.onEventsDelivered = {
            self.assumeIsolated { connection in
                guard connection.generation == generation else { return }
                connection.eventsDelivered()
            }
        }
        self.handler = handler
        if let tls {
            let serverName = options.tlsServerName ?? url.host
            switch options.tlsNegotiation {
            case .direct:
                try channel.pipeline.syncOperations.addHandler(OpenSSLHandler(context: tls, serverHostname: serverName))
            case .amqpHeader:
                try channel.pipeline.syncOperations.addHandler(TLSHeaderNegotiator {
                    OpenSSLHandler(context: tls, serverHostname: serverName)
                })
            }
        }
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    /// Waits for the peer's open (after TLS and SASL); a time-out or cancellation drops the
    /// transport.
    func awaitOpen(timeout: Duration) async throws(AMQPClientError) {
        if negotiated != nil { return }
        if let closedError { throw closedError }
        _ = try await wait(timeout: timeout, { .connect($0) }, registered: { connectWait = $0 })
    }

    private func abandonConnect(_ error: AMQPClientError) {
        transportClosed(error)
        channel?.close(promise: nil)
    }

    // MARK: Helpers

    private static func tlsContext(for url: AMQPURL, options: AMQPConnectionOptions) throws(AMQPClientError) -> TLSContext? {
        guard url.usesTLS || options.tlsNegotiation == .amqpHeader else { return nil }
        do {
            return try TLSContext.shared(for: options.tls ?? .client())
        } catch {
            throw AMQPClientError(code: .tlsFailed, detail: "\(error)", tlsError: error)
        }
    }

    /// PLAIN with the URL's user; else EXTERNAL when TLS presents a client certificate (then
    /// ANONYMOUS if the peer does not offer EXTERNAL); else ANONYMOUS.
    private func defaultCredentials(_ url: AMQPURL) -> [SASLCredentials] {
        if url.username == nil, options.tls?.identity != nil { return [.external(), .anonymous()] }
        return url.credentials
    }

    func makeKey() -> UInt64 {
        nextKey += 1
        return nextKey
    }

    /// Throws why the connection is over, if it is.
    func ensureOpen() throws(AMQPClientError) {
        if let closedError { throw closedError }
    }

    /// Awaits a continuation stored by `store`, throwing only `AMQPClientError`.
    func awaiting<Value>(
        _ store: (CheckedContinuation<Value, any Error>) -> Void
    ) async throws(AMQPClientError) -> Value {
        do {
            return try await withCheckedThrowingContinuation { store($0) }
        } catch let error as AMQPClientError {
            throw error
        } catch {
            throw AMQPClientError(code: .cancelled, detail: "\(error)")
        }
    }
}
