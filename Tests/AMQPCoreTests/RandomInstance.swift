import NIOCore
@testable import AMQPCore

/// A type the round-trip tests can make seeded random instances of.
protocol RandomInstance {
    static func random(using g: inout SeededGenerator) -> Self
}

extension Bool: RandomInstance {}
extension UInt8: RandomInstance {
    static func random(using g: inout SeededGenerator) -> UInt8 { RandomValues.interesting(UInt8.self, using: &g) }
}
extension UInt16: RandomInstance {
    static func random(using g: inout SeededGenerator) -> UInt16 { RandomValues.interesting(UInt16.self, using: &g) }
}
extension UInt32: RandomInstance {
    static func random(using g: inout SeededGenerator) -> UInt32 { RandomValues.interesting(UInt32.self, using: &g) }
}
extension UInt64: RandomInstance {
    static func random(using g: inout SeededGenerator) -> UInt64 { RandomValues.interesting(UInt64.self, using: &g) }
}
extension String: RandomInstance {
    static func random(using g: inout SeededGenerator) -> String { RandomValues.string(using: &g) }
}
extension AMQPSymbol: RandomInstance {
    static func random(using g: inout SeededGenerator) -> AMQPSymbol { AMQPSymbol(RandomValues.ascii(using: &g)) }
}
extension ByteBuffer: RandomInstance {
    static func random(using g: inout SeededGenerator) -> ByteBuffer { RandomValues.binary(using: &g) }
}
extension AMQPTimestamp: RandomInstance {
    static func random(using g: inout SeededGenerator) -> AMQPTimestamp {
        AMQPTimestamp(millisecondsSince1970: RandomValues.interesting(Int64.self, using: &g))
    }
}
extension AMQPMap: RandomInstance {
    static func random(using g: inout SeededGenerator) -> AMQPMap { RandomValues.map(depth: 2, using: &g) }
}
extension AMQPValue: RandomInstance {
    /// Never null: an optional field holding `.null` is indistinguishable from an absent one.
    static func random(using g: inout SeededGenerator) -> AMQPValue {
        while true {
            let value = RandomValues.value(depth: 2, using: &g)
            if !value.isNull { return value }
        }
    }
}
extension Array: RandomInstance where Element == AMQPSymbol {
    static func random(using g: inout SeededGenerator) -> [AMQPSymbol] {
        (0..<Int.random(in: 0..<4, using: &g)).map { _ in AMQPSymbol.random(using: &g) }
    }
}
extension AMQPMessageID: RandomInstance {
    static func random(using g: inout SeededGenerator) -> AMQPMessageID {
        switch Int.random(in: 0..<4, using: &g) {
        case 0: return .ulong(.random(using: &g))
        case 1: return .uuid(AMQPUUID(high: g.next(), low: g.next()))
        case 2: return .binary(.random(using: &g))
        default: return .string(.random(using: &g))
        }
    }
}
extension AMQPErrorCondition: RandomInstance {
    static func random(using g: inout SeededGenerator) -> AMQPErrorCondition {
        [.notFound, .framingError, .linkRedirect, AMQPErrorCondition(rawValue: .random(using: &g))].randomElement(using: &g)!
    }
}
extension TerminusExpiryPolicy: RandomInstance {
    static func random(using g: inout SeededGenerator) -> TerminusExpiryPolicy {
        [.linkDetach, .sessionEnd, .connectionClose, .never].randomElement(using: &g)!
    }
}
extension DistributionMode: RandomInstance {
    static func random(using g: inout SeededGenerator) -> DistributionMode { [.move, .copy].randomElement(using: &g)! }
}

/// The field encoding of any value.
func encodedField<T: AMQPFieldValue>(_ value: T) -> ByteBuffer {
    var buffer = ByteBuffer()
    value.writeAMQP(into: &buffer)
    return buffer
}
