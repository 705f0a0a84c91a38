/// The fields of a shared access signature, parsed but not yet verified.
///
/// `SharedAccessSignature sr=<resource>&sig=<signature>&se=<expiry>&skn=<key name>`, fields
/// in any order, each URL-encoded. Unknown fields are ignored; a repeated field is refused.
struct SASToken: Sendable, Hashable {
    /// Longer tokens are refused before any parsing.
    static let maximumLength = 4096
    static let prefix = "SharedAccessSignature "

    /// `sr` exactly as it appears in the token (still URL-encoded): what clients sign.
    var encodedResource: String
    /// `sr` decoded.
    var resource: String
    /// The decoded signature bytes.
    var signature: [UInt8]
    /// `se`, seconds since the Unix epoch.
    var expiry: Int64
    /// `se` as it appears (it is signed as text).
    var expiryText: String
    /// `skn`, decoded.
    var keyName: String

    static func malformed(_ message: String) -> SASError {
        SASError(code: .malformed, message: message)
    }

    /// Parses a token; every failure is ``SASError/Code-swift.struct/malformed`` and its
    /// message names the field, never the signature.
    init(parsing text: String) throws(SASError) {
        guard text.utf8.count <= Self.maximumLength else { throw Self.malformed("token longer than \(Self.maximumLength) bytes") }
        let trimmed = text.drop(while: { $0 == " " })
        guard trimmed.count > Self.prefix.count,
              trimmed.prefix(Self.prefix.count).lowercased() == Self.prefix.lowercased()
        else { throw Self.malformed("not a SharedAccessSignature token") }
        let body = trimmed.dropFirst(Self.prefix.count).trimmingSuffix(" ")
        var fields: [String: Substring] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = pair.firstIndex(of: "=") else { throw Self.malformed("a field without '='") }
            let name = pair[..<equals].lowercased()
            guard ["sr", "sig", "se", "skn"].contains(name) else { continue }
            guard fields[name] == nil else { throw Self.malformed("field \(name) repeated") }
            fields[name] = pair[pair.index(after: equals)...]
        }
        guard let sr = fields["sr"], !sr.isEmpty else { throw Self.malformed("missing sr") }
        guard let sig = fields["sig"], !sig.isEmpty else { throw Self.malformed("missing sig") }
        guard let se = fields["se"], !se.isEmpty else { throw Self.malformed("missing se") }
        guard let skn = fields["skn"], !skn.isEmpty else { throw Self.malformed("missing skn") }

        guard let resource = PercentCoding.decode(sr) else { throw Self.malformed("sr is not URL-encoded UTF-8") }
        guard let signatureText = PercentCoding.decode(sig), let signature = Self.base64Decoded(signatureText),
              !signature.isEmpty
        else { throw Self.malformed("sig is not URL-encoded base64") }
        guard se.utf8.count <= 18, se.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let expiry = Int64(se)
        else { throw Self.malformed("se is not a number of seconds") }
        guard let keyName = PercentCoding.decode(skn) else { throw Self.malformed("skn is not URL-encoded UTF-8") }

        self.encodedResource = String(sr)
        self.resource = resource
        self.signature = signature
        self.expiry = expiry
        self.expiryText = String(se)
        self.keyName = keyName
    }

    /// Standard base64; unpadded input is padded first (some clients strip the `=`).
    static func base64Decoded(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                return true
            default:
                return false
            }
        }) else { return nil }
        var padded = text
        while padded.utf8.count % 4 != 0 { padded.append("=") }
        return AMQPCryptoBridge.base64Decoded(padded)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        var result = self
        while result.last == character { result = result.dropLast() }
        return result
    }
}
