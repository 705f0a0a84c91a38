import AMQPTLS

/// The crypto primitives the security checks use, in one place.
enum AMQPCryptoBridge {
    static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        AMQPCrypto.hmacSHA256(key: key, message: message)
    }

    static func base64Decoded(_ text: String) -> [UInt8]? {
        AMQPCrypto.base64Decoded(text)
    }

    static func base64Encoded(_ bytes: some Collection<UInt8>) -> String {
        AMQPCrypto.base64Encoded(bytes)
    }

    /// Compares in time that depends only on the lengths, not on where the bytes differ.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
