import NIOCore
import NIOHTTP1

/// How the client asks for the WebSocket (RFC 6455 §4.1): the Service Bus defaults.
public struct WebSocketClientConfiguration: Sendable {
    /// The host named in the `Host` header (the server's, not a proxy's).
    public var host: String
    public var port: Int
    /// The request path; Service Bus listens on `/$servicebus/websocket`.
    public var path: String
    /// Offered in `Sec-WebSocket-Protocol`, most preferred first; the server must choose one.
    public var subprotocols: [String]
    /// Extra request headers (an `Authorization`, a `User-Agent`); never logged.
    public var extraHeaders: HTTPHeaders
    public var limits: WebSocketLimits

    public static let serviceBusPath = "/$servicebus/websocket"
    public static let amqpSubprotocol = "AMQPWSB10"

    public init(host: String, port: Int = 443, path: String = serviceBusPath,
                subprotocols: [String] = [amqpSubprotocol], extraHeaders: HTTPHeaders = [:],
                limits: WebSocketLimits = .default) {
        self.host = host
        self.port = port
        self.path = path
        self.subprotocols = subprotocols
        self.extraHeaders = extraHeaders
        self.limits = limits
    }

    /// `Host` carries the port unless it is the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port == 443 || port == 80 ? name : "\(name):\(port)"
    }
}
