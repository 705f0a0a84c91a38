import COpenSSL

/// The primitives Service Bus SAS tokens need, from the same system OpenSSL as TLS.
public enum AMQPCrypto {
    /// HMAC-SHA256 (RFC 2104, FIPS 180-4) of `message` under `key`: 32 bytes.
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let key = Array(key)
        let message = Array(message)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                         messageBytes.baseAddress, messageBytes.count, &digest, &length)
            }
        }
        return Array(digest.prefix(Int(length)))
    }

    /// Standard base64 (RFC 4648 §4) with padding.
    public static func base64Encoded(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        guard !input.isEmpty else { return "" }
        var output = [UInt8](repeating: 0, count: 4 * ((input.count + 2) / 3) + 1)
        let written = EVP_EncodeBlock(&output, input, Int32(input.count))
        return String(decoding: output.prefix(Int(written)), as: UTF8.self)
    }

    /// Decodes standard base64 with padding; nil for anything else (bad characters, bad
    /// length or padding).
    public static func base64Decoded(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard !input.isEmpty else { return [] }
        guard input.count % 4 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let written = EVP_DecodeBlock(&output, input, Int32(input.count))
        guard written >= 0 else { return nil }
        // EVP_DecodeBlock counts padding as zero bytes: take them off.
        let padding = input.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        return Array(output.prefix(Int(written) - padding))
    }
}
