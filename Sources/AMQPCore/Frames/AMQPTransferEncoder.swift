import NIOCore

/// Frames a delivery's message bytes as one or more transfer frames (spec 2.6.12, 2.7.5).
///
/// Frame headers and performatives are written into the caller's outgoing buffer. A payload
/// piece of at least `copyThreshold` bytes is not copied: the encoder hands the bytes
/// accumulated so far to `emit`, then the piece itself (a slice of the caller's buffer), so a
/// channel can write both with one gathering write. Smaller pieces are copied, which is cheaper
/// than an extra I/O vector.
public struct AMQPTransferEncoder: Sendable {
    /// The peer's max-frame-size.
    public var maxFrameSize: Int
    public var copyThreshold: Int

    public init(maxFrameSize: UInt32, copyThreshold: Int = 4096) {
        self.maxFrameSize = Int(min(maxFrameSize, UInt32(Int32.max)))
        self.copyThreshold = copyThreshold
    }

    public struct FrameTooSmall: Error, Hashable, Sendable {
        public var maxFrameSize: Int
        public var performativeLength: Int
    }

    /// Writes the transfer frames for `transfer` carrying `message`.
    ///
    /// When the message does not fit one frame, every frame but the last carries `more = true`;
    /// the last one carries `transfer.more`. Returns the number of frames written.
    @discardableResult
    public func writeTransfer(
        _ transfer: Transfer,
        channel: UInt16,
        message: AMQPEncodedMessage,
        into out: inout ByteBuffer,
        emit: (ByteBuffer) -> Void
    ) throws(FrameTooSmall) -> Int {
        var remaining = message.count
        var parts = (message.head, message.body, message.tail)
        let singleStart = out.startAMQPFrame(channel: channel)
        transfer.writeAMQP(into: &out)
        let overhead = out.writerIndex - singleStart
        if overhead + remaining <= maxFrameSize {
            out.finishAMQPFrame(sizeAt: singleStart, extra: remaining)
            writePayload(&parts, count: remaining, into: &out, emit: emit)
            return 1
        }
        out.moveWriterIndex(to: singleStart)
        var continued = transfer
        continued.more = true
        var frames = 0
        while remaining > 0 {
            let start = out.startAMQPFrame(channel: channel)
            continued.writeAMQP(into: &out)
            let capacity = maxFrameSize - (out.writerIndex - start)
            guard capacity > 0 else {
                throw FrameTooSmall(maxFrameSize: maxFrameSize, performativeLength: out.writerIndex - start)
            }
            if remaining <= capacity {
                // Last frame: rewrite with the caller's `more` (never longer than with `more = true`).
                out.moveWriterIndex(to: start)
                _ = out.startAMQPFrame(channel: channel)
                transfer.writeAMQP(into: &out)
            }
            let chunk = min(capacity, remaining)
            out.finishAMQPFrame(sizeAt: start, extra: chunk)
            writePayload(&parts, count: chunk, into: &out, emit: emit)
            remaining -= chunk
            frames += 1
        }
        return frames
    }

    /// Moves `count` bytes from the front of `parts` to the output.
    private func writePayload(
        _ parts: inout (ByteBuffer, ByteBuffer, ByteBuffer),
        count: Int,
        into out: inout ByteBuffer,
        emit: (ByteBuffer) -> Void
    ) {
        var needed = count
        while needed > 0 {
            let piece: ByteBuffer
            if parts.0.readableBytes > 0 {
                piece = parts.0.readSlice(length: min(needed, parts.0.readableBytes))!
            } else if parts.1.readableBytes > 0 {
                piece = parts.1.readSlice(length: min(needed, parts.1.readableBytes))!
            } else {
                piece = parts.2.readSlice(length: min(needed, parts.2.readableBytes))!
            }
            needed -= piece.readableBytes
            if piece.readableBytes >= copyThreshold {
                if out.readableBytes > 0 { emit(out.readSlice(length: out.readableBytes)!) }
                emit(piece)
            } else {
                out.writeImmutableBuffer(piece)
            }
        }
    }
}
