import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Channel set-up for AMQP over WebSockets (the OASIS AMQP WebSocket binding, as Azure
/// Service Bus speaks it). Each function runs in a channel initializer, after TCP (and TLS
/// for `wss`), before the AMQP handler: it adds the HTTP upgrade, then the
/// `WebSocketBridge`, then calls the completion, where the AMQP handler is added.
public enum WebSocketTransport {}

extension WebSocketTransport {
    /// Client side: sends `GET path` with `Upgrade: websocket` and the subprotocols once the
    /// channel is active (at once if it is active already, after a proxy tunnel say), checks
    /// the 101 response (accept key, exactly one subprotocol of ours), removes the HTTP
    /// handlers and adds the bridge (client role: outbound frames masked).
    ///
    /// Call it last in the initializer (nothing added after it before the completion). A
    /// failed upgrade calls the completion with the error and closes the channel.
    public static func configureClient(
        _ channel: Channel, configuration: WebSocketClientConfiguration,
        upgraded completion: @escaping WebSocketUpgradeCompletion
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        let outcome = UpgradeOutcome(channel: channel, completion: completion)
        let bound = NIOLoopBound(outcome, eventLoop: channel.eventLoop)
        let limits = configuration.limits
        let offered = configuration.subprotocols
        let path = configuration.path
        let inner = NIOWebSocketClientUpgrader(maxFrameSize: limits.maxFrameSize, automaticErrorHandling: false) {
            channel, response in
            channel.eventLoop.makeCompletedFuture {
                let outcome = bound.value
                guard !outcome.isFinished else { return }
                try channel.pipeline.syncOperations.addHandler(
                    WebSocketBridge(role: .client, maxMessageSize: limits.maxMessageSize))
                let chosen = WebSocketClientUpgrader.chosen(response, offered: offered) ?? offered.first ?? ""
                outcome.succeed(WebSocketUpgrade(subprotocol: chosen, path: path, headers: response.headers))
            }
        }
        let limiter = HTTPHeadLimiter(limit: limits.maxHeadSize)
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let requester = WebSocketUpgradeRequester(configuration: configuration, outcome: outcome)
        let upgrader = WebSocketClientUpgrader(inner: inner, offered: offered)
        let upgradeHandler = NIOHTTPClientUpgradeHandler(
            upgraders: [upgrader], httpHandlers: [limiter, encoder, decoder, requester],
            upgradeCompletionHandler: { _ in })
        try pipeline.addHandlers([limiter, encoder, decoder, upgradeHandler, requester])
        outcome.startTimer(limits.upgradeTimeout)
    }
}
