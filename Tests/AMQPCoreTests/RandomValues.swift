import NIOCore
@testable import AMQPCore

/// Seeded random AMQP values of every type, for round-trip tests.
enum RandomValues {
    static func value(depth: Int, using g: inout SeededGenerator) -> AMQPValue {
        let kinds = depth > 0 ? 26 : 21
        switch Int.random(in: 0..<kinds, using: &g) {
        case 0: return .null
        case 1: return .boolean(Bool.random(using: &g))
        case 2: return .ubyte(.random(in: .min ... .max, using: &g))
        case 3: return .ushort(.random(in: .min ... .max, using: &g))
        case 4: return .uint(interesting(UInt32.self, using: &g))
        case 5: return .ulong(interesting(UInt64.self, using: &g))
        case 6: return .byte(.random(in: .min ... .max, using: &g))
        case 7: return .short(.random(in: .min ... .max, using: &g))
        case 8: return .int(interesting(Int32.self, using: &g))
        case 9: return .long(interesting(Int64.self, using: &g))
        case 10: return .float(Float(bitPattern: .random(in: .min ... .max, using: &g)))
        case 11: return .double(Double(bitPattern: .random(in: .min ... .max, using: &g)))
        case 12: return .decimal32(AMQPDecimal32(bitPattern: .random(in: .min ... .max, using: &g)))
        case 13: return .decimal64(AMQPDecimal64(bitPattern: .random(in: .min ... .max, using: &g)))
        case 14: return .decimal128(AMQPDecimal128(high: g.next(), low: g.next()))
        case 15: return .char(scalar(using: &g))
        case 16: return .timestamp(AMQPTimestamp(millisecondsSince1970: interesting(Int64.self, using: &g)))
        case 17: return .uuid(AMQPUUID(high: g.next(), low: g.next()))
        case 18: return .binary(binary(using: &g))
        case 19: return .string(string(using: &g))
        case 20: return .symbol(AMQPSymbol(ascii(using: &g)))
        case 21: return .array(array(depth: depth, using: &g))
        case 22: return .list((0..<Int.random(in: 0..<6, using: &g)).map { _ in value(depth: depth - 1, using: &g) })
        case 23: return .map(map(depth: depth, using: &g))
        case 24:
            let descriptor: AMQPValue = Bool.random(using: &g) ? .ulong(g.next() >> 40) : .symbol(AMQPSymbol(ascii(using: &g)))
            return .described(AMQPDescribed(descriptor: descriptor, value: value(depth: depth - 1, using: &g)))
        default:
            return .list((0..<Int.random(in: 250..<300, using: &g)).map { _ in .uint(UInt32.random(in: 0...1000, using: &g)) })
        }
    }

    static func map(depth: Int, using g: inout SeededGenerator) -> AMQPMap {
        var map = AMQPMap()
        for _ in 0..<Int.random(in: 0..<6, using: &g) {
            let key = value(depth: 0, using: &g)
            if map[key] == nil { map[key] = value(depth: depth - 1, using: &g) }
        }
        return map
    }

    static func array(depth: Int, using g: inout SeededGenerator) -> AMQPArray {
        let count = Int.random(in: 0..<5, using: &g)
        let template = value(depth: depth - 1, using: &g)
        guard let type = template.primitiveType else { return AMQPArray(symbols: []) }
        var elements: [AMQPValue] = []
        for _ in 0..<count {
            var candidate = value(depth: depth - 1, using: &g)
            var tries = 0
            while candidate.primitiveType != type && tries < 200 {
                candidate = value(depth: depth - 1, using: &g)
                tries += 1
            }
            if candidate.primitiveType == type { elements.append(candidate) }
        }
        if Bool.random(using: &g) {
            return try! AMQPArray(elements, of: .described(descriptor: .ulong(0x77), .primitive(type)))
        }
        return try! AMQPArray(elements, of: .primitive(type))
    }

    static func interesting<T: FixedWidthInteger>(_: T.Type, using g: inout SeededGenerator) -> T {
        switch Int.random(in: 0..<5, using: &g) {
        case 0: return 0
        case 1: return T(truncatingIfNeeded: Int.random(in: -200...300, using: &g))
        case 2: return .max
        case 3: return .min
        default: return T(truncatingIfNeeded: g.next())
        }
    }

    static func scalar(using g: inout SeededGenerator) -> Unicode.Scalar {
        while true {
            if let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &g)) { return scalar }
        }
    }

    static func string(using g: inout SeededGenerator) -> String {
        let count = Bool.random(using: &g) ? Int.random(in: 0..<20, using: &g) : Int.random(in: 200..<300, using: &g)
        var text = ""
        for _ in 0..<count { text.unicodeScalars.append(Bool.random(using: &g) ? "a" : scalar(using: &g)) }
        return text
    }

    static func ascii(using g: inout SeededGenerator) -> String {
        String(decoding: (0..<Int.random(in: 0..<12, using: &g)).map { _ in UInt8.random(in: 0x20...0x7E, using: &g) },
               as: UTF8.self)
    }

    static func binary(using g: inout SeededGenerator) -> ByteBuffer {
        let count = Bool.random(using: &g) ? Int.random(in: 0..<16, using: &g) : Int.random(in: 250..<400, using: &g)
        var buffer = ByteBuffer()
        for _ in 0..<count { buffer.writeInteger(UInt8.random(in: 0...255, using: &g)) }
        return buffer
    }
}
