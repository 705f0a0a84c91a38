import AMQPTLS
import NIOCore
import NIOPosix

/// Copies every byte it reads to `peer`; closes `peer` when its own channel closes.
final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let peer: Channel

    init(peer: Channel) {
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
    }
}

/// A test-only HTTP CONNECT proxy: reads one head, checks `Proxy-Authorization` when
/// `credentials` is set (407 otherwise), connects to the target, answers 200, relays bytes.
final class ConnectHead: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let credentials: String?
    private var head = ByteBuffer()

    init(credentials: String?) {
        self.credentials = credentials
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        head.writeBuffer(&buffer)
        let text = String(buffer: head)
        guard text.contains("\r\n\r\n") else { return }
        let lines = text.components(separatedBy: "\r\n")
        let target = lines[0].split(separator: " ")[1]
        if let credentials {
            let expected = "Proxy-Authorization: Basic " + AMQPCrypto.base64Encoded(Array(credentials.utf8))
            guard lines.contains(expected) else {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")))
                    .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
        }
        let port = Int(target.split(separator: ":").last!)!
        let inbound = context.channel
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.pipeline.syncOperations.addHandler(Relay(peer: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let outbound):
                    try? context.pipeline.syncOperations.addHandler(Relay(peer: outbound))
                    context.writeAndFlush(handler.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n")), promise: nil)
                    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                case .failure:
                    context.close(promise: nil)
                }
            }
    }
}

func startTinyProxy(group: EventLoopGroup, credentials: String?) async throws -> Channel {
    try await ServerBootstrap(group: group)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ConnectHead(credentials: credentials))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
}
