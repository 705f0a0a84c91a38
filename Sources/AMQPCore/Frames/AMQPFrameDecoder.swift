import NIOCore

/// Splits an AMQP byte stream into protocol headers and frames (spec 2.2, 2.3).
///
/// Returns nil when more bytes are needed and never throws for that. The frame size is checked
/// against `maxFrameSize` from the 4-byte size field alone, before the rest is buffered. Frames
/// are slices of the received bytes: a transfer's payload shares their storage.
public struct AMQPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AMQPInbound

    /// The largest frame accepted (our advertised max-frame-size). Capped at
    /// `absoluteMaxFrameSize`, whatever the caller sets.
    public var maxFrameSize: UInt32 {
        didSet { maxFrameSize = min(maxFrameSize, Self.absoluteMaxFrameSize) }
    }
    public var limits: AMQPDecodingLimits
    /// Bytes consumed so far, so that error offsets point into the whole stream.
    public private(set) var streamOffset: Int = 0

    /// No frame may be larger than this (256 MiB), so that "AMQP" (0x414D5150) can never be
    /// a valid frame size and a protocol header is told from a frame by its first four bytes.
    public static let absoluteMaxFrameSize: UInt32 = 256 * 1024 * 1024

    public init(maxFrameSize: UInt32 = 1024 * 1024, limits: AMQPDecodingLimits = .default) {
        self.maxFrameSize = min(maxFrameSize, Self.absoluteMaxFrameSize)
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AMQPInbound? {
        try decodeItem(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMQPInbound? {
        try decodeItem(from: &buffer)
    }

    /// `decodeItem(from:)` for a protocol engine: a transfer frame comes as its parts, without
    /// the frame and performative values around them (per message, those cost more than the
    /// rest of reading it).
    public mutating func decodeNext(from buffer: inout ByteBuffer) throws(AMQPDecodingError) -> AMQPDecodedItem? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
              size != AMQPProtocolHeader.magic, size >= UInt32(AMQPFrameLayout.headerLength + 3), size <= maxFrameSize,
              buffer.readableBytes >= Int(size)
        else { return try decodeItem(from: &buffer).map { .item($0) } }
        let base = buffer.readerIndex
        let doff = Int(buffer.getInteger(at: base + 4, as: UInt8.self)!)
        let type = buffer.getInteger(at: base + 5, as: UInt8.self)!
        guard type == AMQPFrameType.amqp.rawValue, doff >= 2, doff * 4 < Int(size),
              let body = buffer.getSlice(at: base + doff * 4, length: Int(size) - doff * 4),
              let (transfer, length) = TransferFastPath.parse(body)
        else { return try decodeItem(from: &buffer).map { .item($0) } }
        let channel = buffer.getInteger(at: base + 6, as: UInt16.self)!
        buffer.moveReaderIndex(forwardBy: Int(size))
        streamOffset += Int(size)
        return .transfer(channel: channel, transfer, payload: body.getSlice(at: body.readerIndex + length,
                                                                            length: body.readableBytes - length)!)
    }

    /// The typed-throws core of `decode(buffer:)`.
    public mutating func decodeItem(from buffer: inout ByteBuffer) throws(AMQPDecodingError) -> AMQPInbound? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        if size == AMQPProtocolHeader.magic {
            guard buffer.readableBytes >= AMQPProtocolHeader.length else { return nil }
            let header = try parseHeader(buffer.getSlice(at: buffer.readerIndex, length: AMQPProtocolHeader.length)!)
            buffer.moveReaderIndex(forwardBy: AMQPProtocolHeader.length)
            streamOffset += AMQPProtocolHeader.length
            return .header(header)
        }
        guard size >= UInt32(AMQPFrameLayout.headerLength) else {
            throw AMQPDecodingError(code: .invalidFrameHeader, offset: streamOffset, detail: "frame size \(size)")
        }
        guard size <= maxFrameSize else {
            throw AMQPDecodingError(code: .frameTooLarge, offset: streamOffset,
                                    detail: "frame size \(size), maximum \(maxFrameSize)")
        }
        guard buffer.readableBytes >= Int(size) else { return nil }
        let frameBytes = buffer.readSlice(length: Int(size))!
        let frame = try AMQPFrameDecoder.parseFrame(frameBytes, offset: streamOffset, limits: limits)
        streamOffset += Int(size)
        return .frame(frame)
    }

    private func parseHeader(_ bytes: ByteBuffer) throws(AMQPDecodingError) -> AMQPProtocolHeader {
        let id = bytes.getInteger(at: bytes.readerIndex + 4, as: UInt8.self)!
        guard let protocolID = AMQPProtocolHeader.ProtocolID(rawValue: id) else {
            throw AMQPDecodingError(code: .invalidProtocolHeader, offset: streamOffset + 4, detail: "protocol id \(id)")
        }
        return AMQPProtocolHeader(
            protocolID: protocolID,
            major: bytes.getInteger(at: bytes.readerIndex + 5)!,
            minor: bytes.getInteger(at: bytes.readerIndex + 6)!,
            revision: bytes.getInteger(at: bytes.readerIndex + 7)!
        )
    }

    /// Parses one complete frame (all `size` bytes, header included).
    public static func parseFrame(_ frame: ByteBuffer, offset: Int = 0, limits: AMQPDecodingLimits = .default)
        throws(AMQPDecodingError) -> AMQPFrame
    {
        try parseFrame(frame, offset: offset, limits: limits, fastTransfers: true)
    }

    /// `fastTransfers`: the usual transfer read by `TransferFastPath` (tests compare it with
    /// the general decoder by turning it off).
    static func parseFrame(_ frame: ByteBuffer, offset: Int, limits: AMQPDecodingLimits, fastTransfers: Bool)
        throws(AMQPDecodingError) -> AMQPFrame
    {
        let base = frame.readerIndex
        let size = frame.readableBytes
        let doff = Int(frame.getInteger(at: base + 4, as: UInt8.self)!)
        let typeCode = frame.getInteger(at: base + 5, as: UInt8.self)!
        let channel = frame.getInteger(at: base + 6, as: UInt16.self)!
        guard doff >= 2, doff * 4 <= size else {
            throw AMQPDecodingError(code: .invalidFrameHeader, offset: offset + 4, detail: "doff \(doff) in a \(size)-byte frame")
        }
        guard let type = AMQPFrameType(rawValue: typeCode) else {
            throw AMQPDecodingError(code: .invalidFrameType, offset: offset + 5, detail: "type 0x\(String(typeCode, radix: 16))")
        }
        let bodyStart = doff * 4
        if bodyStart == size {
            guard type == .amqp else {
                throw AMQPDecodingError(code: .invalidFrameHeader, offset: offset + bodyStart, detail: "empty SASL frame")
            }
            return AMQPFrame(channel: channel, body: .empty)
        }
        let body = frame.getSlice(at: base + bodyStart, length: size - bodyStart)!
        if fastTransfers, type == .amqp, let (transfer, length) = TransferFastPath.parse(body) {
            return AMQPFrame(channel: channel, body: .amqp(.transfer(transfer),
                                                          payload: body.getSlice(at: body.readerIndex + length,
                                                                                 length: body.readableBytes - length)!))
        }
        var decoder = AMQPDecoder(buffer: body, limits: limits, baseOffset: offset + bodyStart)
        switch type {
        case .amqp:
            let performative = try Performative.read(from: &decoder)
            return AMQPFrame(channel: channel, body: .amqp(performative, payload: decoder.buffer))
        case .sasl:
            let sasl = try SASLFrameBody.read(from: &decoder)
            guard decoder.isAtEnd else { throw decoder.error(.trailingBytes, detail: "after the SASL frame body") }
            return AMQPFrame(channel: channel, body: .sasl(sasl))
        }
    }
}

/// Writes protocol headers and frames; the counterpart of `AMQPFrameDecoder`.
public struct AMQPFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = AMQPInbound

    public init() {}

    public func encode(data: AMQPInbound, out: inout ByteBuffer) {
        switch data {
        case .header(let header): out.writeAMQPProtocolHeader(header)
        case .frame(let frame): out.writeAMQPFrame(frame)
        }
    }
}
