@testable import AMQPWebSocket
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Testing

/// What our client refuses from servers other than ours.
@Suite struct WebSocketClientRefusalTests {
    /// NIO's own WebSocket server, which answers 101 without choosing a subprotocol.
    @Test func serverThatChoosesNoSubprotocolIsRefused() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let loopback = Loopback(group: group, server: server,
                                serverOutcome: MultiThreadedEventLoopGroup.singleton.next().makePromise(),
                                serverChild: MultiThreadedEventLoopGroup.singleton.next().makePromise())
        loopback.serverOutcome.succeed(.failure(WebSocketTransportError(code: .closedDuringUpgrade)))
        loopback.serverChild.fail(TimedOut())
        let (channel, outcome) = try await loopback.connect()
        guard case .failure(let error) = try await outcome.get() else { Issue.record("upgraded"); return }
        #expect(error.code == .subprotocolNotAccepted)
        try await channel.closeFuture.get()
        try await loopback.stop()
    }

    /// A server that accepts TCP and never answers: the upgrade time limit closes the channel.
    @Test func silentServerTimesOut() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let loopback = Loopback(group: group, server: server,
                                serverOutcome: MultiThreadedEventLoopGroup.singleton.next().makePromise(),
                                serverChild: MultiThreadedEventLoopGroup.singleton.next().makePromise())
        loopback.serverOutcome.succeed(.failure(WebSocketTransportError(code: .closedDuringUpgrade)))
        loopback.serverChild.fail(TimedOut())
        let (channel, outcome) = try await loopback.connect {
            $0.limits = WebSocketLimits(maxFrameSize: 1 << 20, maxMessageSize: 1 << 20, maxHeadSize: 16_384,
                                        upgradeTimeout: .milliseconds(200))
        }
        guard case .failure(let error) = try await outcome.get() else { Issue.record("upgraded"); return }
        #expect(error.code == .upgradeTimeout)
        try await channel.closeFuture.get()
        try await loopback.stop()
    }

    /// A request head over the server's limit is not read to its end.
    @Test func oversizeRequestHeadIsRefused() async throws {
        let limits = WebSocketLimits(maxFrameSize: 1 << 20, maxMessageSize: 1 << 20, maxHeadSize: 1024,
                                     upgradeTimeout: .seconds(5))
        let loopback = try await Loopback.start(WebSocketServerConfiguration(limits: limits))
        let (channel, outcome) = try await loopback.connect {
            $0.extraHeaders = ["X-Padding": String(repeating: "a", count: 4096)]
        }
        guard case .failure = try await outcome.get() else { Issue.record("upgraded"); return }
        guard case .failure(let serverError) = try await loopback.serverOutcome.futureResult.get() else {
            Issue.record("server upgraded"); return
        }
        #expect(serverError.code == .headTooLarge)
        try await channel.closeFuture.get()
        try await loopback.stop()
    }
}
