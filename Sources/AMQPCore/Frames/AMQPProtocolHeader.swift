import NIOCore

/// The 8-byte protocol header that opens each layer of a connection (spec 2.2, 5.1, 5.2):
/// `"AMQP" protocol-id major minor revision`.
public struct AMQPProtocolHeader: Hashable, Sendable, CustomStringConvertible {
    public enum ProtocolID: UInt8, Sendable {
        case amqp = 0
        case tls = 2
        case sasl = 3
    }

    public var protocolID: ProtocolID
    public var major: UInt8
    public var minor: UInt8
    public var revision: UInt8

    public init(protocolID: ProtocolID, major: UInt8 = 1, minor: UInt8 = 0, revision: UInt8 = 0) {
        self.protocolID = protocolID
        self.major = major
        self.minor = minor
        self.revision = revision
    }

    /// `AMQP 0 1.0.0`
    public static let amqp = AMQPProtocolHeader(protocolID: .amqp)
    /// `AMQP 3 1.0.0`
    public static let sasl = AMQPProtocolHeader(protocolID: .sasl)
    /// `AMQP 2 1.0.0`
    public static let tls = AMQPProtocolHeader(protocolID: .tls)

    /// The four bytes "AMQP" as a big-endian integer.
    public static let magic: UInt32 = 0x414D_5150
    public static let length = 8

    /// Whether this is a version this library speaks (1.0.0).
    public var isSupportedVersion: Bool { major == 1 && minor == 0 && revision == 0 }

    public var description: String {
        let name: String
        switch protocolID {
        case .amqp: name = "AMQP"
        case .tls: name = "TLS"
        case .sasl: name = "SASL"
        }
        return "\(name) header \(protocolID.rawValue) \(major).\(minor).\(revision)"
    }
}

extension ByteBuffer {
    public mutating func writeAMQPProtocolHeader(_ header: AMQPProtocolHeader) {
        writeInteger(AMQPProtocolHeader.magic)
        writeInteger(header.protocolID.rawValue)
        writeInteger(header.major)
        writeInteger(header.minor)
        writeInteger(header.revision)
    }
}
