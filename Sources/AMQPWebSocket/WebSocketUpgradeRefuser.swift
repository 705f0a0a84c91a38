import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Server side: answers every request that was not upgraded (404 for another path, 400 for
/// a missing or unknown subprotocol, a plain GET, bad HTTP), then closes. Removed when the
/// upgrade succeeds.
final class WebSocketUpgradeRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let configuration: WebSocketServerConfiguration
    private let outcome: UpgradeOutcome
    private var answered = false

    init(configuration: WebSocketServerConfiguration, outcome: UpgradeOutcome) {
        self.configuration = configuration
        self.outcome = outcome
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let status: HTTPResponseStatus = configuration.accepts(uri: request.uri) ? .badRequest : .notFound
        refuse(context, status, WebSocketTransportError(code: .upgradeRefused, status: Int(status.code)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as WebSocketTransportError:
            outcome.fail(error)
        case is NIOWebSocketUpgradeError, is HTTPServerUpgradeErrors:
            // A refused upgrade: the request head follows and is answered then.
            break
        case is HTTPParserError:
            refuse(context, .badRequest, WebSocketTransportError(code: .invalidHTTP, detail: "\(error)"))
        default:
            outcome.fail(WebSocketTransportError(code: .closedDuringUpgrade, detail: "\(error)"))
        }
    }

    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ error: WebSocketTransportError) {
        guard !answered else { return }
        answered = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                      promise: nil)
        let outcome = self.outcome
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            outcome.fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.fail(WebSocketTransportError(code: .closedDuringUpgrade))
        context.fireChannelInactive()
    }
}

@available(*, unavailable) extension WebSocketUpgradeRefuser: Sendable {}
