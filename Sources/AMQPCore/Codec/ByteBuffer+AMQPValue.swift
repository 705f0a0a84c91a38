import NIOCore

extension ByteBuffer {
    /// Writes any AMQP value in its smallest encoding.
    public mutating func writeAMQPValue(_ value: AMQPValue) {
        switch value {
        case .null: writeAMQPNull()
        case .boolean(let v): writeAMQPBoolean(v)
        case .ubyte(let v): writeAMQPUByte(v)
        case .ushort(let v): writeAMQPUShort(v)
        case .uint(let v): writeAMQPUInt(v)
        case .ulong(let v): writeAMQPULong(v)
        case .byte(let v): writeAMQPByte(v)
        case .short(let v): writeAMQPShort(v)
        case .int(let v): writeAMQPInt(v)
        case .long(let v): writeAMQPLong(v)
        case .float(let v): writeAMQPFloat(v)
        case .double(let v): writeAMQPDouble(v)
        case .decimal32(let v): writeAMQPDecimal32(v)
        case .decimal64(let v): writeAMQPDecimal64(v)
        case .decimal128(let v): writeAMQPDecimal128(v)
        case .char(let v): writeAMQPChar(v)
        case .timestamp(let v): writeAMQPTimestamp(v)
        case .uuid(let v): writeAMQPUUID(v)
        case .binary(let v): writeAMQPBinary(v)
        case .string(let v): writeAMQPString(v)
        case .symbol(let v): writeAMQPSymbol(v)
        case .list(let elements):
            writeAMQPList { buffer in
                for element in elements { buffer.writeAMQPValue(element) }
                return elements.count
            }
        case .map(let map): writeAMQPMap(map)
        case .array(let array): writeAMQPArray(array)
        case .described(let described):
            writeInteger(UInt8(0x00))
            writeAMQPValue(described.descriptor)
            writeAMQPValue(described.value)
        }
    }

    public mutating func writeAMQPMap(_ map: AMQPMap) {
        writeAMQPMap { buffer in
            for entry in map.entries {
                buffer.writeAMQPValue(entry.key)
                buffer.writeAMQPValue(entry.value)
            }
            return map.entries.count * 2
        }
    }

    /// Writes an array with one element constructor, the narrowest one that fits every element.
    public mutating func writeAMQPArray(_ array: AMQPArray) {
        let start = writerIndex
        writeInteger(UInt8(0xE0))
        writeInteger(UInt16(0))
        let bodyStart = writerIndex
        writeAMQPArrayBody(array)
        let bodyLength = writerIndex - bodyStart
        if bodyLength < 0xFF && array.count <= 0xFF {
            setInteger(UInt8(bodyLength + 1), at: start + 1)
            setInteger(UInt8(array.count), at: start + 2)
        } else {
            widenCompoundHeader(start: start, bodyStart: bodyStart, bodyLength: bodyLength)
            setInteger(UInt8(0xF0), at: start)
            setInteger(UInt32(truncatingIfNeeded: bodyLength + 4), at: start + 1)
            setInteger(UInt32(truncatingIfNeeded: array.count), at: start + 5)
        }
    }

    /// The element constructor and the elements, without the size and count.
    mutating func writeAMQPArrayBody(_ array: AMQPArray) {
        let code = AMQPArrayLayout.elementCode(for: array)
        writeAMQPArrayConstructor(array.elementType, code: code)
        for element in array.elements {
            writeAMQPElement(element, code: code)
        }
    }

    mutating func writeAMQPArrayConstructor(_ type: AMQPArray.ElementType, code: UInt8) {
        switch type {
        case .primitive:
            writeInteger(code)
        case .described(let descriptor, let inner):
            writeInteger(UInt8(0x00))
            writeAMQPValue(descriptor)
            writeAMQPArrayConstructor(inner, code: code)
        }
    }

    /// Writes `value` without a constructor, in the encoding `code` chose for the whole array.
    mutating func writeAMQPElement(_ value: AMQPValue, code: UInt8) {
        switch (value, code) {
        case (.null, _), (.uint, 0x43), (.ulong, 0x44): break
        case (.boolean(let v), _): writeInteger(v ? UInt8(1) : UInt8(0))
        case (.ubyte(let v), _): writeInteger(v)
        case (.ushort(let v), _): writeInteger(v)
        case (.uint(let v), 0x52): writeInteger(UInt8(truncatingIfNeeded: v))
        case (.uint(let v), _): writeInteger(v)
        case (.ulong(let v), 0x53): writeInteger(UInt8(truncatingIfNeeded: v))
        case (.ulong(let v), _): writeInteger(v)
        case (.byte(let v), _): writeInteger(v)
        case (.short(let v), _): writeInteger(v)
        case (.int(let v), 0x54): writeInteger(Int8(truncatingIfNeeded: v))
        case (.int(let v), _): writeInteger(v)
        case (.long(let v), 0x55): writeInteger(Int8(truncatingIfNeeded: v))
        case (.long(let v), _): writeInteger(v)
        case (.float(let v), _): writeInteger(v.bitPattern)
        case (.double(let v), _): writeInteger(v.bitPattern)
        case (.decimal32(let v), _): writeInteger(v.bitPattern)
        case (.decimal64(let v), _): writeInteger(v.bitPattern)
        case (.decimal128(let v), _):
            writeInteger(v.high)
            writeInteger(v.low)
        case (.char(let v), _): writeInteger(v.value)
        case (.timestamp(let v), _): writeInteger(v.millisecondsSince1970)
        case (.uuid(let v), _):
            writeInteger(v.high)
            writeInteger(v.low)
        case (.binary(let v), _):
            writeAMQPElementLength(v.readableBytes, wide: code == 0xB0)
            writeImmutableBuffer(v)
        case (.string(let v), _):
            writeAMQPElementLength(v.utf8.count, wide: code == 0xB1)
            writeString(v)
        case (.symbol(let v), _):
            writeAMQPElementLength(v.rawValue.utf8.count, wide: code == 0xB3)
            writeString(v.rawValue)
        case (.list(let elements), _):
            var scratch = ByteBuffer()
            for element in elements { scratch.writeAMQPValue(element) }
            writeAMQPElementCompound(scratch, count: elements.count, wide: code == 0xD0)
        case (.map(let map), _):
            var scratch = ByteBuffer()
            for entry in map.entries {
                scratch.writeAMQPValue(entry.key)
                scratch.writeAMQPValue(entry.value)
            }
            writeAMQPElementCompound(scratch, count: map.count * 2, wide: code == 0xD1)
        case (.array(let inner), _):
            var scratch = ByteBuffer()
            scratch.writeAMQPArrayBody(inner)
            writeAMQPElementCompound(scratch, count: inner.count, wide: code == 0xF0)
        case (.described, _):
            preconditionFailure("AMQPArray elements are never described values")
        }
    }

    private mutating func writeAMQPElementLength(_ length: Int, wide: Bool) {
        if wide { writeInteger(UInt32(truncatingIfNeeded: length)) } else { writeInteger(UInt8(length)) }
    }

    private mutating func writeAMQPElementCompound(_ body: ByteBuffer, count: Int, wide: Bool) {
        if wide {
            writeInteger(UInt32(truncatingIfNeeded: body.readableBytes + 4))
            writeInteger(UInt32(truncatingIfNeeded: count))
        } else {
            writeInteger(UInt8(body.readableBytes + 1))
            writeInteger(UInt8(count))
        }
        writeImmutableBuffer(body)
    }
}

/// Chooses the one element encoding an array uses: the narrowest that fits every element.
enum AMQPArrayLayout {
    static func elementCode(for array: AMQPArray) -> UInt8 {
        let elements = array.elements
        switch array.elementType.underlying {
        case .null: return 0x40
        case .boolean: return 0x56
        case .ubyte: return 0x50
        case .ushort: return 0x60
        case .uint:
            return elements.allSatisfy({ if case .uint(let v) = $0 { v <= 0xFF } else { false } }) ? 0x52 : 0x70
        case .ulong:
            return elements.allSatisfy({ if case .ulong(let v) = $0 { v <= 0xFF } else { false } }) ? 0x53 : 0x80
        case .byte: return 0x51
        case .short: return 0x61
        case .int:
            return elements.allSatisfy({ if case .int(let v) = $0 { (-128...127).contains(v) } else { false } })
                ? 0x54 : 0x71
        case .long:
            return elements.allSatisfy({ if case .long(let v) = $0 { (-128...127).contains(v) } else { false } })
                ? 0x55 : 0x81
        case .float: return 0x72
        case .double: return 0x82
        case .decimal32: return 0x74
        case .decimal64: return 0x84
        case .decimal128: return 0x94
        case .char: return 0x73
        case .timestamp: return 0x83
        case .uuid: return 0x98
        case .binary:
            return elements.allSatisfy({ if case .binary(let v) = $0 { v.readableBytes <= 0xFF } else { false } })
                ? 0xA0 : 0xB0
        case .string:
            return elements.allSatisfy({ if case .string(let v) = $0 { v.utf8.count <= 0xFF } else { false } })
                ? 0xA1 : 0xB1
        case .symbol:
            return elements.allSatisfy({
                if case .symbol(let v) = $0 { v.rawValue.utf8.count <= 0xFF } else { false }
            }) ? 0xA3 : 0xB3
        case .list: return elements.allSatisfy(fitsNarrowCompound) ? 0xC0 : 0xD0
        case .map: return elements.allSatisfy(fitsNarrowCompound) ? 0xC1 : 0xD1
        case .array: return elements.allSatisfy(fitsNarrowCompound) ? 0xE0 : 0xF0
        }
    }

    /// Whether a list, map or array element fits an 8-bit size and count.
    private static func fitsNarrowCompound(_ value: AMQPValue) -> Bool {
        var scratch = ByteBuffer()
        let count: Int
        switch value {
        case .list(let elements):
            for element in elements { scratch.writeAMQPValue(element) }
            count = elements.count
        case .map(let map):
            for entry in map.entries {
                scratch.writeAMQPValue(entry.key)
                scratch.writeAMQPValue(entry.value)
            }
            count = map.count * 2
        case .array(let inner):
            scratch.writeAMQPArrayBody(inner)
            count = inner.count
        default:
            return false
        }
        return scratch.readableBytes < 0xFF && count <= 0xFF
    }
}
