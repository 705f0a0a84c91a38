import NIOCore
import NIOHTTP1

/// Sends the upgrade request (GET path, Host, extra headers; the upgrade handler before it
/// adds the WebSocket headers) once the channel is active, and turns whatever comes back
/// without an upgrade into a `WebSocketTransportError`. Removed when the upgrade succeeds.
final class WebSocketUpgradeRequester: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let configuration: WebSocketClientConfiguration
    private let outcome: UpgradeOutcome
    private var sent = false

    init(configuration: WebSocketClientConfiguration, outcome: UpgradeOutcome) {
        self.configuration = configuration
        self.outcome = outcome
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context)
        context.fireChannelActive()
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: configuration.hostHeader)
        for (name, value) in configuration.extraHeaders where !Self.reserved.contains(name.lowercased()) {
            headers.add(name: name, value: value)
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: configuration.path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Headers the upgrade itself sets; a caller's copy would make the request ambiguous.
    private static let reserved: Set<String> = [
        "host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
        "content-length", "transfer-encoding",
    ]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only a response that did not upgrade reaches this handler.
        guard case .head(let response) = unwrapInboundIn(data) else { return }
        let error: WebSocketTransportError
        if response.status != .switchingProtocols {
            error = WebSocketTransportError(code: .upgradeRefused, status: Int(response.status.code))
        } else if WebSocketClientUpgrader.chosen(response, offered: configuration.subprotocols) == nil {
            let chosen = response.headers.tokens("Sec-WebSocket-Protocol")
            error = WebSocketTransportError(
                code: .subprotocolNotAccepted, status: 101,
                detail: chosen.isEmpty ? "none chosen" : "chose \(chosen.joined(separator: ", ").prefix(100))")
        } else {
            error = WebSocketTransportError(code: .invalidUpgradeResponse, status: 101,
                                            detail: "wrong Sec-WebSocket-Accept or Upgrade header")
        }
        outcome.fail(error)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as WebSocketTransportError:
            outcome.fail(error)
        case is NIOHTTPClientUpgradeError:
            // The response follows and says why; if it does not, the close does.
            break
        case is HTTPParserError:
            outcome.fail(WebSocketTransportError(code: .invalidHTTP, detail: "\(error)"))
        default:
            outcome.fail(WebSocketTransportError(code: .closedDuringUpgrade, detail: "\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.fail(WebSocketTransportError(code: .closedDuringUpgrade))
        context.fireChannelInactive()
    }
}

@available(*, unavailable) extension WebSocketUpgradeRequester: Sendable {}
