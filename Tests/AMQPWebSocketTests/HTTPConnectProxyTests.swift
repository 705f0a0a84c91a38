@testable import AMQPWebSocket
import NIOCore
import NIOPosix
import Testing

/// The CONNECT tunnel before the WebSocket upgrade, through a tiny in-test proxy.
@Suite struct HTTPConnectProxyTests {
    static func connect(_ loopback: Loopback, proxyPort: Int, username: String?, password: String?,
                        taps: Taps) async throws -> EventLoopFuture<UpgradeResult> {
        let outcome = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: UpgradeResult.self)
        deadline(outcome)
        let proxy = HTTPProxyConfiguration(targetHost: "127.0.0.1", targetPort: loopback.port,
                                           username: username, password: password)
        let websocket = WebSocketClientConfiguration(host: "localhost", port: loopback.port)
        _ = try await ClientBootstrap(group: loopback.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try WebSocketTransport.configureProxyTunnel(channel, configuration: proxy) { tunnel in
                        switch tunnel {
                        case .success:
                            try WebSocketTransport.configureClient(channel, configuration: websocket) { result in
                                if case .success = result {
                                    try channel.pipeline.syncOperations.addHandler(Collector(expected: 4, taps: taps))
                                    channel.writeAndFlush(ByteBuffer(string: "ping"), promise: nil)
                                }
                                outcome.succeed(result)
                            }
                        case .failure(let error):
                            outcome.succeed(.failure(error))
                        }
                    }
                }
            }
            .connect(host: "127.0.0.1", port: proxyPort).get()
        return outcome.futureResult
    }

    @Test func tunnelWithCredentialsThenWebSocketEcho() async throws {
        let loopback = try await Loopback.start()
        let proxy = try await startTinyProxy(group: loopback.group, credentials: "user:secret")
        let taps = Taps()
        let outcome = try await Self.connect(loopback, proxyPort: proxy.localAddress!.port!, username: "user",
                                             password: "secret", taps: taps)
        #expect(try await outcome.get().get().subprotocol == "AMQPWSB10")
        #expect(String(buffer: try await taps.done.futureResult.get()) == "ping")
        try await proxy.close()
        try await loopback.stop()
    }

    @Test func wrongCredentialsAre407() async throws {
        let loopback = try await Loopback.start()
        let proxy = try await startTinyProxy(group: loopback.group, credentials: "user:secret")
        let outcome = try await Self.connect(loopback, proxyPort: proxy.localAddress!.port!, username: "user",
                                             password: "wrong", taps: Taps())
        guard case .failure(let error) = try await outcome.get() else { Issue.record("tunnelled"); return }
        #expect(error.code == .proxyAuthenticationRequired)
        #expect(error.status == 407)
        #expect(!"\(error)".contains("wrong"))
        try await proxy.close()
        try await loopback.stop()
    }
}
