import NIOCore

/// How `AMQPStreamDescriber` reads its input.
public enum AMQPInputLayout: String, Sendable, CaseIterable {
    case auto, frames, message, values
}

/// Describes AMQP bytes line by line, as `amqp decode` prints them: protocol headers, frames
/// with their performatives and fields by spec name, transfer payloads as messages (reassembled
/// across frames), and plain values. Stops at the first decoding error, keeping what it had.
public struct AMQPStreamDescriber {
    public let formatter: AMQPFormatter
    /// The description so far.
    public private(set) var lines: [String] = []

    public init(formatter: AMQPFormatter = AMQPFormatter()) { self.formatter = formatter }

    /// Describes `input`; on bad input, `lines` holds what was decoded before the error.
    public mutating func describe(_ input: ByteBuffer, as layout: AMQPInputLayout = .auto) throws(AMQPDecodingError) {
        switch layout == .auto ? Self.guessLayout(input) : layout {
        case .frames, .auto: try describeFrames(input)
        case .message: try describeMessage(input, baseOffset: 0, level: 0)
        case .values: try describeValues(input)
        }
    }

    /// Frames if the bytes start with a protocol header or a plausible frame header, a message
    /// if they start with a section descriptor, values otherwise.
    public static func guessLayout(_ input: ByteBuffer) -> AMQPInputLayout {
        let view = input.readableBytesView
        if view.starts(with: Array("AMQP".utf8)) { return .frames }
        if view.count >= 8, let size = input.getInteger(at: input.readerIndex, as: UInt32.self),
           size >= 8, size <= view.count, view[view.startIndex + 4] >= 2, view[view.startIndex + 5] <= 1
        {
            return .frames
        }
        if view.count >= 3, view.first == 0x00, view[view.startIndex + 1] == 0x53,
           (0x70...0x78).contains(view[view.startIndex + 2])
        {
            return .message
        }
        return .values
    }

    private mutating func line(_ text: String) { lines.append(text) }

    private func offsetLabel(_ offset: Int) -> String {
        let digits = String(offset, radix: 16)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Partial transfer payloads waiting for their last frame, by channel and handle.
    private var partial: [String: (offset: Int, bytes: ByteBuffer)] = [:]

    private mutating func describeFrames(_ input: ByteBuffer) throws(AMQPDecodingError) {
        var buffer = input
        var decoder = AMQPFrameDecoder(maxFrameSize: AMQPFrameDecoder.absoluteMaxFrameSize)
        while buffer.readableBytes > 0 {
            let offset = decoder.streamOffset
            let raw = buffer
            guard let item = try decoder.decodeItem(from: &buffer) else {
                throw AMQPDecodingError(code: .truncated, offset: offset,
                                        detail: "the input ends inside a frame (\(buffer.readableBytes) bytes left)")
            }
            switch item {
            case .header(let header):
                line("\(offsetLabel(offset))  \(header)" + (header.isSupportedVersion ? "" : " (unsupported version)"))
            case .frame(let frame):
                let size = Int(raw.getInteger(at: raw.readerIndex, as: UInt32.self)!)
                try describeFrame(frame, raw: raw.getSlice(at: raw.readerIndex, length: size)!, offset: offset)
            }
        }
        for (key, pending) in partial {
            line("warning: delivery \(key) ended without its last frame (\(pending.bytes.readableBytes) bytes)")
        }
    }

    private mutating func describeFrame(_ frame: AMQPFrame, raw: ByteBuffer, offset: Int) throws(AMQPDecodingError) {
        let doff = Int(raw.getInteger(at: raw.readerIndex + 4, as: UInt8.self)!) * 4
        let head = "\(offsetLabel(offset))  frame \(raw.readableBytes) bytes, channel \(frame.channel), \(frame.type == .sasl ? "SASL" : "AMQP")"
        switch frame.body {
        case .empty:
            line(head + ": heartbeat")
        case .sasl:
            try describeBody(of: raw, from: doff, head: head, offset: offset)
        case .amqp(let performative, let payload):
            try describeBody(of: raw, from: doff, head: head, offset: offset)
            guard payload.readableBytes > 0 else { return }
            let payloadOffset = offset + raw.readableBytes - payload.readableBytes
            guard case .transfer(let transfer) = performative else {
                line("        payload \(formatter.inline(.binary(payload)))")
                return
            }
            let key = "\(frame.channel)/\(transfer.handle)"
            var pending = partial.removeValue(forKey: key) ?? (payloadOffset, ByteBuffer())
            pending.bytes.writeImmutableBuffer(payload)
            if transfer.aborted {
                line("        delivery aborted (\(pending.bytes.readableBytes) bytes dropped)")
            } else if transfer.more {
                partial[key] = pending
                line("        payload \(payload.readableBytes) bytes, continued in a later frame")
            } else if pending.offset == payloadOffset {
                line("        message, \(payload.readableBytes) bytes")
                try describeMessage(payload, baseOffset: payloadOffset, level: 2)
            } else {
                line("        message reassembled from frames, \(pending.bytes.readableBytes) bytes (offsets below are within it)")
                try describeMessage(pending.bytes, baseOffset: 0, level: 2)
            }
        }
    }

    /// Prints the performative or SASL body generically, as it is on the wire.
    private mutating func describeBody(of raw: ByteBuffer, from doff: Int, head: String, offset: Int) throws(AMQPDecodingError) {
        let body = raw.getSlice(at: raw.readerIndex + doff, length: raw.readableBytes - doff)!
        var decoder = AMQPDecoder(buffer: body, baseOffset: offset + doff)
        let value = try decoder.readValue()
        var lines = formatter.lines(value)
        lines[0] = head + ": " + lines[0]
        for (index, text) in lines.enumerated() { line(index == 0 ? text : "        " + text) }
    }

    private mutating func describeMessage(_ bytes: ByteBuffer, baseOffset: Int, level: Int) throws(AMQPDecodingError) {
        do {
            let view = try AMQPMessageView(decoding: bytes)
            _ = try view.decodeMessage()
        } catch {
            var shifted = error
            shifted.offset += baseOffset
            try describeValues(bytes, baseOffset: baseOffset, level: level)
            throw shifted
        }
        try describeValues(bytes, baseOffset: baseOffset, level: level)
    }

    private mutating func describeValues(_ input: ByteBuffer, baseOffset: Int = 0, level: Int = 0) throws(AMQPDecodingError) {
        var decoder = AMQPDecoder(buffer: input, baseOffset: baseOffset)
        let pad = String(repeating: "    ", count: level)
        while !decoder.isAtEnd {
            let offset = decoder.offset
            let value = try decoder.readValue()
            let lines = formatter.lines(value)
            line("\(pad)\(offsetLabel(offset))  \(lines[0])")
            for text in lines.dropFirst() { line(pad + "        " + text) }
        }
    }
}
