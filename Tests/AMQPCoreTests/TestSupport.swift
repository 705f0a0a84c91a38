import NIOCore
@testable import AMQPCore

/// Bytes from a hex string; spaces are ignored.
func bytes(_ hex: String) -> ByteBuffer {
    var buffer = ByteBuffer()
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
    precondition(digits.count % 2 == 0, "odd hex")
    var index = 0
    while index < digits.count {
        buffer.writeInteger(hexNibble(digits[index])! << 4 | hexNibble(digits[index + 1])!)
        index += 2
    }
    return buffer
}

func hex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { String(format2: $0) }.joined()
}

func encode(_ value: AMQPValue) -> String { hex(value.encoded()) }

func encode<T: AMQPFieldValue>(_ value: T) -> String {
    var buffer = ByteBuffer()
    value.writeAMQP(into: &buffer)
    return hex(buffer)
}

func decodeError(_ hexString: String, limits: AMQPDecodingLimits = .default) -> AMQPDecodingError? {
    do {
        _ = try AMQPValue(decoding: bytes(hexString), limits: limits)
        return nil
    } catch {
        return error
    }
}

/// A small deterministic PRNG (SplitMix64) so randomized tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
