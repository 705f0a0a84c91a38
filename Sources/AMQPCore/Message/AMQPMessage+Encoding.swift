import NIOCore

/// A message encoded in up to three parts: the sections before the body's bytes, the body's
/// bytes themselves (the caller's buffer, not copied), and the sections after them. A transfer
/// encoder can hand `body` to the socket as its own buffer.
public struct AMQPEncodedMessage: Sendable {
    public var head: ByteBuffer
    public var body: ByteBuffer
    public var tail: ByteBuffer

    public init(head: ByteBuffer, body: ByteBuffer = ByteBuffer(), tail: ByteBuffer = ByteBuffer()) {
        self.head = head
        self.body = body
        self.tail = tail
    }

    public var count: Int { head.readableBytes + body.readableBytes + tail.readableBytes }

    /// All parts in one buffer (copies).
    public func joined() -> ByteBuffer {
        var out = head
        out.reserveCapacity(count)
        out.writeImmutableBuffer(body)
        out.writeImmutableBuffer(tail)
        return out
    }
}

extension AMQPMessage {
    /// Writes every section into `buffer`, in spec order, copying the body.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeAMQPRaw { writer in
            writeSectionsBeforeBody(to: &writer)
            writeBody(to: &writer)
            writeFooter(to: &writer)
        }
    }

    /// The encoded message in a new buffer.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// The exact size `encode(into:)` writes.
    public var encodedSize: Int { sizeBeforeBody + bodySize + footerSize }

    /// Encodes without copying a single `data` body of at least `bodyThreshold` bytes: the
    /// sections around it go into `scratch` (which is consumed), the body stays the caller's.
    public func encodeParts(into scratch: inout ByteBuffer, bodyThreshold: Int = 4096) -> AMQPEncodedMessage {
        guard case .data(let data) = body, data.readableBytes >= bodyThreshold else {
            encode(into: &scratch)
            return AMQPEncodedMessage(head: scratch.readSlice(length: scratch.readableBytes)!)
        }
        var headSize = 0
        scratch.writeAMQPRaw { writer in
            writeSectionsBeforeBody(to: &writer)
            writer.descriptor(AMQPSectionCode.data)
            writer.variableHeader(code8: 0xA0, code32: 0xB0, length: data.readableBytes)
            headSize = writer.count
            writeFooter(to: &writer)
        }
        let head = scratch.readSlice(length: headSize)!
        let tail = scratch.readSlice(length: scratch.readableBytes)!
        return AMQPEncodedMessage(head: head, body: data, tail: tail)
    }

    @inlinable
    var sizeBeforeBody: Int {
        var size = 0
        if let header { size += header.amqpEncodedSize }
        if let deliveryAnnotations { size += 3 + deliveryAnnotations.amqpEncodedSize }
        if let messageAnnotations { size += 3 + messageAnnotations.amqpEncodedSize }
        if let properties { size += properties.amqpEncodedSize }
        if let applicationProperties { size += 3 + applicationProperties.amqpEncodedSize }
        return size
    }

    @inlinable
    var bodySize: Int {
        switch body {
        case .none: return 0
        case .data(let data): return 3 + data.amqpEncodedSize
        case .dataSections(let sections): return sections.reduce(0) { $0 + 3 + $1.amqpEncodedSize }
        case .sequence(let lists): return lists.reduce(0) { $0 + 3 + AMQPValue.list($1).amqpEncodedSize }
        case .value(let value): return 3 + value.amqpEncodedSize
        }
    }

    @inlinable
    var footerSize: Int { footer.map { 3 + $0.amqpEncodedSize } ?? 0 }

    @inlinable
    func writeSectionsBeforeBody(to writer: inout AMQPRawWriter) {
        header?.writeAMQP(to: &writer)
        if let deliveryAnnotations { writer.section(AMQPSectionCode.deliveryAnnotations, deliveryAnnotations) }
        if let messageAnnotations { writer.section(AMQPSectionCode.messageAnnotations, messageAnnotations) }
        properties?.writeAMQP(to: &writer)
        if let applicationProperties { writer.section(AMQPSectionCode.applicationProperties, applicationProperties) }
    }

    @inlinable
    func writeBody(to writer: inout AMQPRawWriter) {
        switch body {
        case .none:
            break
        case .data(let data):
            writer.section(AMQPSectionCode.data, data)
        case .dataSections(let sections):
            for data in sections { writer.section(AMQPSectionCode.data, data) }
        case .sequence(let lists):
            for list in lists { writer.section(AMQPSectionCode.amqpSequence, AMQPValue.list(list)) }
        case .value(let value):
            writer.section(AMQPSectionCode.amqpValue, value)
        }
    }

    @inlinable
    func writeFooter(to writer: inout AMQPRawWriter) {
        if let footer { writer.section(AMQPSectionCode.footer, footer) }
    }
}

extension AMQPRawWriter {
    /// A message section: `0x00 0x53 code` and its value.
    @inlinable
    mutating func section<T: AMQPFieldValue>(_ code: UInt64, _ value: T) {
        byte(0x00)
        byte(0x53)
        byte(UInt8(truncatingIfNeeded: code))
        value.writeAMQP(to: &self)
    }
}

extension ByteBuffer {
    /// Writes a `data` section (descriptor 0x75, then `binary`).
    @inlinable
    public mutating func writeAMQPDataSection(_ data: ByteBuffer) {
        writeInteger(UInt16(0x0053))
        writeInteger(UInt8(0x75))
        writeAMQPBinary(data)
    }
}
