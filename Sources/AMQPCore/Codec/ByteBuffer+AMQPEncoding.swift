import NIOCore

// Encoding of AMQP primitive values (spec 1.6), always in the smallest encoding.
// Booleans are written as 0x41/0x42 (never 0x56) except inside arrays, which need one
// element constructor for all elements.

extension ByteBuffer {
    @inlinable
    public mutating func writeAMQPNull() { writeInteger(UInt8(0x40)) }

    @inlinable
    public mutating func writeAMQPBoolean(_ value: Bool) { writeInteger(value ? UInt8(0x41) : UInt8(0x42)) }

    @inlinable
    public mutating func writeAMQPUByte(_ value: UInt8) { writeInteger(UInt16(0x5000) | UInt16(value)) }

    @inlinable
    public mutating func writeAMQPUShort(_ value: UInt16) {
        writeInteger(UInt8(0x60))
        writeInteger(value)
    }

    @inlinable
    public mutating func writeAMQPUInt(_ value: UInt32) {
        if value == 0 {
            writeInteger(UInt8(0x43))
        } else if value <= 0xFF {
            writeInteger(UInt16(0x5200) | UInt16(value))
        } else {
            writeInteger(UInt8(0x70))
            writeInteger(value)
        }
    }

    @inlinable
    public mutating func writeAMQPULong(_ value: UInt64) {
        if value == 0 {
            writeInteger(UInt8(0x44))
        } else if value <= 0xFF {
            writeInteger(UInt16(0x5300) | UInt16(value))
        } else {
            writeInteger(UInt8(0x80))
            writeInteger(value)
        }
    }

    @inlinable
    public mutating func writeAMQPByte(_ value: Int8) {
        writeInteger(UInt8(0x51))
        writeInteger(value)
    }

    @inlinable
    public mutating func writeAMQPShort(_ value: Int16) {
        writeInteger(UInt8(0x61))
        writeInteger(value)
    }

    @inlinable
    public mutating func writeAMQPInt(_ value: Int32) {
        if value >= -128 && value <= 127 {
            writeInteger(UInt8(0x54))
            writeInteger(Int8(value))
        } else {
            writeInteger(UInt8(0x71))
            writeInteger(value)
        }
    }

    @inlinable
    public mutating func writeAMQPLong(_ value: Int64) {
        if value >= -128 && value <= 127 {
            writeInteger(UInt8(0x55))
            writeInteger(Int8(value))
        } else {
            writeInteger(UInt8(0x81))
            writeInteger(value)
        }
    }

    @inlinable
    public mutating func writeAMQPFloat(_ value: Float) {
        writeInteger(UInt8(0x72))
        writeInteger(value.bitPattern)
    }

    @inlinable
    public mutating func writeAMQPDouble(_ value: Double) {
        writeInteger(UInt8(0x82))
        writeInteger(value.bitPattern)
    }

    @inlinable
    public mutating func writeAMQPChar(_ value: Unicode.Scalar) {
        writeInteger(UInt8(0x73))
        writeInteger(value.value)
    }

    @inlinable
    public mutating func writeAMQPTimestamp(_ value: AMQPTimestamp) {
        writeInteger(UInt8(0x83))
        writeInteger(value.millisecondsSince1970)
    }

    @inlinable
    public mutating func writeAMQPUUID(_ value: AMQPUUID) {
        writeInteger(UInt8(0x98))
        writeInteger(value.high)
        writeInteger(value.low)
    }

    public mutating func writeAMQPDecimal32(_ value: AMQPDecimal32) {
        writeInteger(UInt8(0x74))
        writeInteger(value.bitPattern)
    }

    public mutating func writeAMQPDecimal64(_ value: AMQPDecimal64) {
        writeInteger(UInt8(0x84))
        writeInteger(value.bitPattern)
    }

    public mutating func writeAMQPDecimal128(_ value: AMQPDecimal128) {
        writeInteger(UInt8(0x94))
        writeInteger(value.high)
        writeInteger(value.low)
    }

    /// Writes `binary` (vbin8 or vbin32). The bytes are copied; see `AMQPTransferEncoder`
    /// for sending a large body without copying.
    @inlinable
    public mutating func writeAMQPBinary(_ value: ByteBuffer) {
        writeAMQPVariableHeader(code8: 0xA0, code32: 0xB0, length: value.readableBytes)
        writeImmutableBuffer(value)
    }

    @inlinable
    public mutating func writeAMQPBinary(bytes: some Collection<UInt8>) {
        writeAMQPVariableHeader(code8: 0xA0, code32: 0xB0, length: bytes.count)
        writeBytes(bytes)
    }

    @inlinable
    public mutating func writeAMQPString(_ value: String) {
        writeAMQPVariableHeader(code8: 0xA1, code32: 0xB1, length: value.utf8.count)
        writeString(value)
    }

    @inlinable
    public mutating func writeAMQPSymbol(_ value: AMQPSymbol) {
        writeAMQPVariableHeader(code8: 0xA3, code32: 0xB3, length: value.rawValue.utf8.count)
        writeString(value.rawValue)
    }

    @inlinable
    mutating func writeAMQPVariableHeader(code8: UInt8, code32: UInt8, length: Int) {
        if length <= 0xFF {
            writeInteger(UInt16(code8) << 8 | UInt16(length))
        } else {
            writeInteger(code32)
            writeInteger(UInt32(truncatingIfNeeded: length))
        }
    }

    /// Writes a list whose elements `body` writes, returning their count; picks list0, list8
    /// or list32 after the fact (the elements are moved only when list32 is needed).
    @inlinable
    public mutating func writeAMQPList(_ body: (inout ByteBuffer) -> Int) {
        let start = writerIndex
        let count = writeAMQPCompound(code8: 0xC0, code32: 0xD0, body)
        if count == 0 {
            moveWriterIndex(to: start)
            writeInteger(UInt8(0x45))
        }
    }

    /// Writes a map whose keys and values `body` writes, returning the element count
    /// (keys plus values).
    @inlinable
    public mutating func writeAMQPMap(_ body: (inout ByteBuffer) -> Int) {
        writeAMQPCompound(code8: 0xC1, code32: 0xD1, body)
    }

    /// Writes `code8 size8 count8 body` and widens to `code32 size32 count32 body` if needed.
    @inlinable
    @discardableResult
    mutating func writeAMQPCompound(code8: UInt8, code32: UInt8, _ body: (inout ByteBuffer) -> Int) -> Int {
        let start = writerIndex
        writeInteger(UInt8(code8))
        writeInteger(UInt16(0))
        let bodyStart = writerIndex
        let count = body(&self)
        let bodyLength = writerIndex - bodyStart
        if bodyLength < 0xFF && count <= 0xFF {
            setInteger(UInt8(bodyLength + 1), at: start + 1)
            setInteger(UInt8(count), at: start + 2)
        } else {
            widenCompoundHeader(start: start, bodyStart: bodyStart, bodyLength: bodyLength)
            setInteger(code32, at: start)
            setInteger(UInt32(truncatingIfNeeded: bodyLength + 4), at: start + 1)
            setInteger(UInt32(truncatingIfNeeded: count), at: start + 5)
        }
        return count
    }

    /// Moves `bodyLength` bytes at `bodyStart` six bytes later, making room for 32-bit size and count.
    @usableFromInline
    mutating func widenCompoundHeader(start: Int, bodyStart: Int, bodyLength: Int) {
        writeRepeatingByte(0, count: 6)
        let base = readerIndex
        withUnsafeMutableReadableBytes { bytes in
            let from = bytes.baseAddress! + (bodyStart - base)
            (from + 6).copyMemory(from: from, byteCount: bodyLength)  // regions may overlap (memmove)
        }
    }
}
