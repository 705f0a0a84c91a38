import AMQPTLS
import Testing

/// HMAC-SHA256 against RFC 4231's test vectors, base64 against RFC 4648's.
@Suite struct AMQPCryptoTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static let rfc4231: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // Test case 5 gives only the first 128 bits.
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8), "a3b6167473100ee06e0c796c2955552b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 0..<7)
    func hmacSHA256MatchesRFC4231(index: Int) {
        let vector = Self.rfc4231[index]
        let mac = Self.hex(AMQPCrypto.hmacSHA256(key: vector.key, message: vector.data))
        #expect(mac.hasPrefix(vector.mac))
        #expect(mac.count == 64)
    }

    @Test func base64MatchesRFC4648() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(AMQPCrypto.base64Encoded(Array(plain.utf8)) == encoded)
            #expect(AMQPCrypto.base64Decoded(encoded) == Array(plain.utf8))
        }
        let binary: [UInt8] = [0x00, 0xff, 0xfe, 0x10, 0x80]
        #expect(AMQPCrypto.base64Decoded(AMQPCrypto.base64Encoded(binary)) == binary)
        #expect(AMQPCrypto.base64Decoded("Zm9v!") == nil)
        #expect(AMQPCrypto.base64Decoded("Zm9") == nil)
        #expect(AMQPCrypto.base64Decoded("Z===") == nil)
    }
}
