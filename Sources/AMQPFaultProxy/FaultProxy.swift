import NIOCore
import NIOPosix

/// A TCP proxy on loopback that breaks connections on purpose: between a client and a real
/// peer, it cuts connections after so many bytes or at random times, stalls or delays
/// traffic, drops one direction, and refuses connects for a while. Tests and scripts use it
/// to prove that nothing is lost when the network fails.
///
/// All its connections run on one event loop, where its state lives.
public final class FaultProxy: Sendable {
    /// What goes wrong, for every connection from now on (and, for timing faults, those open).
    public struct Plan: Sendable, Hashable {
        /// Cut a connection once this many bytes have crossed it (both ways together). The
        /// chunk crossing the limit is forwarded only up to it: a frame is cut in half.
        public var cutAfterBytes: Int?
        /// Cut each connection at a random moment this long after it opened.
        public var cutAfter: ClosedRange<Duration>?
        /// Hold every chunk this long before forwarding it.
        public var delay: Duration?
        /// Forward nothing from the client to the server (or back): a one-way outage.
        public var dropClientToServer = false
        public var dropServerToClient = false
        /// Refuse (close at once) this many of the next connects.
        public var refuseConnects = 0

        public init(cutAfterBytes: Int? = nil, cutAfter: ClosedRange<Duration>? = nil, delay: Duration? = nil,
                    dropClientToServer: Bool = false, dropServerToClient: Bool = false, refuseConnects: Int = 0) {
            self.cutAfterBytes = cutAfterBytes
            self.cutAfter = cutAfter
            self.delay = delay
            self.dropClientToServer = dropClientToServer
            self.dropServerToClient = dropServerToClient
            self.refuseConnects = refuseConnects
        }
    }

    /// What it has done so far.
    public struct Statistics: Sendable, Hashable {
        public var connections = 0
        public var refused = 0
        public var cuts = 0
        public var bytesToServer = 0
        public var bytesToClient = 0
        /// Chunks held now (stalled), either way.
        public var held = 0
    }

    private let serverChannel: any Channel
    private let state: NIOLoopBound<ProxyState>
    /// The port clients connect to.
    public let port: Int

    private init(serverChannel: any Channel, state: NIOLoopBound<ProxyState>) {
        self.serverChannel = serverChannel
        self.state = state
        self.port = serverChannel.localAddress?.port ?? 0
    }

    /// Listens on `host:port` (0: any free port) and forwards each connection to
    /// `upstreamHost:upstreamPort`.
    public static func start(
        to upstreamHost: String, port upstreamPort: Int, plan: Plan = Plan(),
        host: String = "127.0.0.1", port: Int = 0,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FaultProxy {
        let loop = eventLoopGroup.next()
        let state = try await loop.submit {
            NIOLoopBound(ProxyState(plan: plan, upstreamHost: upstreamHost, upstreamPort: upstreamPort), eventLoop: loop)
        }.get()
        let channel = try await ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { state.value.accepted(channel) }
            }
            .bind(host: host, port: port).get()
        return FaultProxy(serverChannel: channel, state: state)
    }

    /// Changes the plan.
    public func update(_ change: @escaping @Sendable (inout Plan) -> Void) async {
        let state = self.state
        try? await serverChannel.eventLoop.submit { state.value.update(change) }.get()
    }

    /// Cuts every open connection now (no AMQP close: the transport just goes).
    public func cutAll() async {
        let state = self.state
        try? await serverChannel.eventLoop.submit { state.value.cutAll() }.get()
    }

    /// Forwards nothing for `duration`, either way; what arrives meanwhile goes on after.
    public func stall(for duration: Duration) async {
        let state = self.state
        try? await serverChannel.eventLoop.submit { state.value.stall(for: duration) }.get()
    }

    /// Ends a stall now: what was held goes on.
    public func endStall() async {
        let state = self.state
        try? await serverChannel.eventLoop.submit { state.value.endStall() }.get()
    }

    public var statistics: Statistics {
        get async {
            let state = self.state
            return (try? await serverChannel.eventLoop.submit { state.value.statistics }.get()) ?? Statistics()
        }
    }

    /// Stops listening and cuts every connection.
    public func stop() async {
        try? await serverChannel.close()
        await cutAll()
    }
}
