import AMQPCore
import AMQPTLS
import Logging
import NIOCore
import NIOPosix

/// Listens for AMQP connections (the server role): SASL, the engine, and an in-process
/// application behind every link the peers attach. The same engine as the client's, so it
/// is a peer for tests and benchmarks and the base of the embedded broker.
///
/// All its connections run on one event loop, which its application's state lives on.
public final class AMQPListener: Sendable {
    public enum Behaviour: Sendable, Hashable {
        /// Every address is a queue in memory: messages sent to it wait (at most `capacity`
        /// per queue; beyond it they are rejected with `amqp:resource-limit-exceeded`) for a
        /// receiver; a dynamic receiver gets a queue of its own. Released and modified
        /// deliveries, and those unsettled when their link or connection goes, are queued again.
        case queues(capacity: Int)
        /// Accepts every message sent to any address and sends `messageSize`-byte messages to
        /// every receiver as fast as its credit allows: a peer for throughput measurements.
        case sinkAndSource(messageSize: Int)
        /// As `sinkAndSource`, sending messages whose bodies cycle through these sizes.
        case sinkAndSourceCycling(bodySizes: [Int])
    }

    public struct Options: Sendable {
        public var host = "127.0.0.1"
        /// 0: any free port (`AMQPListener.port` tells which).
        public var port = 0
        public var containerID = "swift-amqp-listener"
        /// SASL mechanisms offered. EXTERNAL (offered by default with a TLS configuration
        /// that requires client certificates) accepts a client whose certificate TLS verified.
        public var mechanisms: [AMQPSymbol] = ["ANONYMOUS", "PLAIN"]
        /// TLS with this server configuration: first on every connection (amqps), or, with
        /// `tlsByHeader`, for clients that open with the AMQP TLS header (others stay plain).
        public var tls: TLSConfiguration?
        /// Plain and TLS on one port: TLS for clients that ask with the AMQP TLS header
        /// (spec 5.2.1) instead of TLS from the first byte.
        public var tlsByHeader = false
        /// Checks what a client presents in SASL (PLAIN's user and password, …); true accepts.
        public var verify: @Sendable (SASLPresented) -> Bool = { _ in true }
        public var maxFrameSize: UInt32 = 1024 * 1024
        public var idleTimeout: UInt32? = 60_000
        /// Credit each sending peer gets, kept up as its messages are taken.
        public var prefetch: UInt32 = 1000
        public var logger = Logger(label: "amqp.listener", factory: { _ in SwiftLogNoOpLogHandler() })

        public init() {}
    }

    let serverChannel: any Channel
    let application: NIOLoopBound<ListenerApplication>
    /// The port it listens on.
    public let port: Int

    private init(serverChannel: any Channel, application: NIOLoopBound<ListenerApplication>) {
        self.serverChannel = serverChannel
        self.application = application
        self.port = serverChannel.localAddress?.port ?? 0
    }

    public static func start(
        _ behaviour: Behaviour, options: Options = Options(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> AMQPListener {
        let loop = eventLoopGroup.next()
        let tls = try options.tls.map { configuration throws(TLSError) in try TLSContext.shared(for: configuration) }
        var mechanisms = options.mechanisms
        if options.tls?.requireClientCertificate == true, !mechanisms.contains("EXTERNAL") {
            mechanisms.insert("EXTERNAL", at: 0)
        }
        let shared = try await loop.submit {
            NIOLoopBound(ListenerApplication.make(behaviour, options: options), eventLoop: loop)
        }.get()
        let channel = try await ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(
                        containerID: options.containerID, maxFrameSize: options.maxFrameSize,
                        idleTimeout: options.idleTimeout))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(mechanisms, verify: options.verify))
                    handler.logger = options.logger
                    let connection = shared.value.connect(handler, channel: channel)
                    handler.onEvents = { [unowned handler] events in
                        let application = shared.value
                        for index in events.indices { application.handle(events[index], connection: connection, handler: handler) }
                    }
                    if let tls {
                        if options.tlsByHeader {
                            try channel.pipeline.syncOperations.addHandler(TLSHeaderResponder { OpenSSLHandler(context: tls) })
                        } else {
                            try channel.pipeline.syncOperations.addHandler(OpenSSLHandler(context: tls))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: options.host, port: options.port).get()
        return AMQPListener(serverChannel: channel, application: shared)
    }

    /// Stops listening and closes every connection (with a close frame, then the transport).
    public func close() async {
        try? await serverChannel.close()
        let application = self.application
        try? await serverChannel.eventLoop.submit { application.value.closeAll() }.get()
    }
}
