import NIOCore

/// Writes AMQP encodings straight into memory that was sized beforehand.
///
/// The encoder works in two passes: first every value reports its exact encoded size
/// (`AMQPFieldValue.amqpEncodedSize`, pure arithmetic), then the bytes are stored through this
/// writer into one region reserved in the output `ByteBuffer`. That costs one capacity check
/// and one exclusivity check per encoded value instead of one per byte written.
public struct AMQPRawWriter {
    @usableFromInline var pointer: UnsafeMutableRawPointer
    @usableFromInline let start: UnsafeMutableRawPointer

    @inlinable
    init(_ start: UnsafeMutableRawPointer) {
        self.pointer = start
        self.start = start
    }

    /// Bytes written so far.
    @inlinable
    public var count: Int { pointer - start }

    @inlinable
    public mutating func byte(_ value: UInt8) {
        pointer.storeBytes(of: value, as: UInt8.self)
        pointer += 1
    }

    @inlinable
    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        pointer.storeBytes(of: value.bigEndian, as: T.self)
        pointer += MemoryLayout<T>.size
    }

    @inlinable
    public mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        pointer.copyMemory(from: base, byteCount: source.count)
        pointer += source.count
    }

    @inlinable
    public mutating func bytes(of buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes($0) }
    }

    @inlinable
    public mutating func utf8(of string: String) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { bytes(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            var string = string
            string.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Writes a list, map or array whose elements `body` writes, returning their count; the
    /// header is chosen after the fact. The body is first written after a narrow header and
    /// moved six bytes on when the wide one is needed, which stays within the reserved size
    /// because that size was computed for the wide header.
    @inlinable
    public mutating func compound(code8: UInt8, code32: UInt8, _ body: (inout AMQPRawWriter) -> Int) {
        let start = pointer
        pointer += 3
        let count = body(&self)
        let bodySize = pointer - start - 3
        if AMQPSize.fitsNarrow(bodySize: bodySize, count: count) {
            start.storeBytes(of: code8, as: UInt8.self)
            (start + 1).storeBytes(of: UInt8(truncatingIfNeeded: bodySize + 1), as: UInt8.self)
            (start + 2).storeBytes(of: UInt8(truncatingIfNeeded: count), as: UInt8.self)
        } else {
            (start + 9).copyMemory(from: start + 3, byteCount: bodySize)
            start.storeBytes(of: code32, as: UInt8.self)
            (start + 1).storeBytes(of: UInt32(truncatingIfNeeded: bodySize + 4).bigEndian, as: UInt32.self)
            (start + 5).storeBytes(of: UInt32(truncatingIfNeeded: count).bigEndian, as: UInt32.self)
            pointer += 6
        }
    }

    /// `code8 length8` or `code32 length32`, as `AMQPSize.variableHeader` sized it.
    @inlinable
    public mutating func variableHeader(code8: UInt8, code32: UInt8, length: Int) {
        if length <= 0xFF {
            byte(code8)
            byte(UInt8(truncatingIfNeeded: length))
        } else {
            byte(code32)
            integer(UInt32(truncatingIfNeeded: length))
        }
    }

    /// A list, map or array header for a body of `bodySize` bytes holding `count` elements
    /// (the body excludes the count field), as `AMQPSize.compoundHeader` sized it.
    @inlinable
    public mutating func compoundHeader(code8: UInt8, code32: UInt8, bodySize: Int, count: Int) {
        if AMQPSize.fitsNarrow(bodySize: bodySize, count: count) {
            byte(code8)
            byte(UInt8(truncatingIfNeeded: bodySize + 1))
            byte(UInt8(truncatingIfNeeded: count))
        } else {
            byte(code32)
            integer(UInt32(truncatingIfNeeded: bodySize + 4))
            integer(UInt32(truncatingIfNeeded: count))
        }
    }
}

/// Encoded sizes, mirroring the choices `AMQPRawWriter` and the `ByteBuffer` writers make.
public enum AMQPSize {
    @inlinable
    public static func uint(_ value: UInt32) -> Int { value == 0 ? 1 : (value <= 0xFF ? 2 : 5) }
    @inlinable
    public static func ulong(_ value: UInt64) -> Int { value == 0 ? 1 : (value <= 0xFF ? 2 : 9) }
    @inlinable
    public static func int(_ value: Int32) -> Int { (-128...127).contains(value) ? 2 : 5 }
    @inlinable
    public static func long(_ value: Int64) -> Int { (-128...127).contains(value) ? 2 : 9 }
    /// Constructor and length field of a binary, string or symbol of `length` bytes.
    @inlinable
    public static func variableHeader(_ length: Int) -> Int { length <= 0xFF ? 2 : 5 }
    @inlinable
    public static func fitsNarrow(bodySize: Int, count: Int) -> Bool { bodySize < 0xFF && count <= 0xFF }
    /// Constructor, size and count of a list, map or array.
    @inlinable
    public static func compoundHeader(bodySize: Int, count: Int) -> Int {
        fitsNarrow(bodySize: bodySize, count: count) ? 3 : 9
    }
}

extension ByteBuffer {
    /// Writes `value` in one pass over memory reserved for its exact size.
    @inlinable
    public mutating func writeAMQPField<T: AMQPFieldValue>(_ value: T) {
        let size = value.amqpEncodedSize
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = AMQPRawWriter(raw.baseAddress!)
            value.writeAMQP(to: &writer)
            assert(writer.count == size, "\(T.self): wrote \(writer.count) bytes, sized \(size)")
            return size
        }
    }
}

extension AMQPRawWriter {
    @inlinable
    public mutating func uint(_ value: UInt32) {
        if value == 0 {
            byte(0x43)
        } else if value <= 0xFF {
            byte(0x52)
            byte(UInt8(truncatingIfNeeded: value))
        } else {
            byte(0x70)
            integer(value)
        }
    }

    @inlinable
    public mutating func ulong(_ value: UInt64) {
        if value == 0 {
            byte(0x44)
        } else if value <= 0xFF {
            byte(0x53)
            byte(UInt8(truncatingIfNeeded: value))
        } else {
            byte(0x80)
            integer(value)
        }
    }

    @inlinable
    public mutating func int(_ value: Int32) {
        if (-128...127).contains(value) {
            byte(0x54)
            integer(Int8(truncatingIfNeeded: value))
        } else {
            byte(0x71)
            integer(value)
        }
    }

    @inlinable
    public mutating func long(_ value: Int64) {
        if (-128...127).contains(value) {
            byte(0x55)
            integer(Int8(truncatingIfNeeded: value))
        } else {
            byte(0x81)
            integer(value)
        }
    }

    /// `0x00` and a ulong descriptor.
    @inlinable
    public mutating func descriptor(_ code: UInt64) {
        byte(0x00)
        ulong(code)
    }
}
