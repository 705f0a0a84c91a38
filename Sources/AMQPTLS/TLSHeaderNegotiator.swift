import NIOCore

/// The AMQP TLS layer's header exchange (spec 5.2.1), client side: sends `AMQP 2 1.0.0`,
/// waits for the same header back, then puts TLS in its place and lets through what the
/// layers above wrote meanwhile (which TLS then encrypts). A different answer fails the
/// channel with `handshakeFailed`.
public final class TLSHeaderNegotiator: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// `AMQP 2 1.0.0`: the protocol header of the TLS layer.
    public static let header: [UInt8] = Array("AMQP".utf8) + [2, 1, 0, 0]

    private let makeTLS: () -> OpenSSLHandler
    private var received = ByteBuffer()
    private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var done = false

    public init(makeTLS: @escaping () -> OpenSSLHandler) {
        self.makeTLS = makeTLS
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendHeader(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        sendHeader(context)
        context.fireChannelActive()
    }

    private func sendHeader(_ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Self.header)), promise: nil)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !done else { return context.write(data, promise: promise) }
        held.append((unwrapOutboundIn(data), promise))
    }

    public func flush(context: ChannelHandlerContext) {
        if done { context.flush() }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard received.readableBytes >= 8 else { return }
        let answer = received.readBytes(length: 8)!
        guard answer == Self.header else {
            return fail(context, "the peer answered the AMQP TLS header with \(answer)")
        }
        // The client speaks first in TLS: the server has nothing more to say yet.
        guard received.readableBytes == 0 else { return fail(context, "the peer sent data before the TLS handshake") }
        done = true
        // TLS goes between this handler and the socket: what is held now goes through it.
        let tls = makeTLS()
        do {
            try context.pipeline.syncOperations.addHandler(tls, position: .before(self))
        } catch {
            return fail(context, "\(error)")
        }
        for (plaintext, promise) in held { context.write(wrapOutboundOut(plaintext), promise: promise) }
        held = []
        context.flush()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ detail: String) {
        for (_, promise) in held { promise?.fail(TLSError(code: .handshakeFailed, detail: detail)) }
        held = []
        context.fireErrorCaught(TLSError(code: .handshakeFailed, detail: detail))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TLSHeaderNegotiator: Sendable {}
