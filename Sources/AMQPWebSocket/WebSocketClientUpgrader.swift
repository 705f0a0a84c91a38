import NIOCore
import NIOHTTP1
import NIOWebSocket

/// NIO's WebSocket client upgrader plus the subprotocol: offers ours in
/// `Sec-WebSocket-Protocol` and refuses a 101 that does not choose one of them.
struct WebSocketClientUpgrader: NIOHTTPClientProtocolUpgrader {
    let inner: NIOWebSocketClientUpgrader
    let offered: [String]

    var supportedProtocol: String { inner.supportedProtocol }
    var requiredUpgradeHeaders: [String] { inner.requiredUpgradeHeaders }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        inner.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
        upgradeRequestHeaders.add(name: "Sec-WebSocket-Protocol", value: offered.joined(separator: ", "))
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        Self.chosen(upgradeResponse, offered: offered) != nil && inner.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(context: ChannelHandlerContext, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<Void> {
        inner.upgrade(context: context, upgradeResponse: upgradeResponse)
    }

    /// The one subprotocol the server chose, if it is one we offered (RFC 6455 §4.1: exactly one).
    static func chosen(_ response: HTTPResponseHead, offered: [String]) -> String? {
        let chosen = response.headers.tokens("Sec-WebSocket-Protocol")
        guard chosen.count == 1, let name = chosen.first,
              let match = offered.first(where: { $0.lowercased() == name.lowercased() }) else { return nil }
        return match
    }
}
