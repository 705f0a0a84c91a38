import NIOCore

extension ByteBuffer {
    /// Writes any AMQP value in its smallest encoding.
    @inlinable
    public mutating func writeAMQPValue(_ value: AMQPValue) { writeAMQPField(value) }

    @inlinable
    public mutating func writeAMQPMap(_ map: AMQPMap) { writeAMQPField(map) }

    /// Writes an array with one element constructor, the narrowest one that fits every element.
    @inlinable
    public mutating func writeAMQPArray(_ array: AMQPArray) { writeAMQPField(array) }
}

extension AMQPValue {
    public var amqpEncodedSize: Int {
        switch self {
        case .null, .boolean: return 1
        case .ubyte, .byte: return 2
        case .ushort, .short: return 3
        case .uint(let v): return AMQPSize.uint(v)
        case .ulong(let v): return AMQPSize.ulong(v)
        case .int(let v): return AMQPSize.int(v)
        case .long(let v): return AMQPSize.long(v)
        case .float, .decimal32, .char: return 5
        case .double, .decimal64, .timestamp: return 9
        case .decimal128, .uuid: return 17
        case .binary(let v): return v.amqpEncodedSize
        case .string(let v): return v.amqpEncodedSize
        case .symbol(let v): return v.amqpEncodedSize
        case .list(let elements):
            guard !elements.isEmpty else { return 1 }
            let body = AMQPValue.bodySize(elements)
            return AMQPSize.compoundHeader(bodySize: body, count: elements.count) + body
        case .map(let map): return map.amqpEncodedSize
        case .array(let array): return array.amqpEncodedSize
        case .described(let described):
            return 1 + described.descriptor.amqpEncodedSize + described.value.amqpEncodedSize
        }
    }

    static func bodySize(_ elements: [AMQPValue]) -> Int {
        var size = 0
        for element in elements { size += element.amqpEncodedSize }
        return size
    }

    public func writeAMQP(to writer: inout AMQPRawWriter) {
        switch self {
        case .null: writer.byte(0x40)
        case .boolean(let v): writer.byte(v ? 0x41 : 0x42)
        case .ubyte(let v): v.writeAMQP(to: &writer)
        case .ushort(let v): v.writeAMQP(to: &writer)
        case .uint(let v): writer.uint(v)
        case .ulong(let v): writer.ulong(v)
        case .byte(let v):
            writer.byte(0x51)
            writer.integer(v)
        case .short(let v):
            writer.byte(0x61)
            writer.integer(v)
        case .int(let v): writer.int(v)
        case .long(let v): writer.long(v)
        case .float(let v):
            writer.byte(0x72)
            writer.integer(v.bitPattern)
        case .double(let v):
            writer.byte(0x82)
            writer.integer(v.bitPattern)
        case .decimal32(let v):
            writer.byte(0x74)
            writer.integer(v.bitPattern)
        case .decimal64(let v):
            writer.byte(0x84)
            writer.integer(v.bitPattern)
        case .decimal128(let v):
            writer.byte(0x94)
            writer.integer(v.high)
            writer.integer(v.low)
        case .char(let v):
            writer.byte(0x73)
            writer.integer(v.value)
        case .timestamp(let v): v.writeAMQP(to: &writer)
        case .uuid(let v):
            writer.byte(0x98)
            writer.integer(v.high)
            writer.integer(v.low)
        case .binary(let v): v.writeAMQP(to: &writer)
        case .string(let v): v.writeAMQP(to: &writer)
        case .symbol(let v): v.writeAMQP(to: &writer)
        case .list(let elements):
            guard !elements.isEmpty else {
                writer.byte(0x45)
                return
            }
            writer.compound(code8: 0xC0, code32: 0xD0) { writer in
                for element in elements { element.writeAMQP(to: &writer) }
                return elements.count
            }
        case .map(let map): map.writeAMQP(to: &writer)
        case .array(let array): array.writeAMQP(to: &writer)
        case .described(let described):
            writer.byte(0x00)
            described.descriptor.writeAMQP(to: &writer)
            described.value.writeAMQP(to: &writer)
        }
    }
}

extension AMQPMap {
    var bodySize: Int {
        var size = 0
        for entry in entries { size += entry.key.amqpEncodedSize + entry.value.amqpEncodedSize }
        return size
    }

    public var amqpEncodedSize: Int {
        let body = bodySize
        return AMQPSize.compoundHeader(bodySize: body, count: count * 2) + body
    }

    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.compound(code8: 0xC1, code32: 0xD1) { writer in
            for entry in entries {
                entry.key.writeAMQP(to: &writer)
                entry.value.writeAMQP(to: &writer)
            }
            return entries.count * 2
        }
    }
}

extension AMQPArray {
    /// Element constructor plus elements, without size and count.
    func bodySize(code: UInt8) -> Int {
        var size = AMQPArrayLayout.constructorSize(elementType)
        for element in elements { size += AMQPArrayLayout.elementSize(element, code: code) }
        return size
    }

    public var amqpEncodedSize: Int {
        let body = bodySize(code: AMQPArrayLayout.elementCode(for: self))
        return AMQPSize.compoundHeader(bodySize: body, count: count) + body
    }

    public func writeAMQP(to writer: inout AMQPRawWriter) {
        let code = AMQPArrayLayout.elementCode(for: self)
        writer.compoundHeader(code8: 0xE0, code32: 0xF0, bodySize: bodySize(code: code), count: count)
        writeBody(to: &writer, code: code)
    }

    func writeBody(to writer: inout AMQPRawWriter, code: UInt8) {
        AMQPArrayLayout.writeConstructor(elementType, code: code, to: &writer)
        for element in elements { AMQPArrayLayout.writeElement(element, code: code, to: &writer) }
    }
}

/// How arrays lay out their elements: one element constructor for all, the narrowest that fits.
enum AMQPArrayLayout {
    static func constructorSize(_ type: AMQPArray.ElementType) -> Int {
        switch type {
        case .primitive: return 1
        case .described(let descriptor, let inner): return 1 + descriptor.amqpEncodedSize + constructorSize(inner)
        }
    }

    static func writeConstructor(_ type: AMQPArray.ElementType, code: UInt8, to writer: inout AMQPRawWriter) {
        switch type {
        case .primitive:
            writer.byte(code)
        case .described(let descriptor, let inner):
            writer.byte(0x00)
            descriptor.writeAMQP(to: &writer)
            writeConstructor(inner, code: code, to: &writer)
        }
    }

    /// The bytes of `value` as an array element with constructor `code` (constructor excluded).
    static func elementSize(_ value: AMQPValue, code: UInt8) -> Int {
        if let width = FormatCode.fixedWidth(code) { return width }
        let wide = code & 0x10 != 0
        switch value {
        case .binary(let v): return (wide ? 4 : 1) + v.readableBytes
        case .string(let v): return (wide ? 4 : 1) + v.utf8.count
        case .symbol(let v): return (wide ? 4 : 1) + v.rawValue.utf8.count
        case .list(let v): return (wide ? 8 : 2) + AMQPValue.bodySize(v)
        case .map(let v): return (wide ? 8 : 2) + v.bodySize
        case .array(let v): return (wide ? 8 : 2) + v.bodySize(code: elementCode(for: v))
        default: preconditionFailure("fixed-width element with a variable constructor")
        }
    }

    static func writeElement(_ value: AMQPValue, code: UInt8, to writer: inout AMQPRawWriter) {
        let wide = code & 0x10 != 0
        func length(_ length: Int) {
            if wide { writer.integer(UInt32(truncatingIfNeeded: length)) } else { writer.byte(UInt8(truncatingIfNeeded: length)) }
        }
        func compound(bodySize: Int, count: Int) {
            if wide {
                writer.integer(UInt32(truncatingIfNeeded: bodySize + 4))
                writer.integer(UInt32(truncatingIfNeeded: count))
            } else {
                writer.byte(UInt8(truncatingIfNeeded: bodySize + 1))
                writer.byte(UInt8(truncatingIfNeeded: count))
            }
        }
        switch (value, code) {
        case (.null, _), (.uint, 0x43), (.ulong, 0x44), (.list, 0x45): break
        case (.boolean(let v), _): writer.byte(v ? 1 : 0)
        case (.ubyte(let v), _): writer.byte(v)
        case (.ushort(let v), _): writer.integer(v)
        case (.uint(let v), 0x52): writer.byte(UInt8(truncatingIfNeeded: v))
        case (.uint(let v), _): writer.integer(v)
        case (.ulong(let v), 0x53): writer.byte(UInt8(truncatingIfNeeded: v))
        case (.ulong(let v), _): writer.integer(v)
        case (.byte(let v), _): writer.integer(v)
        case (.short(let v), _): writer.integer(v)
        case (.int(let v), 0x54): writer.integer(Int8(truncatingIfNeeded: v))
        case (.int(let v), _): writer.integer(v)
        case (.long(let v), 0x55): writer.integer(Int8(truncatingIfNeeded: v))
        case (.long(let v), _): writer.integer(v)
        case (.float(let v), _): writer.integer(v.bitPattern)
        case (.double(let v), _): writer.integer(v.bitPattern)
        case (.decimal32(let v), _): writer.integer(v.bitPattern)
        case (.decimal64(let v), _): writer.integer(v.bitPattern)
        case (.decimal128(let v), _):
            writer.integer(v.high)
            writer.integer(v.low)
        case (.char(let v), _): writer.integer(v.value)
        case (.timestamp(let v), _): writer.integer(v.millisecondsSince1970)
        case (.uuid(let v), _):
            writer.integer(v.high)
            writer.integer(v.low)
        case (.binary(let v), _):
            length(v.readableBytes)
            writer.bytes(of: v)
        case (.string(let v), _):
            length(v.utf8.count)
            writer.utf8(of: v)
        case (.symbol(let v), _):
            length(v.rawValue.utf8.count)
            writer.utf8(of: v.rawValue)
        case (.list(let elements), _):
            compound(bodySize: AMQPValue.bodySize(elements), count: elements.count)
            for element in elements { element.writeAMQP(to: &writer) }
        case (.map(let map), _):
            compound(bodySize: map.bodySize, count: map.count * 2)
            for entry in map.entries {
                entry.key.writeAMQP(to: &writer)
                entry.value.writeAMQP(to: &writer)
            }
        case (.array(let inner), _):
            let innerCode = elementCode(for: inner)
            compound(bodySize: inner.bodySize(code: innerCode), count: inner.count)
            inner.writeBody(to: &writer, code: innerCode)
        case (.described, _):
            preconditionFailure("AMQPArray elements are never described values")
        }
    }

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
        case .list:
            if elements.allSatisfy({ $0 == .list([]) }) { return 0x45 }
            return elements.allSatisfy(fitsNarrowCompound) ? 0xC0 : 0xD0
        case .map: return elements.allSatisfy(fitsNarrowCompound) ? 0xC1 : 0xD1
        case .array: return elements.allSatisfy(fitsNarrowCompound) ? 0xE0 : 0xF0
        }
    }

    /// Whether a list, map or array element fits an 8-bit size and count.
    private static func fitsNarrowCompound(_ value: AMQPValue) -> Bool {
        switch value {
        case .list(let elements): return AMQPSize.fitsNarrow(bodySize: AMQPValue.bodySize(elements), count: elements.count)
        case .map(let map): return AMQPSize.fitsNarrow(bodySize: map.bodySize, count: map.count * 2)
        case .array(let inner):
            return AMQPSize.fitsNarrow(bodySize: inner.bodySize(code: elementCode(for: inner)), count: inner.count)
        default: return false
        }
    }
}
