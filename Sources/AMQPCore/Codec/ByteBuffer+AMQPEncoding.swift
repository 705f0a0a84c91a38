import NIOCore

// Encoding of single AMQP primitive values into a `ByteBuffer` (spec 1.6), always in the
// smallest encoding. These delegate to the raw writer, which holds the one implementation of
// each encoding. Booleans are written as 0x41/0x42 (never 0x56) except inside arrays, which
// need one element constructor for all elements.

extension ByteBuffer {
    @inlinable
    public mutating func writeAMQPNull() { writeInteger(UInt8(0x40)) }

    @inlinable
    public mutating func writeAMQPBoolean(_ value: Bool) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPUByte(_ value: UInt8) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPUShort(_ value: UInt16) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPUInt(_ value: UInt32) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPULong(_ value: UInt64) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPTimestamp(_ value: AMQPTimestamp) { writeAMQPField(value) }

    /// Writes `binary` (vbin8 or vbin32). The bytes are copied; see `AMQPTransferEncoder`
    /// for sending a large body without copying.
    @inlinable
    public mutating func writeAMQPBinary(_ value: ByteBuffer) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPString(_ value: String) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPSymbol(_ value: AMQPSymbol) { writeAMQPField(value) }

    /// Writes a list whose elements `body` writes (each a complete encoding), returning their
    /// count; list0, list8 or list32 is chosen after the fact.
    @inlinable
    public mutating func writeAMQPList(_ body: (inout ByteBuffer) -> Int) {
        var elements = ByteBuffer()
        let count = body(&elements)
        writeAMQPRaw { writer in
            if count == 0 {
                writer.byte(0x45)
            } else {
                writer.compound(code8: 0xC0, code32: 0xD0) { writer in
                    writer.bytes(of: elements)
                    return count
                }
            }
        }
    }
}
