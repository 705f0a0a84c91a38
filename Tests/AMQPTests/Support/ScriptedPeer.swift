import AMQPCore
import NIOCore
import NIOPosix
@testable import AMQP

/// A server peer that misbehaves on cue, for the client's tests. By default it accepts every
/// link and every message; a script makes it close after the N-th message (settling it and
/// closing in the same turn, so the disposition and the close leave in one write), grant no
/// credit until told, go silent, or stop reading once the connection is open.
final class ScriptedPeer: Sendable {
    struct Script: Sendable {
        /// Accept every message; on the N-th, accept it and close the connection at once.
        var closeAfter: Int?
        var closeError: AMQPError?
        /// Credit for each sending peer, kept up; 0: none until `grant(_:)`.
        var prefetch: UInt32 = 1000
        /// Answer nothing at all: no protocol header, no SASL, no open.
        var silent = false
        /// Once both opens are exchanged, read nothing more (no begin, attach or close is
        /// answered).
        var muteAfterOpen = false

        static let acceptAll = Script()
        static func closeAfter(_ count: Int, error: AMQPError? = nil) -> Script {
            Script(closeAfter: count, closeError: error)
        }
    }

    /// What the peer saw, on its event loop.
    final class State {
        var received = 0
        var receivingLinks: [(AMQPConnectionHandler, LinkID)] = []
    }

    private let serverChannel: any Channel
    private let state: NIOLoopBound<State>
    var port: Int { serverChannel.localAddress?.port ?? 0 }

    private init(serverChannel: any Channel, state: NIOLoopBound<State>) {
        self.serverChannel = serverChannel
        self.state = state
    }

    static func start(_ script: Script = .acceptAll) async throws -> ScriptedPeer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let state = try await loop.submit { NIOLoopBound(State(), eventLoop: loop) }.get()
        let channel = try await ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if script.silent {
                        try channel.pipeline.syncOperations.addHandler(InputGate(open: false))
                        return
                    }
                    let gate = InputGate(open: true)
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "scripted-peer"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["ANONYMOUS"], verify: { _ in true }))
                    handler.onEvent = { [unowned handler] event in
                        Self.handle(event, script: script, handler: handler, gate: gate, state: state.value)
                    }
                    try channel.pipeline.syncOperations.addHandler(gate)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedPeer(serverChannel: channel, state: state)
    }

    private static func handle(_ event: ConnectionEngine.Event, script: Script, handler: AMQPConnectionHandler,
                               gate: InputGate, state: State) {
        switch event {
        case .opened:
            if script.muteAfterOpen { gate.open = false }
        case .linkRequested(let channel, let attach):
            guard let link = handler.perform({ $0.acceptLink(channel: channel, attach, prefetch: script.prefetch) }) else { return }
            if attach.role == .sender { state.receivingLinks.append((handler, link)) }
        case .deliveries(let link, let deliveries):
            let limit = script.closeAfter ?? Int.max
            let take = deliveries.prefix(max(0, limit - state.received))
            state.received += take.count
            handler.perform { engine in
                engine.consumed(take.count, on: link)
                _ = engine.settle(take.filter { !$0.settled }.map(\.deliveryID), on: link, state: .accepted(Accepted()))
                if state.received >= limit { engine.close(error: script.closeError) }
            }
        default:
            break
        }
    }

    /// How many messages it has taken.
    var received: Int {
        get async throws { try await serverChannel.eventLoop.submit { self.state.value.received }.get() }
    }

    /// Grants `credit` more to every link sending to it (manual credit, `prefetch: 0`).
    func grant(_ credit: UInt32) async throws {
        try await serverChannel.eventLoop.submit {
            for (handler, link) in self.state.value.receivingLinks {
                handler.perform { $0.grantCredit($0.linkCredit(on: link) + credit, on: link) }
            }
        }.get()
    }

    func stop() async {
        try? await serverChannel.close()
    }
}

/// Passes bytes on while open; once shut, drops everything the peer sends.
final class InputGate: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    /// Touched on the channel's event loop only.
    var open: Bool

    init(open: Bool) {
        self.open = open
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if open { context.fireChannelRead(data) }
    }
}
