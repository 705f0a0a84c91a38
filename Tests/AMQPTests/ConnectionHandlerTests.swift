import AMQPCore
import NIOCore
import NIOPosix
import Testing
@testable import AMQP

/// Our client and our listener over real TCP on 127.0.0.1, through the NIO handler: SASL
/// PLAIN, open, begin, attach, 200 deliveries accepted, close.
@Suite struct ConnectionHandlerTests {
    struct TimedOut: Error {}

    /// Fails `promise` if nothing completes it within `seconds`, so that a broken exchange
    /// fails the test instead of hanging it.
    static func deadline<T>(_ promise: EventLoopPromise<T>, seconds: Int64 = 20) {
        promise.futureResult.eventLoop.scheduleTask(in: .seconds(seconds)) { promise.fail(TimedOut()) }
    }

    static func pipeline(_ channel: Channel, _ handler: AMQPConnectionHandler) throws {
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    @Test func clientAndListenerOverLoopback() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let received = group.next().makePromise(of: Int.self)
        let accepted = group.next().makePromise(of: Int.self)
        let closed = group.next().makePromise(of: AMQPConnectionError?.self)
        let total = 200

        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "listener"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["PLAIN", "ANONYMOUS"]) { presented in
                        presented == .plain(authorizationID: "", username: "user", password: "pass")
                    })
                    var count = 0
                    handler.onEvent = { [unowned handler] event in
                        switch event {
                        case .linkRequested(let channel, let attach):
                            _ = handler.perform { $0.acceptLink(channel: channel, attach, prefetch: 50) }
                        case .deliveries(let link, let deliveries):
                            count += deliveries.count
                            handler.perform { engine in
                                engine.consumed(deliveries.count, on: link)
                                _ = engine.settle(deliveries.map(\.deliveryID), on: link, state: .accepted(Accepted()))
                            }
                            if count == total { received.succeed(count) }
                        default:
                            break
                        }
                    }
                    try Self.pipeline(channel, handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(containerID: "client", hostname: "localhost"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .client([.plain(username: "user", password: "pass")], hostname: "localhost"))
                    var outcomes = 0
                    var sent = false
                    handler.onEvent = { [unowned handler] event in
                        switch event {
                        case .opened:
                            _ = handler.perform { $0.beginSession() }
                        case .sessionBegun(let channel):
                            _ = handler.perform {
                                $0.attachLink(channel: channel, name: "sender", role: .sender, source: Source(address: "client"),
                                              target: Target(address: "queue"))
                            }
                        case .creditAvailable(let link, _) where !sent:
                            sent = true
                            handler.perform { engine in
                                for index in 0..<total {
                                    let message = AMQPMessage(data: ByteBuffer(string: "message \(index)")).encoded()
                                    engine.send(message, tag: ByteBuffer(integer: UInt32(index)), on: link)
                                }
                            }
                        case .outcomes(_, _, _, let count, .accepted?, true):
                            outcomes += count
                            if outcomes == total {
                                accepted.succeed(outcomes)
                                handler.perform { $0.close() }
                            }
                        case .closeTransport(let error):
                            closed.succeed(error)
                        default:
                            break
                        }
                    }
                    try Self.pipeline(channel, handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        // The deadlines start once the exchange runs on the event loop: time the test's own
        // task waits for a thread (other tests keep them busy) does not count.
        for promise in [received, accepted] { Self.deadline(promise) }
        Self.deadline(closed)

        #expect(try await received.futureResult.get() == total)
        #expect(try await accepted.futureResult.get() == total)
        #expect(try await closed.futureResult.get() == nil)
        try? await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test func wrongPasswordIsASASLFailureNotAHang() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientClosed = group.next().makePromise(of: AMQPConnectionError?.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "listener"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["PLAIN"]) { _ in false })
                    try Self.pipeline(channel, handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(containerID: "client"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .client([.plain(username: "user", password: "wrong-secret")], hostname: nil))
                    handler.onEvent = { event in
                        if case .closeTransport(let error) = event { clientClosed.succeed(error) }
                    }
                    try Self.pipeline(channel, handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        Self.deadline(clientClosed)
        let error = try await clientClosed.futureResult.get()
        #expect(error?.code == .sasl)
        #expect(!"\(String(describing: error))".contains("wrong-secret"))
        try? await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }
}
