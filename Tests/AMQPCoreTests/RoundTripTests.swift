import NIOCore
import Testing
@testable import AMQPCore

/// Seeded randomized round trips: encode, decode, compare — for every type and composite.
@Suite struct RoundTripTests {
    @Test(arguments: AMQPPrimitiveType.allCases)
    func everyPrimitiveTypeRoundTrips(_ type: AMQPPrimitiveType) throws {
        var g = SeededGenerator(seed: UInt64(type.hashValue & 0xFFFF) | 1)
        var seen = 0
        for _ in 0..<20_000 where seen < 300 {
            let value = RandomValues.value(depth: 2, using: &g)
            guard value.primitiveType == type else { continue }
            seen += 1
            #expect(try AMQPValue(decoding: value.encoded()) == value)
        }
        #expect(seen > 0)
    }

    @Test func nestedValuesRoundTrip() throws {
        var g = SeededGenerator(seed: 42)
        for _ in 0..<3_000 {
            let value = RandomValues.value(depth: 4, using: &g)
            let encoded = value.encoded()
            #expect(try AMQPValue(decoding: encoded) == value)
            // Skipping walks exactly the same bytes as decoding.
            var decoder = AMQPDecoder(buffer: encoded)
            try decoder.skipValue()
            #expect(decoder.isAtEnd)
        }
    }

    @Test(arguments: allCompositeRoundTrips.indices)
    func everyCompositeRoundTrips(_ index: Int) throws {
        let (name, roundTrip) = allCompositeRoundTrips[index]
        var g = SeededGenerator(seed: UInt64(index) &* 7919 &+ 1)
        for _ in 0..<300 {
            #expect(try roundTrip(&g), "\(name)")
        }
    }

    @Test func encodingIsTheSameWhateverRoomTheOutputHas() throws {
        // The raw writer counts past the end of a too-small region, then the buffer grows and
        // the value is written again; a region that is exactly large enough is written once.
        var g = SeededGenerator(seed: 5)
        for _ in 0..<2_000 {
            let value = RandomValues.value(depth: 3, using: &g)
            let expected = value.encoded()
            #expect(expected.readableBytes == value.amqpEncodedSize)
            var out = ByteBuffer()
            out.writeString("prefix")
            out.reserveCapacity(out.writerIndex + Int.random(in: 0...(expected.readableBytes + 16), using: &g))
            out.writeAMQPValue(value)
            #expect(out.getString(at: 0, length: 6) == "prefix")
            #expect(out.getSlice(at: 6, length: out.readableBytes - 6) == expected)
        }
    }

    @Test func compositesAsGenericValuesRoundTrip() throws {
        var g = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let attach = Attach.random(using: &g)
            let generic = attach.amqpValue
            #expect(try Attach(decoding: generic.encoded()) == attach)
        }
    }
}
