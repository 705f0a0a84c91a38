import AMQPCore
import NIOCore

/// A pipeline step that turns bytes into protocol headers and frames (`AMQPFrameSplitter`),
/// one `channelRead` each, for handlers that work on frames. `AMQPConnectionHandler` does
/// not need it: it splits what it reads itself.
///
/// Undecodable input goes to `errorCaught` as the `AMQPDecodingError`, and nothing after it
/// is read.
public final class AMQPFrameReader: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = AMQPInbound

    private var splitter: AMQPFrameSplitter
    private var failed = false

    public init(maxFrameSize: UInt32, limits: AMQPDecodingLimits = .default) {
        splitter = AMQPFrameSplitter(maxFrameSize: maxFrameSize, limits: limits)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        do {
            try splitter.split(unwrapInboundIn(data)) { context.fireChannelRead(wrapInboundOut($0.inbound)) }
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }
}

@available(*, unavailable)
extension AMQPFrameReader: Sendable {}
