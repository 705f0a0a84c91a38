import AMQPCore
import NIOCore
import NIOPosix
@testable import AMQP

/// A server peer that misbehaves on cue, for the client's tests: it accepts every link and
/// every message, and after the `closeAfter`-th message settles it and closes the connection
/// in the same turn, so the disposition and the close leave in one write (and usually
/// arrive in one read) — the case that once left a batch send waiting forever.
final class ScriptedPeer: Sendable {
    enum Script: Sendable {
        /// Accept every message; on the N-th, accept it and close the connection at once.
        case closeAfter(Int, error: AMQPError?)
        /// Answer nothing after the protocol header: no SASL mechanisms, no open.
        case silent
    }

    let serverChannel: any Channel
    var port: Int { serverChannel.localAddress?.port ?? 0 }

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
    }

    static func start(_ script: Script, prefetch: UInt32 = 1000) async throws -> ScriptedPeer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let channel = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .silent = script { return }
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "scripted-peer"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["ANONYMOUS"], verify: { _ in true }))
                    var received = 0
                    handler.onEvent = { [unowned handler] event in
                        switch event {
                        case .linkRequested(let channel, let attach):
                            _ = handler.perform { $0.acceptLink(channel: channel, attach, prefetch: prefetch) }
                        case .deliveries(let link, let deliveries):
                            guard case .closeAfter(let limit, let error) = script else { return }
                            let take = deliveries.prefix(max(0, limit - received))
                            received += take.count
                            handler.perform { engine in
                                engine.consumed(take.count, on: link)
                                _ = engine.settle(take.filter { !$0.settled }.map(\.deliveryID), on: link, state: .accepted(Accepted()))
                                if received >= limit { engine.close(error: error) }
                            }
                        default:
                            break
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedPeer(serverChannel: channel)
    }

    func stop() async {
        try? await serverChannel.close()
    }
}
