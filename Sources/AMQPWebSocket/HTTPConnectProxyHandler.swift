import AMQPTLS
import NIOCore

/// Where and how to tunnel through an HTTP proxy (RFC 9110 §9.3.6 CONNECT).
public struct HTTPProxyConfiguration: Sendable {
    /// The destination the proxy connects to (the server's host and port, not the proxy's).
    public var targetHost: String
    public var targetPort: Int
    /// Sent as `Proxy-Authorization: Basic …`; never logged or described.
    public var username: String?
    public var password: String?
    public var limits: WebSocketLimits

    public init(targetHost: String, targetPort: Int, username: String? = nil, password: String? = nil,
                limits: WebSocketLimits = .default) {
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.username = username
        self.password = password
        self.limits = limits
    }

    var authority: String {
        let host = targetHost.contains(":") && !targetHost.hasPrefix("[") ? "[\(targetHost)]" : targetHost
        return "\(host):\(targetPort)"
    }
}

/// Sends one CONNECT once the channel is active, waits for a 2xx, then removes itself and
/// calls the completion (where TLS and the WebSocket upgrade are added). Anything else
/// fails the completion (407: `proxyAuthenticationRequired`) and closes the channel.
final class HTTPConnectProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let configuration: HTTPProxyConfiguration
    private var completion: ((Result<Void, WebSocketTransportError>) throws -> Void)?
    private var received = ByteBuffer()
    private var sent = false
    private var timer: Scheduled<Void>?

    init(configuration: HTTPProxyConfiguration,
         completion: @escaping (Result<Void, WebSocketTransportError>) throws -> Void) {
        self.configuration = configuration
        self.completion = completion
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.limits.upgradeTimeout) {
            self.finish(context, .failure(WebSocketTransportError(code: .upgradeTimeout, detail: "proxy CONNECT")))
        }
        if context.channel.isActive { sendConnect(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context)
        context.fireChannelActive()
    }

    private func sendConnect(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        var request = "CONNECT \(configuration.authority) HTTP/1.1\r\nHost: \(configuration.authority)\r\n"
        if let username = configuration.username {
            let token = AMQPCrypto.base64Encoded(Array("\(username):\(configuration.password ?? "")".utf8))
            request += "Proxy-Authorization: Basic \(token)\r\n"
        }
        request += "\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard completion != nil else { return }
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        let view = received.readableBytesView
        guard let end = Self.headEnd(view) else {
            if received.readableBytes > configuration.limits.maxHeadSize {
                finish(context, .failure(WebSocketTransportError(code: .headTooLarge, detail: "proxy response")))
            }
            return
        }
        let head = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        let parts = head.prefix { $0 != "\r" }.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            return finish(context, .failure(WebSocketTransportError(code: .invalidHTTP, detail: "proxy status line")))
        }
        guard (200..<300).contains(status) else {
            let code: WebSocketTransportError.Code = status == 407 ? .proxyAuthenticationRequired : .proxyRefused
            return finish(context, .failure(WebSocketTransportError(code: code, status: status)))
        }
        received.moveReaderIndex(forwardBy: end + 4 - view.startIndex)
        let leftover = received
        finish(context, .success(()))
        if leftover.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(leftover)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The index where "\r\n\r\n" begins, if the head is complete.
    private static func headEnd(_ view: ByteBufferView) -> Int? {
        guard view.count >= 4 else { return nil }
        var index = view.startIndex
        while index + 3 < view.endIndex {
            if view[index] == 13, view[index + 1] == 10, view[index + 2] == 13, view[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(WebSocketTransportError(code: .closedDuringUpgrade, detail: "proxy CONNECT")))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<Void, WebSocketTransportError>) {
        guard let completion else { return }
        self.completion = nil
        timer?.cancel()
        do {
            try completion(result)
            if case .failure = result { context.close(promise: nil) }
        } catch {
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable) extension HTTPConnectProxyHandler: Sendable {}

extension WebSocketTransport {
    /// HTTP CONNECT tunnel, first in a `ClientBootstrap` initializer that connected to the
    /// proxy: once the proxy answers 2xx its handler is gone and the completion runs on the
    /// event loop, where TLS and `configureClient` are added. A refusal or time-out calls the
    /// completion with the error and closes the channel.
    public static func configureProxyTunnel(
        _ channel: Channel, configuration: HTTPProxyConfiguration,
        connected completion: @escaping (Result<Void, WebSocketTransportError>) throws -> Void
    ) throws {
        try channel.pipeline.syncOperations.addHandler(
            HTTPConnectProxyHandler(configuration: configuration, completion: completion))
    }
}
