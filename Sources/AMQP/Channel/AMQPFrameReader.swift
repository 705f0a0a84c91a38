import AMQPCore
import NIOCore

/// Turns the bytes read from the transport into protocol headers and frames, for
/// `AMQPConnectionHandler`. Frames wholly inside one read are slices of it (no copy); a frame
/// split across reads is gathered, once, into a buffer of exactly its size. Unlike a
/// cumulating decoder it never compacts or appends to a buffer whose bytes the frames (and
/// the messages in them) still share, which would copy it.
///
/// Undecodable input goes to `errorCaught` as the `AMQPDecodingError` (the handler closes
/// with `amqp:connection:framing-error`), and nothing after it is read.
public final class AMQPFrameReader: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = AMQPInbound

    private var decoder: AMQPFrameDecoder
    /// The start of a header or frame whose end has not arrived, in storage of its own.
    private var partial: ByteBuffer?
    private var failed = false

    public init(maxFrameSize: UInt32, limits: AMQPDecodingLimits = .default) {
        decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize, limits: limits)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        do {
            if partial != nil {
                guard try completePartial(context, from: &input) else { return }
            }
            while let item = try decoder.decodeItem(from: &input) {
                context.fireChannelRead(wrapInboundOut(item))
            }
            if input.readableBytes > 0 { keep(input) }
        } catch {
            failed = true
            partial = nil
            context.fireErrorCaught(error)
        }
    }

    /// Adds bytes from `input` to the partial item; when it is complete, passes it on.
    /// Returns whether it was completed (then `input` holds what follows it).
    private func completePartial(_ context: ChannelHandlerContext, from input: inout ByteBuffer) throws(AMQPDecodingError) -> Bool {
        var pending = partial!
        // The first four bytes tell the item's length (a header is 8 bytes).
        if pending.readableBytes < 4 {
            let missing = min(4 - pending.readableBytes, input.readableBytes)
            pending.writeImmutableBuffer(input.readSlice(length: missing)!)
        }
        if let total = Self.length(of: pending) {
            let missing = min(total - pending.readableBytes, input.readableBytes)
            if missing > 0 {
                pending.reserveCapacity(total)
                pending.writeImmutableBuffer(input.readSlice(length: missing)!)
            }
        }
        // The decoder checks the size (a frame over max-frame-size fails from its first four
        // bytes) and says nil while incomplete.
        guard let item = try decoder.decodeItem(from: &pending) else {
            partial = pending
            return false
        }
        partial = nil
        context.fireChannelRead(wrapInboundOut(item))
        return true
    }

    /// Keeps the tail of a read, copied into storage of its own sized for the whole item (so
    /// the read's buffer, which frames already passed on share, is never written to).
    private func keep(_ tail: ByteBuffer) {
        let total = Self.length(of: tail).map { max($0, tail.readableBytes) } ?? 8
        var own = ByteBuffer()
        own.reserveCapacity(total)
        own.writeImmutableBuffer(tail)
        partial = own
    }

    /// The whole length of the header or frame that starts `bytes`, once four bytes are there.
    private static func length(of bytes: ByteBuffer) -> Int? {
        guard let size = bytes.getInteger(at: bytes.readerIndex, as: UInt32.self) else { return nil }
        return size == AMQPProtocolHeader.magic ? AMQPProtocolHeader.length : Int(size)
    }
}

@available(*, unavailable)
extension AMQPFrameReader: Sendable {}
