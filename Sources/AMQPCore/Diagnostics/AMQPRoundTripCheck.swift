import NIOCore

/// The invariants the fuzz targets (`Fuzz/`) check, and the tests replay on `Fuzz/FailCases/`
/// and the seeds: whatever decodes must re-encode, and the re-encoding must decode to an equal
/// value (`AMQPValue` equality is representational). Input rejected with an
/// `AMQPDecodingError` is fine: that is what garbage should get.
///
/// Each check returns nil when the input is fine and a description of the violation otherwise.
/// Not API: reach it with `@_spi(RoundTripChecks) import AMQPCore`.
@_spi(RoundTripChecks)
public enum AMQPRoundTripCheck {
    // MARK: Values

    /// One `AMQPValue`: decode, skip (must agree), encode, decode again, encode again.
    public static func checkValue(_ input: ByteBuffer) -> String? {
        guard let value = try? AMQPValue(decoding: input) else { return nil }
        // The message view skips sections it does not decode yet: skipping must accept all
        // that reading accepts, and stop at the same byte.
        var skipper = AMQPDecoder(buffer: input)
        do {
            try skipper.skipValue()
        } catch {
            return "skipValue rejects a value that readValue accepts: \(error)\n\(show(value))"
        }
        guard skipper.isAtEnd else {
            return "skipValue stops at offset \(skipper.offset), readValue at \(input.readableBytes)"
        }
        let encoded = value.encoded()
        let again: AMQPValue
        do {
            again = try AMQPValue(decoding: encoded)
        } catch {
            return "re-encoded value does not decode: \(error)\n\(show(value))\nre-encoded: \(hex(encoded))"
        }
        guard again == value else {
            return "re-encoded value decodes differently\nfirst:  \(show(value))\nsecond: \(show(again))"
        }
        guard again.encoded() == encoded else { return "encoding is not stable: \(hex(encoded))" }
        var behind = bufferWithRoom(for: encoded)
        behind.writeAMQPValue(value)
        guard behind.readableBytesView.dropFirst().elementsEqual(encoded.readableBytesView) else {
            return "encoding behind other bytes, with \(behind.capacity) bytes of capacity, differs: \(hex(behind))"
        }
        return nil
    }

    /// A buffer holding one byte, with room for some fraction of `encoded` (the raw writer
    /// counts past the end of a buffer that is too small, then grows it and writes again).
    static func bufferWithRoom(for encoded: ByteBuffer) -> ByteBuffer {
        let fraction = Int(encoded.readableBytesView.last ?? 0) % 5
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 + encoded.readableBytes * fraction / 4)
        buffer.writeInteger(UInt8(0xAA))
        return buffer
    }

    // MARK: Frames

    /// A byte stream of protocol headers and frames, decoded until the decoder needs more
    /// bytes or throws. Fed in two pieces it must decode alike; what decoded must re-encode
    /// and decode to equal frames.
    public static func checkFrames(_ input: ByteBuffer) -> String? {
        let whole = decodeStream([input], maxFrameSize: 1024 * 1024)
        // The engine's entry (transfers as their parts, through the fast path) reads the same.
        let direct = decodeStream([input], maxFrameSize: 1024 * 1024, direct: true)
        guard direct.items == whole.items, direct.error == whole.error else {
            return "decodeNext reads differently: \(direct.items.count) items, error \(String(describing: direct.error)); "
                + "decodeItem: \(whole.items.count) items, error \(String(describing: whole.error))"
        }
        if input.readableBytes > 1 {
            let last = Int(input.getInteger(at: input.writerIndex - 1, as: UInt8.self)!)
            let cut = 1 + last % (input.readableBytes - 1)
            let pieces = [input.getSlice(at: input.readerIndex, length: cut)!,
                          input.getSlice(at: input.readerIndex + cut, length: input.readableBytes - cut)!]
            let split = decodeStream(pieces, maxFrameSize: 1024 * 1024)
            guard split.items == whole.items, split.error == whole.error else {
                return "input split at \(cut) decodes differently: \(split.items.count) items, error \(String(describing: split.error)); "
                    + "whole: \(whole.items.count) items, error \(String(describing: whole.error))"
            }
        }
        guard !whole.items.isEmpty else { return nil }
        let encoded = encodeStream(whole.items)
        // Re-encoding may legitimately grow a frame (e.g. arrays of 0x41 booleans become 0x56
        // arrays), so it is read back with the largest frame size the decoder allows.
        let again = decodeStream([encoded], maxFrameSize: AMQPFrameDecoder.absoluteMaxFrameSize)
        if let error = again.error {
            return "re-encoded stream does not decode: \(error)\n\(show(whole.items))\nre-encoded: \(hex(encoded))"
        }
        guard again.leftover == 0 else { return "re-encoded stream leaves \(again.leftover) bytes: \(hex(encoded))" }
        guard again.items == whole.items else {
            return "re-encoded stream decodes differently\nfirst:  \(show(whole.items))\nsecond: \(show(again.items))"
        }
        guard encodeStream(again.items) == encoded else { return "encoding is not stable: \(hex(encoded))" }
        return nil
    }

    static func decodeStream(_ pieces: [ByteBuffer], maxFrameSize: UInt32, direct: Bool = false)
        -> (items: [AMQPInbound], error: AMQPDecodingError?, leftover: Int)
    {
        var decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize)
        var buffer = ByteBuffer()
        var items: [AMQPInbound] = []
        for var piece in pieces {
            buffer.writeBuffer(&piece)
            do {
                if direct {
                    while let item = try decoder.decodeNext(from: &buffer) { items.append(item.inbound) }
                } else {
                    while let item = try decoder.decodeItem(from: &buffer) { items.append(item) }
                }
            } catch {
                return (items, error, buffer.readableBytes)
            }
        }
        return (items, nil, buffer.readableBytes)
    }

    static func encodeStream(_ items: [AMQPInbound]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for item in items {
            switch item {
            case .header(let header): buffer.writeAMQPProtocolHeader(header)
            case .frame(let frame): buffer.writeAMQPFrame(frame)
            }
        }
        return buffer
    }

    // MARK: Messages

    /// An encoded message: the lazy view, then every section decoded; the message must
    /// re-encode (both ways) and decode to an equal message.
    public static func checkMessage(_ input: ByteBuffer) -> String? {
        let view: AMQPMessageView
        let message: AMQPMessage
        do {
            view = try AMQPMessageView(decoding: input)
            message = try view.decodeMessage()
        } catch {
            return nil
        }
        if let data = view.data {
            guard case .data(let body) = message.body, body == data else {
                return "the view's data slice differs from the decoded body: \(show(message.body))"
            }
        }
        let encoded = message.encoded()
        let again: AMQPMessage
        do {
            again = try AMQPMessage(decoding: encoded)
        } catch {
            return "re-encoded message does not decode: \(error)\n\(show(message))\nre-encoded: \(hex(encoded))"
        }
        guard again == message else {
            return "re-encoded message decodes differently\nfirst:  \(show(message))\nsecond: \(show(again))"
        }
        guard again.encoded() == encoded else { return "encoding is not stable: \(hex(encoded))" }
        var behind = bufferWithRoom(for: encoded)
        message.encode(into: &behind)
        guard behind.readableBytesView.dropFirst().elementsEqual(encoded.readableBytesView) else {
            return "encoding behind other bytes, with \(behind.capacity) bytes of capacity, differs: \(hex(behind))"
        }
        var scratch = ByteBuffer()
        let parts = message.encodeParts(into: &scratch, bodyThreshold: 0).joined()
        guard parts == encoded else { return "encodeParts differs from encode: \(hex(parts)) vs \(hex(encoded))" }
        return nil
    }

    // MARK: Descriptions

    /// At most 512 bytes in hex.
    public static func hex(_ buffer: ByteBuffer) -> String {
        let bytes = buffer.readableBytesView
        let shown = bytes.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return bytes.count > 512 ? shown + "… (\(bytes.count) bytes)" : shown
    }

    /// A value's description, cut to 2,000 characters.
    static func show(_ value: Any) -> String {
        let text = String(describing: value)
        return text.count > 2000 ? String(text.prefix(2000)) + "…" : text
    }
}
