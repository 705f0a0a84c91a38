import NIOCore
import NIOHTTP1
import NIOWebSocket

extension WebSocketTransport {
    /// Server side, for a `ServerBootstrap` child channel (after TLS for `wss`): reads one
    /// HTTP request; upgrades it if its path is one of `configuration.paths` and it offers one
    /// of `configuration.subprotocols` (answered with the client's spelling of the first it
    /// offered); otherwise answers 404 (path) or 400 and closes. After the upgrade the HTTP
    /// handlers are gone and the bridge (server role: inbound frames must be masked) is in
    /// place; then the completion runs.
    ///
    /// Call it last in the child initializer. A refused request or a time-out calls the
    /// completion with the error and closes the channel.
    public static func configureServer(
        _ channel: Channel, configuration: WebSocketServerConfiguration = WebSocketServerConfiguration(),
        upgraded completion: @escaping WebSocketUpgradeCompletion
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        let outcome = UpgradeOutcome(channel: channel, completion: completion)
        let bound = NIOLoopBound(outcome, eventLoop: channel.eventLoop)
        let limits = configuration.limits
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: limits.maxFrameSize, automaticErrorHandling: false,
            shouldUpgrade: { channel, request in
                guard configuration.accepts(uri: request.uri),
                      let chosen = configuration.chosenSubprotocol(request.headers.tokens("Sec-WebSocket-Protocol"))
                else { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(["Sec-WebSocket-Protocol": chosen])
            },
            upgradePipelineHandler: { channel, request in
                channel.eventLoop.makeCompletedFuture {
                    let outcome = bound.value
                    guard !outcome.isFinished else { return }
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketBridge(role: .server, maxMessageSize: limits.maxMessageSize))
                    let chosen = configuration.chosenSubprotocol(request.headers.tokens("Sec-WebSocket-Protocol")) ?? ""
                    outcome.succeed(WebSocketUpgrade(subprotocol: chosen, path: request.uri, headers: request.headers))
                }
            })
        let limiter = HTTPHeadLimiter(limit: limits.maxHeadSize)
        let encoder = HTTPResponseEncoder()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
        let refuser = WebSocketUpgradeRefuser(configuration: configuration, outcome: outcome)
        let upgradeHandler = HTTPServerUpgradeHandler(
            upgraders: [upgrader], httpEncoder: encoder, extraHTTPHandlers: [limiter, decoder, refuser],
            upgradeCompletionHandler: { _ in })
        try pipeline.addHandlers([limiter, encoder, decoder, upgradeHandler, refuser])
        outcome.startTimer(limits.upgradeTimeout)
    }
}
