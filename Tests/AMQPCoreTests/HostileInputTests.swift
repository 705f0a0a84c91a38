import NIOCore
import Testing
@testable import AMQPCore

/// Bad input yields a typed error with an offset: never a trap, a hang, or a peer-sized allocation.
@Suite struct HostileInputTests {
    static let samples: [AMQPValue] = [
        .list([.uint(1), .string("héllo"), .map([.symbol("k"): .array(AMQPArray(symbols: ["a", "b"]))])]),
        .described(AMQPDescribed(descriptor: .ulong(0x70), value: .list([.boolean(true), .ubyte(4)]))),
        .map([.string("a"): .binary(ByteBuffer(repeating: 7, count: 300)), .long(-5): .timestamp(AMQPTimestamp(millisecondsSince1970: 9))]),
        .array(try! AMQPArray([.list([.null]), .list([.int(1000)])], of: .primitive(.list))),
    ]

    @Test(arguments: samples.indices)
    func everyTruncationIsATypedError(_ index: Int) {
        let encoded = Self.samples[index].encoded()
        for length in 0..<encoded.readableBytes {
            let prefix = encoded.getSlice(at: 0, length: length)!
            #expect(throws: AMQPDecodingError.self, "prefix of \(length) bytes") {
                try AMQPValue(decoding: prefix)
            }
        }
    }

    @Test func emptyInputIsTruncated() {
        #expect(decodeError("")?.code == .truncated)
    }

    @Test func unknownConstructorsAreRejectedWithTheirOffset() {
        for code: UInt8 in [0x01, 0x3F, 0x46, 0x57, 0x62, 0x75, 0x99, 0xA2, 0xB2, 0xC2, 0xE1, 0xFF] {
            let error = decodeError("c00302" + "40" + String(format2: code))
            #expect(error?.code == .invalidConstructor || error?.code == .truncated, "code \(code)")
            #expect(error?.offset == 4)
        }
    }

    @Test func oversizedSizesAndCountsFailBeforeAllocating() {
        // list32 claiming 4 GiB
        #expect(decodeError("d0ffffffff00000001" + "40")?.code == .sizeExceedsInput)
        // list8 claiming 255 elements in 2 bytes
        #expect(decodeError("c002ff40")?.code == .countExceedsSize)
        // map32 with a count of 2^32-1 in 4 bytes of body
        #expect(decodeError("d100000008ffffffff" + "40404040")?.code == .countExceedsSize)
        // binary32 claiming 2 GiB
        #expect(decodeError("b07fffffff00")?.code == .sizeExceedsInput)
        // string8 longer than the input
        #expect(decodeError("a10561")?.code == .sizeExceedsInput)
        // array of 2^32-1 uints in 9 bytes
        #expect(decodeError("f000000009ffffffff70" + "00000001")?.code == .countExceedsSize)
        // array of 2^32-1 nulls: zero-width elements are capped by the limit
        #expect(decodeError("f000000005ffffffff40")?.code == .countExceedsLimit)
        // size smaller than its own count field
        #expect(decodeError("d00000000200000000")?.code == .sizeMismatch)
        #expect(decodeError("c000")?.code == .sizeMismatch)
    }

    @Test func elementsMustFillTheDeclaredSizeExactly() {
        // list8 size 3, count 1, but holds two bytes of elements: 40 40
        #expect(decodeError("c0030140" + "40")?.code == .sizeMismatch)
        // element crossing the end of its list
        #expect(decodeError("c0020152" + "0a")?.code == .truncated)
        #expect(decodeError("c003015201" + "ff")?.code == .trailingBytes)
    }

    @Test func deepNestingIsCapped() {
        let depth = 200
        var encoded = String(repeating: "c00201", count: 0)
        // Nested list8s: each one wraps the rest; build from the inside out.
        var inner = bytes("45")
        for _ in 0..<depth {
            var outer = ByteBuffer()
            outer.writeAMQPList { buffer in
                buffer.writeImmutableBuffer(inner)
                return 1
            }
            inner = outer
        }
        encoded = hex(inner)
        #expect(decodeError(encoded)?.code == .nestingTooDeep)
        #expect(decodeError(encoded, limits: AMQPDecodingLimits(maxDepth: 500)) == nil)

        var described = "45"
        for _ in 0..<100 { described = "005301" + described }
        #expect(decodeError(described)?.code == .nestingTooDeep)
    }

    @Test func invalidTextIsRejected() {
        #expect(decodeError("a102c328")?.code == .invalidUTF8)         // bad continuation
        #expect(decodeError("a103eda080")?.code == .invalidUTF8)       // encoded surrogate
        #expect(decodeError("a102c0af")?.code == .invalidUTF8)         // overlong
        #expect(decodeError("a303e282ac")?.code == .invalidSymbol)     // non-ASCII symbol
        #expect(decodeError("730000d800")?.code == .invalidCharacter)  // surrogate char
        #expect(decodeError("7300110000")?.code == .invalidCharacter)  // beyond U+10FFFF
        #expect(decodeError("5602")?.code == .invalidBoolean)
    }

    @Test func mapsMustBeEvenAndKeysDistinct() {
        #expect(decodeError("c1030140" + "40")?.code == .oddMapCount)
        let duplicate = decodeError("c10904a3016140a3016140")
        #expect(duplicate?.code == .duplicateMapKey)
        #expect(duplicate?.offset == 7)
        // Large maps use a set to find duplicates.
        var entries = (0..<40).map { AMQPMap.Entry(key: .uint(UInt32($0)), value: .null) }
        entries.append(AMQPMap.Entry(key: .uint(3), value: .null))
        #expect(decodeError(hex(AMQPValue.map(AMQPMap(entries)).encoded()))?.code == .duplicateMapKey)
    }

    @Test func reservedDescriptorTypesDecodeGenericallyButNeverMatchAComposite() throws {
        let value = try AMQPValue(decoding: bytes("00a10178" + "45"))
        #expect(value == .described(AMQPDescribed(descriptor: .string("x"), value: .list([]))))
        #expect(throws: AMQPDecodingError.self) { try Open(decoding: bytes("00a10178" + "45")) }
        var decoder = AMQPDecoder(buffer: bytes("00a10178" + "45"))
        do {
            _ = try Performative.read(from: &decoder)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidDescriptor)
        }
    }

    @Test func arrayConstructorsMustBeKnown() {
        #expect(decodeError("e0020299")?.code == .invalidConstructor || decodeError("e0020299")?.code == .truncated)
        #expect(decodeError("e0030201ff")?.code == .invalidConstructor)
    }

    @Test func compositeFieldsAreCheckedThroughNesting() {
        // attach whose source is a described list of the wrong descriptor (target 0x29)
        let attach = "005312c00d04a1016c4341" + "40" + "40" + "005329" + "45"
        let fixed = attach.replacingOccurrences(of: "c00d04", with: "c00b06")
        do {
            _ = try Attach(decoding: bytes(fixed))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unexpectedDescriptor)
        }
    }

    @Test func randomGarbageNeverTraps() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            var buffer = ByteBuffer()
            for _ in 0..<length { buffer.writeInteger(UInt8.random(in: 0...255, using: &generator)) }
            if let value = try? AMQPValue(decoding: buffer) {
                #expect(try AMQPValue(decoding: value.encoded()) == value)
            }
        }
    }

    @Test func corruptedEncodingsNeverTrap() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<2_000 {
            var buffer = RandomValues.value(depth: 3, using: &generator).encoded()
            for _ in 0..<3 {
                let index = Int.random(in: 0..<buffer.readableBytes, using: &generator)
                buffer.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            }
            if let value = try? AMQPValue(decoding: buffer) {
                #expect(try AMQPValue(decoding: value.encoded()) == value)
            }
        }
    }
}

@Suite struct AmplificationTests {
    @Test func zeroWidthElementsShareOneBudgetPerDecode() {
        // array32 of 64 array32s, each of 65,536 `true` (0x41): 586 bytes, 4.2 million values.
        var inner = ByteBuffer()
        inner.writeInteger(UInt32(5))        // size: count + constructor
        inner.writeInteger(UInt32(65_536))   // count
        inner.writeInteger(UInt8(0x41))
        var outer = ByteBuffer()
        outer.writeInteger(UInt8(0xF0))
        outer.writeInteger(UInt32(4 + 1 + 64 * inner.readableBytes))
        outer.writeInteger(UInt32(64))
        outer.writeInteger(UInt8(0xF0))
        for _ in 0..<64 { outer.writeImmutableBuffer(inner) }
        #expect(decodeError(hex(outer))?.code == .countExceedsLimit)
        // One such array alone is within a budget of 65,536, not within the default 4,096.
        var single = ByteBuffer()
        single.writeInteger(UInt8(0xF0))
        single.writeImmutableBuffer(inner)
        #expect(decodeError(hex(single))?.code == .countExceedsLimit)
        #expect(decodeError(hex(single), limits: AMQPDecodingLimits(maxZeroWidthElements: 65_536)) == nil)
        #expect(decodeError(hex(outer), limits: AMQPDecodingLimits(maxZeroWidthElements: 65_536))?.code == .countExceedsLimit)
    }
}

@Suite struct StringIdentityTests {
    @Test func stringsCompareByTheirBytesNotByCanonicalEquivalence() throws {
        let precomposed = AMQPValue.string("\u{E9}")
        let decomposed = AMQPValue.string("e\u{301}")
        #expect(precomposed != decomposed)
        #expect(Set([precomposed, decomposed]).count == 2)
        // Both as keys of one map: distinct on the wire, so not a repeated key.
        let map = AMQPValue.map(AMQPMap([AMQPMap.Entry(key: precomposed, value: .int(1)),
                                         AMQPMap.Entry(key: decomposed, value: .int(2))]))
        #expect(try AMQPValue(decoding: map.encoded()) == map)
    }
}
