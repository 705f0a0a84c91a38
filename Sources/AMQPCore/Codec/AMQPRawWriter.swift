import NIOCore

/// Writes AMQP encodings straight into a region of memory.
///
/// The writer stores bytes through a raw pointer, checking only that each store fits the
/// region: no per-byte capacity or exclusivity checks as with `ByteBuffer.writeInteger`. When
/// the region is too small it keeps counting without storing, so that `count` ends up as the
/// exact size needed; `ByteBuffer.writeAMQPField` then grows the buffer and writes again
/// (rare: a reused output buffer is usually large enough). Compound headers are chosen after
/// their bodies are written, so no value is ever sized before it is written.
public struct AMQPRawWriter {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let capacity: Int
    /// Bytes written (or, past `capacity`, counted) so far.
    @usableFromInline var written: Int

    /// Bytes written (or, past `capacity`, counted) so far.
    @inlinable
    public var count: Int { written }

    @inlinable
    init(_ base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
        self.written = 0
    }

    /// Whether everything written so far fits the region.
    @inlinable
    public var fits: Bool { written <= capacity }

    @inlinable @inline(__always)
    public mutating func byte(_ value: UInt8) {
        if written < capacity { base.storeBytes(of: value, toByteOffset: written, as: UInt8.self) }
        written += 1
    }

    @inlinable @inline(__always)
    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        let size = MemoryLayout<T>.size
        if capacity - written >= size { (base + written).storeBytes(of: value.bigEndian, as: T.self) }
        written += size
    }

    @inlinable
    public mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        if capacity - written >= source.count { (base + written).copyMemory(from: from, byteCount: source.count) }
        written += source.count
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
    /// header is chosen after the fact: the body is written after a narrow header and moved
    /// six bytes on when the wide one is needed.
    @inlinable
    public mutating func compound(code8: UInt8, code32: UInt8, _ body: (inout AMQPRawWriter) -> Int) {
        let start = written
        written += 3
        let elements = body(&self)
        let bodySize = written - start - 3
        if AMQPSize.fitsNarrow(bodySize: bodySize, count: elements) {
            guard written <= capacity else { return }
            base.storeBytes(of: code8, toByteOffset: start, as: UInt8.self)
            base.storeBytes(of: UInt8(truncatingIfNeeded: bodySize + 1), toByteOffset: start + 1, as: UInt8.self)
            base.storeBytes(of: UInt8(truncatingIfNeeded: elements), toByteOffset: start + 2, as: UInt8.self)
        } else {
            written += 6
            guard written <= capacity else { return }
            (base + start + 9).copyMemory(from: base + start + 3, byteCount: bodySize)
            base.storeBytes(of: code32, toByteOffset: start, as: UInt8.self)
            (base + start + 1).storeBytes(of: UInt32(truncatingIfNeeded: bodySize + 4).bigEndian, as: UInt32.self)
            (base + start + 5).storeBytes(of: UInt32(truncatingIfNeeded: elements).bigEndian, as: UInt32.self)
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
    /// Writes `value` straight into this buffer's writable memory (growing it and writing
    /// again if it was too small).
    @inlinable
    public mutating func writeAMQPField<T: AMQPFieldValue>(_ value: T) {
        writeAMQPRaw { value.writeAMQP(to: &$0) }
    }

    /// Runs `body` over a raw writer on this buffer's writable memory and commits what it
    /// wrote; if it did not fit, grows the buffer to the size it counted and runs it again.
    @inlinable
    public mutating func writeAMQPRaw(_ body: (inout AMQPRawWriter) -> Void) {
        var needed = 0
        var done = false
        writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { raw in
            var writer = raw.baseAddress.map { AMQPRawWriter($0, capacity: raw.count) }
                ?? AMQPRawWriter(UnsafeMutableRawPointer(bitPattern: 0x10)!, capacity: 0)
            body(&writer)
            needed = writer.count
            done = writer.fits
            return done ? writer.count : 0
        }
        guard !done else { return }
        writeWithUnsafeMutableBytes(minimumWritableBytes: needed) { raw in
            var writer = AMQPRawWriter(raw.baseAddress!, capacity: raw.count)
            body(&writer)
            return writer.count
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
