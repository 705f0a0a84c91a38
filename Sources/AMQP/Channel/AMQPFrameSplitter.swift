import AMQPCore
import NIOCore

/// Turns the bytes read from the transport into protocol headers and frames. Frames wholly
/// inside one read are slices of it (no copy); a frame split across reads is gathered, once,
/// into a buffer of exactly its size. Unlike a cumulating decoder it never compacts or
/// appends to a buffer whose bytes the frames (and the messages in them) still share, which
/// would copy it.
///
/// `AMQPConnectionHandler` runs one on what it reads (no pipeline step per frame);
/// `AMQPFrameReader` puts one in a pipeline of its own.
public struct AMQPFrameSplitter {
    private var decoder: AMQPFrameDecoder
    /// The start of a header or frame whose end has not arrived, in storage of its own.
    private var partial: ByteBuffer?

    public init(maxFrameSize: UInt32, limits: AMQPDecodingLimits = .default) {
        decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize, limits: limits)
    }

    /// Passes each complete header and frame in `input` (after what earlier reads left) to
    /// `body`, in order, and keeps an incomplete tail for the next read. After an error,
    /// nothing more is decoded: the stream cannot be resynchronised.
    public mutating func split(_ input: ByteBuffer, _ body: (AMQPDecodedItem) -> Void) throws(AMQPDecodingError) {
        var input = input
        do {
            if partial != nil {
                guard let item = try completePartial(from: &input) else { return }
                body(item)
            }
            while let item = try decoder.decodeNext(from: &input) { body(item) }
            if input.readableBytes > 0 { keep(input) }
        } catch {
            partial = nil
            throw error
        }
    }

    /// Adds bytes from `input` to the partial item; returns it once complete (then `input`
    /// holds what follows it).
    private mutating func completePartial(from input: inout ByteBuffer) throws(AMQPDecodingError) -> AMQPDecodedItem? {
        var pending = partial!
        partial = nil
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
        guard let item = try decoder.decodeNext(from: &pending) else {
            partial = pending
            return nil
        }
        return item
    }

    /// Keeps the tail of a read, copied into storage of its own sized for the whole item (so
    /// the read's buffer, which frames already passed on share, is never written to).
    private mutating func keep(_ tail: ByteBuffer) {
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
extension AMQPFrameSplitter: Sendable {}
