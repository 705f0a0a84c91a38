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
        writeSectionsBeforeBody(into: &buffer)
        writeBody(into: &buffer)
        writeFooter(into: &buffer)
    }

    /// The encoded message in a new buffer.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// Encodes without copying a single `data` body of at least `bodyThreshold` bytes: the
    /// sections around it go into `scratch` (which is consumed), the body stays the caller's.
    public func encodeParts(into scratch: inout ByteBuffer, bodyThreshold: Int = 4096) -> AMQPEncodedMessage {
        guard case .data(let data) = body, data.readableBytes >= bodyThreshold else {
            encode(into: &scratch)
            return AMQPEncodedMessage(head: scratch.readSlice(length: scratch.readableBytes)!)
        }
        writeSectionsBeforeBody(into: &scratch)
        scratch.writeInteger(UInt8(0x00))
        scratch.writeAMQPULong(AMQPSectionCode.data)
        scratch.writeAMQPVariableHeader(code8: 0xA0, code32: 0xB0, length: data.readableBytes)
        let head = scratch.readSlice(length: scratch.readableBytes)!
        writeFooter(into: &scratch)
        let tail = scratch.readSlice(length: scratch.readableBytes)!
        return AMQPEncodedMessage(head: head, body: data, tail: tail)
    }

    @inlinable
    func writeSectionsBeforeBody(into buffer: inout ByteBuffer) {
        if let header { header.writeAMQP(into: &buffer) }
        if let deliveryAnnotations { buffer.writeAMQPSection(AMQPSectionCode.deliveryAnnotations, map: deliveryAnnotations) }
        if let messageAnnotations { buffer.writeAMQPSection(AMQPSectionCode.messageAnnotations, map: messageAnnotations) }
        if let properties { properties.writeAMQP(into: &buffer) }
        if let applicationProperties {
            buffer.writeAMQPSection(AMQPSectionCode.applicationProperties, map: applicationProperties)
        }
    }

    @inlinable
    func writeBody(into buffer: inout ByteBuffer) {
        switch body {
        case .none:
            break
        case .data(let data):
            buffer.writeAMQPDataSection(data)
        case .dataSections(let sections):
            for data in sections { buffer.writeAMQPDataSection(data) }
        case .sequence(let sequences):
            for list in sequences {
                buffer.writeInteger(UInt8(0x00))
                buffer.writeAMQPULong(AMQPSectionCode.amqpSequence)
                buffer.writeAMQPValue(.list(list))
            }
        case .value(let value):
            buffer.writeInteger(UInt8(0x00))
            buffer.writeAMQPULong(AMQPSectionCode.amqpValue)
            buffer.writeAMQPValue(value)
        }
    }

    @inlinable
    func writeFooter(into buffer: inout ByteBuffer) {
        if let footer { buffer.writeAMQPSection(AMQPSectionCode.footer, map: footer) }
    }
}

extension ByteBuffer {
    @inlinable
    mutating func writeAMQPSection(_ code: UInt64, map: AMQPMap) {
        writeInteger(UInt16(0x0053))
        writeInteger(UInt8(truncatingIfNeeded: code))
        writeAMQPMap(map)
    }

    /// Writes a `data` section (descriptor 0x75, then `binary`).
    @inlinable
    public mutating func writeAMQPDataSection(_ data: ByteBuffer) {
        writeInteger(UInt16(0x0053))
        writeInteger(UInt8(0x75))
        writeAMQPBinary(data)
    }
}
