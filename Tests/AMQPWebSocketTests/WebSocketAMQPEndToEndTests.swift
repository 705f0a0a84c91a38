import AMQP
import AMQPCore
@testable import AMQPWebSocket
import NIOCore
import NIOPosix
import Testing

/// The AMQP engine on both ends of our WebSocket: SASL ANONYMOUS, then both sides opened.
@Suite struct WebSocketAMQPEndToEndTests {
    @Test func bothEnginesReachOpenedOverTheWebSocket() async throws {
        let singleton = MultiThreadedEventLoopGroup.singleton.next()
        let serverOpened = singleton.makePromise(of: Void.self)
        let clientOpened = singleton.makePromise(of: Void.self)
        deadline(serverOpened)
        deadline(clientOpened)
        let loopback = try await Loopback.start { channel in
            let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "ws"))
            let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["ANONYMOUS"], verify: { _ in true }))
            handler.onEvent = { event in
                if case .opened = event { serverOpened.succeed(()) }
            }
            try channel.pipeline.syncOperations.addHandler(handler)
        }
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: { channel in
            let engine = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(containerID: "c"))
            let handler = AMQPConnectionHandler(engine: engine, sasl: .client([.anonymous()], hostname: nil))
            handler.onEvent = { event in
                if case .opened = event { clientOpened.succeed(()) }
            }
            try channel.pipeline.syncOperations.addHandler(handler)
        }
        _ = try await outcome.get().get()
        try await serverOpened.futureResult.get()
        try await clientOpened.futureResult.get()
        try await channel.close()
        try await loopback.stop()
    }
}
