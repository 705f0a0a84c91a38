import NIOCore
import Testing
@testable import AMQPCore

/// Exact bytes for every encoding of every primitive type (spec 1.6), both directions.
@Suite struct PrimitiveEncodingTests {
    /// (value, the encoder's bytes) — the encoder must pick exactly these (smallest) encodings.
    static let smallest: [(AMQPValue, String)] = [
        (.null, "40"),
        (.boolean(true), "41"),
        (.boolean(false), "42"),
        (.ubyte(0), "5000"), (.ubyte(255), "50ff"),
        (.ushort(0), "600000"), (.ushort(0xABCD), "60abcd"),
        (.uint(0), "43"), (.uint(1), "5201"), (.uint(255), "52ff"), (.uint(256), "7000000100"),
        (.uint(.max), "70ffffffff"),
        (.ulong(0), "44"), (.ulong(7), "5307"), (.ulong(256), "800000000000000100"),
        (.ulong(.max), "80ffffffffffffffff"),
        (.byte(-1), "51ff"), (.byte(127), "517f"),
        (.short(-2), "61fffe"), (.short(300), "61012c"),
        (.int(0), "5400"), (.int(-128), "5480"), (.int(127), "547f"), (.int(128), "7100000080"),
        (.int(-129), "71ffffff7f"), (.int(.min), "7180000000"),
        (.long(-1), "55ff"), (.long(127), "557f"), (.long(128), "810000000000000080"),
        (.long(.min), "818000000000000000"),
        (.float(1.0), "723f800000"), (.float(-0.0), "7280000000"),
        (.double(1.0), "823ff0000000000000"), (.double(.infinity), "827ff0000000000000"),
        (.decimal32(AMQPDecimal32(bitPattern: 0x2200_0001)), "7422000001"),
        (.decimal64(AMQPDecimal64(bitPattern: 0x2238_0000_0000_0001)), "842238000000000001"),
        (.decimal128(AMQPDecimal128(high: 0x2208_0000_0000_0000, low: 1)), "9422080000000000000000000000000001"),
        (.char("A"), "7300000041"), (.char("\u{1F600}"), "730001f600"),
        (.timestamp(AMQPTimestamp(millisecondsSince1970: 1_311_704_463_521)), "830000013167adb8a1"),
        (.timestamp(AMQPTimestamp(millisecondsSince1970: -1)), "83ffffffffffffffff"),
        (.uuid(AMQPUUID(uuidString: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")!), "98f81d4fae7dec11d0a76500a0c91e6bf6"),
        (.binary(ByteBuffer()), "a000"), (.binary(bytes("0102")), "a0020102"),
        (.string(""), "a100"), (.string("héllo"), "a10668c3a96c6c6f"),
        (.symbol("amqp"), "a304616d7170"),
        (.list([]), "45"),
        (.list([.uint(1), .null, .boolean(true)]), "c0050352014041"),
        (.map([:]), "c10100"),
        (.map([.symbol("a"): .int(1)]), "c10602a301615401"),
        (.array(AMQPArray(symbols: ["a", "bc"])), "e00702a30161026263"),
        (.described(AMQPDescribed(descriptor: .ulong(0x10), value: .list([]))), "005310" + "45"),
        (.described(AMQPDescribed(descriptor: .symbol("x:y"), value: .string("v"))), "00a303783a79a10176"),
    ]

    @Test(arguments: smallest.indices)
    func encodesSmallestAndDecodesBack(_ index: Int) throws {
        let (value, expected) = Self.smallest[index]
        #expect(encode(value) == expected)
        #expect(try AMQPValue(decoding: bytes(expected)) == value)
    }

    /// Every wider encoding the decoder must accept, and the value it means.
    static let wider: [(String, AMQPValue)] = [
        ("5600", .boolean(false)), ("5601", .boolean(true)),
        ("7000000000", .uint(0)), ("5200", .uint(0)),
        ("800000000000000000", .ulong(0)), ("5300", .ulong(0)),
        ("7100000005", .int(5)), ("810000000000000005", .long(5)),
        ("b000000000", .binary(ByteBuffer())), ("b00000000101", .binary(bytes("01"))),
        ("b10000000161", .string("a")), ("b30000000161", .symbol("a")),
        ("c00100", .list([])), ("d00000000400000000", .list([])),
        ("d00000000500000001" + "40", .list([.null])),
        ("d10000000400000000", .map([:])),
        ("f00000000900000002" + "a3" + "0161" + "0162", .array(AMQPArray(symbols: ["a", "b"]))),
        ("e0020241", .array(try! AMQPArray([.boolean(true), .boolean(true)], of: .primitive(.boolean)))),
        ("e0020340", .array(try! AMQPArray([.null, .null, .null], of: .primitive(.null)))),
        ("e0020243", .array(try! AMQPArray([.uint(0), .uint(0)], of: .primitive(.uint)))),
    ]

    @Test(arguments: wider.indices)
    func decodesWiderEncodings(_ index: Int) throws {
        let (encoded, value) = Self.wider[index]
        #expect(try AMQPValue(decoding: bytes(encoded)) == value)
    }

    @Test func decodesDescriptorWithFullWidthULong() throws {
        let value = try AMQPValue(decoding: bytes("00800000000000000010" + "45"))
        #expect(value == .described(AMQPDescribed(descriptor: .ulong(0x10), value: .list([]))))
    }

    @Test func widensLongListsToList32() throws {
        let elements = (0..<300).map { AMQPValue.uint(UInt32($0)) }
        let encoded = AMQPValue.list(elements).encoded()
        #expect(encoded.getInteger(at: 0, as: UInt8.self) == 0xD0)
        #expect(encoded.getInteger(at: 5, as: UInt32.self) == 300)
        #expect(encoded.getInteger(at: 1, as: UInt32.self) == UInt32(encoded.readableBytes - 5))
        #expect(try AMQPValue(decoding: encoded) == .list(elements))
    }

    @Test func widensLongStringsAndBinary() throws {
        let long = String(repeating: "x", count: 256)
        #expect(encode(.string(long)).hasPrefix("b100000100"))
        #expect(encode(.symbol(AMQPSymbol(long))).hasPrefix("b300000100"))
        #expect(encode(.binary(ByteBuffer(repeating: 1, count: 256))).hasPrefix("b000000100"))
        #expect(encode(.string(String(repeating: "x", count: 255))).hasPrefix("a1ff"))
    }

    @Test func listOf254BytesStaysNarrowAnd255Widens() throws {
        // list8 size counts the count byte: a 254-byte body is size 255, the most list8 holds.
        let narrow = AMQPValue.list([.binary(ByteBuffer(repeating: 0, count: 252))])  // a0 fc + 252 bytes = 254
        #expect(narrow.encoded().getInteger(at: 0, as: UInt8.self) == 0xC0)
        let wide = AMQPValue.list([.binary(ByteBuffer(repeating: 0, count: 253))])
        #expect(wide.encoded().getInteger(at: 0, as: UInt8.self) == 0xD0)
        #expect(try AMQPValue(decoding: wide.encoded()) == wide)
    }

    @Test func arraysPickOneNarrowestElementEncoding() throws {
        let small = try AMQPArray([.uint(1), .uint(255)], of: .primitive(.uint))
        #expect(encode(.array(small)) == "e0040252" + "01ff")
        let big = try AMQPArray([.uint(1), .uint(256)], of: .primitive(.uint))
        #expect(encode(.array(big)) == "e00a0270" + "00000001" + "00000100")
        let longs = try AMQPArray([.long(-1), .long(5)], of: .primitive(.long))
        #expect(encode(.array(longs)) == "e0040255ff05")
        let bools = try AMQPArray([.boolean(true), .boolean(false)], of: .primitive(.boolean))
        #expect(encode(.array(bools)) == "e00402560100")
        let empty = try AMQPArray([], of: .primitive(.int))
        #expect(encode(.array(empty)) == "e0020054")
    }

    @Test func arraysOfDescribedElementsAndArraysOfArrays() throws {
        let described = try AMQPArray([.string("a"), .string("b")],
                                      of: .described(descriptor: .symbol("t"), .primitive(.string)))
        let encoded = AMQPValue.array(described).encoded()
        #expect(hex(encoded) == "e00a02" + "00a30174" + "a1" + "0161" + "0162")
        #expect(try AMQPValue(decoding: encoded) == .array(described))

        let inner1 = try AMQPArray([.int(1), .int(2)], of: .primitive(.int))
        let inner2 = AMQPArray(symbols: ["x"])
        let outer = try AMQPArray([.array(inner1), .array(inner2)], of: .primitive(.array))
        let outerBytes = AMQPValue.array(outer).encoded()
        #expect(try AMQPValue(decoding: outerBytes) == .array(outer))
        #expect(outerBytes.getInteger(at: 3, as: UInt8.self) == 0xE0)

        let lists = try AMQPArray([.list([.null]), .list([])], of: .primitive(.list))
        #expect(try AMQPValue(decoding: AMQPValue.array(lists).encoded()) == .array(lists))
        let maps = try AMQPArray([.map([.string("k"): .null])], of: .primitive(.map))
        #expect(try AMQPValue(decoding: AMQPValue.array(maps).encoded()) == .array(maps))
    }

    @Test func arrayRejectsMixedElements() {
        #expect(throws: AMQPArray.TypeMismatch.self) {
            try AMQPArray([.int(1), .long(2)], of: .primitive(.int))
        }
    }

    @Test func floatEqualityIsByBitPattern() {
        #expect(AMQPValue.double(.nan) == .double(.nan))
        #expect(AMQPValue.double(0.0) != .double(-0.0))
    }
}
