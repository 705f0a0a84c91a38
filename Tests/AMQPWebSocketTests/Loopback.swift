@testable import AMQPWebSocket
import NIOCore
import NIOPosix
import NIOWebSocket

typealias UpgradeResult = Result<WebSocketUpgrade, WebSocketTransportError>

/// A server using `configureServer` with an echo handler after the bridge, and clients using
/// `configureClient`, on 127.0.0.1.
struct Loopback {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    /// The outcome of the first upgrade the server saw, and its child channel.
    let serverOutcome: EventLoopPromise<UpgradeResult>
    let serverChild: EventLoopPromise<Channel>
    var port: Int { server.localAddress?.port ?? 0 }

    static func start(_ configuration: WebSocketServerConfiguration = WebSocketServerConfiguration(),
                      afterUpgrade: @escaping @Sendable (Channel) throws -> Void = {
                          try $0.pipeline.syncOperations.addHandler(EchoHandler())
                      }) async throws -> Loopback {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let outcome = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: UpgradeResult.self)
        let child = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Channel.self)
        deadline(outcome)
        deadline(child)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                child.succeed(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try WebSocketTransport.configureServer(channel, configuration: configuration) { result in
                        outcome.succeed(result)
                        if case .success = result { try afterUpgrade(channel) }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return Loopback(group: group, server: server, serverOutcome: outcome, serverChild: child)
    }

    /// Connects a client; `afterUpgrade` adds what sits after the bridge.
    func connect(_ configure: (inout WebSocketClientConfiguration) -> Void = { _ in },
                 afterUpgrade: @escaping @Sendable (Channel) throws -> Void = { _ in })
        async throws -> (Channel, EventLoopFuture<UpgradeResult>) {
        var configuration = WebSocketClientConfiguration(host: "localhost", port: port)
        configure(&configuration)
        let outcome = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: UpgradeResult.self)
        deadline(outcome)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { [configuration] channel in
                channel.eventLoop.makeCompletedFuture {
                    try WebSocketTransport.configureClient(channel, configuration: configuration) { result in
                        if case .success = result { try afterUpgrade(channel) }
                        outcome.succeed(result)
                    }
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, outcome.futureResult)
    }

    func stop() async throws {
        try? await server.close()
        try await group.shutdownGracefully()
    }
}

extension Channel {
    /// Writes a frame as-is below the bridge (for frames the bridge would never send).
    func writeRawFrame(_ frame: WebSocketFrame) async throws {
        try await eventLoop.flatSubmit {
            do {
                let context = try self.pipeline.syncOperations.context(handlerType: WebSocketBridge.self)
                return context.writeAndFlush(NIOAny(frame))
            } catch {
                return self.eventLoop.makeFailedFuture(error)
            }
        }.get()
    }
}
