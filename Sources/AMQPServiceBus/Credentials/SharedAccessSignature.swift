import AMQPTLS
import Foundation

/// A Service Bus shared access signature:
/// `SharedAccessSignature sr=<url-encoded uri>&sig=<url-encoded base64 HMAC>&se=<unix expiry>&skn=<key name>`.
///
/// The signature is `HMAC-SHA256(key as UTF-8 text, urlencode(uri) + "\n" + expiry)`, base64;
/// the key is used as its text, not base64-decoded. URL encoding is Python's
/// `urllib.parse.quote_plus` (what the azure-servicebus SDK signs with): `A-Z a-z 0-9 _ . - ~`
/// stay, a space becomes `+`, every other UTF-8 byte becomes `%XX` (upper-case hex). The
/// resource is signed as given (not lower-cased).
///
/// `description` shows the resource, expiry and key name; the signature is redacted.
public struct SharedAccessSignature: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    static let prefix = "SharedAccessSignature "

    /// The resource URI (decoded), e.g. `sb://ns.servicebus.windows.net/queue`.
    public let resource: String
    /// The `sig` value as it appears in the token (URL-encoded base64). Secret.
    public let encodedSignature: String
    /// The expiry, in seconds since 1970.
    public let expiry: Int64
    /// The key name (decoded), if the token carries `skn`.
    public let keyName: String?
    /// The complete token text: as signed, or as parsed (trimmed). Secret.
    public let token: String

    public var expiresOn: Date { Date(timeIntervalSince1970: TimeInterval(expiry)) }

    /// Signs `resource` with `key` until `expiry` (seconds since 1970).
    public init(resource: String, keyName: String, key: String, expiry: Int64) {
        let stringToSign = Self.urlEncoded(resource) + "\n" + String(expiry)
        let mac = AMQPCrypto.hmacSHA256(key: Array(key.utf8), message: Array(stringToSign.utf8))
        self.resource = resource
        self.encodedSignature = Self.urlEncoded(AMQPCrypto.base64Encoded(mac))
        self.expiry = expiry
        self.keyName = keyName
        self.token = Self.prefix + "sr=" + Self.urlEncoded(resource) + "&sig=" + encodedSignature
            + "&se=\(expiry)&skn=" + Self.urlEncoded(keyName)
    }

    /// Parses a token. `sr`, `sig` and a numeric `se` are required, `skn` is optional, in any
    /// order; unknown fields are an error.
    public init(parsing text: String) throws(ServiceBusConfigurationError) {
        let invalid = ServiceBusConfigurationError(code: .invalidSignature, key: "SharedAccessSignature")
        let trimmed = Substring(text).trimmingASCIIWhitespace()
        guard trimmed.count > Self.prefix.count,
            trimmed.prefix(Self.prefix.count).lowercased() == Self.prefix.lowercased()
        else { throw invalid }
        var resource: String?
        var signature: String?
        var expiry: Int64?
        var keyName: String?
        for field in trimmed.dropFirst(Self.prefix.count).split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = field.firstIndex(of: "=") else { throw invalid }
            let name = field[..<equals]
            let value = field[field.index(after: equals)...]
            guard !value.isEmpty else { throw invalid }
            switch name {
            case "sr":
                guard resource == nil, let decoded = Self.urlDecoded(value) else { throw invalid }
                resource = decoded
            case "sig":
                guard signature == nil else { throw invalid }
                signature = String(value)
            case "se":
                guard expiry == nil, value.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int64(value)
                else { throw invalid }
                expiry = seconds
            case "skn":
                guard keyName == nil, let decoded = Self.urlDecoded(value) else { throw invalid }
                keyName = decoded
            default:
                throw invalid
            }
        }
        guard let resource, let signature, let expiry else { throw invalid }
        self.resource = resource
        self.encodedSignature = signature
        self.expiry = expiry
        self.keyName = keyName
        self.token = String(trimmed)
    }

    public var description: String {
        var text = "SharedAccessSignature(sr: \(resource), se: \(expiry)"
        if let keyName { text += ", skn: \(keyName)" }
        return text + ", sig: <redacted>)"
    }

    public var debugDescription: String { description }
    /// Reflection (`dump`, debuggers) shows no signature.
    public var customMirror: Mirror {
        Mirror(self, children: ["resource": resource, "expiry": expiry, "keyName": keyName as Any], displayStyle: .struct)
    }

    /// Python's `quote_plus`: unreserved ASCII stays, space is `+`, the rest `%XX`.
    public static func urlEncoded(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out.append("+")
            default:
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// The inverse of `urlEncoded` (`+` is a space); nil for a bad escape or invalid UTF-8.
    public static func urlDecoded(_ text: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
