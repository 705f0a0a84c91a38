import NIOCore

/// The AMQP TLS layer's header exchange (spec 5.2.1), server side: a client that opens with
/// `AMQP 2 1.0.0` gets the same header back, then TLS (this handler puts an `OpenSSLHandler`
/// in its place); a client that opens with any other header goes on without TLS, its bytes
/// passed on untouched. Plain and TLS on one port.
public final class TLSHeaderResponder: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let makeTLS: () -> OpenSSLHandler
    private var received = ByteBuffer()
    private var done = false

    public init(makeTLS: @escaping () -> OpenSSLHandler) {
        self.makeTLS = makeTLS
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard received.readableBytes >= 8 else { return }
        done = true
        let header = received.getBytes(at: received.readerIndex, length: 8)!
        guard header == TLSHeaderNegotiator.header else {
            // Not TLS: everything read so far belongs to the layers above.
            let bytes = received
            received = ByteBuffer()
            context.fireChannelRead(wrapInboundOut(bytes))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        received.moveReaderIndex(forwardBy: 8)
        // The client waits for our header before its ClientHello: nothing may follow yet.
        guard received.readableBytes == 0 else {
            context.fireErrorCaught(TLSError(code: .handshakeFailed, detail: "the client sent data before the TLS handshake"))
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: TLSHeaderNegotiator.header)), promise: nil)
        do {
            try context.pipeline.syncOperations.addHandler(makeTLS(), position: .before(self))
        } catch {
            context.fireErrorCaught(TLSError(code: .handshakeFailed, detail: "\(error)"))
            context.close(promise: nil)
            return
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension TLSHeaderResponder: Sendable {}
