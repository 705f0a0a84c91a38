import AMQPCore
import Foundation
import NIOCore

/// The lock token of a peek-locked message: a GUID.
///
/// It travels in two byte orders. The 16-byte delivery tag is in .NET `Guid.ToByteArray()`
/// order (the first three fields little-endian: bytes 0-3, 4-5 and 6-7 reversed); the
/// `x-opt-lock-token` annotation and `$management` `lock-tokens` are AMQP `uuid`s, in
/// RFC 4122 (network) order, like Foundation's `UUID`.
public struct ServiceBusLockToken: Hashable, Sendable, CustomStringConvertible {
    public var uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    /// The token a 16-byte delivery tag in .NET GUID byte order carries; nil for any other length.
    public init?(deliveryTag: some Collection<UInt8>) {
        guard deliveryTag.count == 16 else { return nil }
        let bytes = Self.swapGUIDFields(Array(deliveryTag))
        self.uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// The token 16 bytes in RFC 4122 order carry; nil for any other length.
    public init?(rfcBytes: some Collection<UInt8>) {
        guard rfcBytes.count == 16 else { return nil }
        self.init(deliveryTag: Self.swapGUIDFields(Array(rfcBytes)))
    }

    /// The token a delivery tag buffer carries (its readable bytes).
    public init?(deliveryTag: ByteBuffer) {
        self.init(deliveryTag: deliveryTag.readableBytesView)
    }

    /// The token an AMQP `uuid` carries (RFC order, no swap).
    public init(amqpUUID: AMQPUUID) {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: amqpUUID.high >> (56 - 8 * UInt64(index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: amqpUUID.low >> (56 - 8 * UInt64(index)))
        }
        self.uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// The 16 bytes in RFC 4122 order.
    public var rfcBytes: [UInt8] {
        let u = uuid.uuid
        return [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
    }

    /// The 16-byte delivery tag, in .NET GUID byte order.
    public var deliveryTag: [UInt8] { Self.swapGUIDFields(rfcBytes) }

    /// The delivery tag in a new buffer.
    public var deliveryTagBuffer: ByteBuffer { ByteBuffer(bytes: deliveryTag) }

    /// The AMQP `uuid` (RFC order) for annotations and `$management` bodies.
    public var amqpUUID: AMQPUUID {
        let bytes = rfcBytes
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[8 + index])
        }
        return AMQPUUID(high: high, low: low)
    }

    /// The canonical lower-case text, as the SDKs print lock tokens.
    public var description: String { uuid.uuidString.lowercased() }

    /// Reverses bytes 0-3, 4-5 and 6-7: the map between .NET and RFC order, its own inverse.
    static func swapGUIDFields(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        out[0] = bytes[3]; out[1] = bytes[2]; out[2] = bytes[1]; out[3] = bytes[0]
        out[4] = bytes[5]; out[5] = bytes[4]
        out[6] = bytes[7]; out[7] = bytes[6]
        return out
    }
}
