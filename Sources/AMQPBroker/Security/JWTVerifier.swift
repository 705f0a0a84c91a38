import Foundation

/// Verifies HS256 JSON Web Tokens (RFC 7519, RFC 7515 with RFC 7518 §3.2) presented through
/// CBS with type `jwt`, against one configured shared secret.
///
/// A token is `base64url(header).base64url(payload).base64url(signature)`, the signature
/// being HMAC-SHA256 of the first two parts under the secret. The header must say
/// `"alg":"HS256"` (anything else, `none` included, is refused). The payload must carry a
/// numeric `exp`; `nbf` is honoured if present, `iss` is checked if ``issuer`` is set.
///
/// Scope: one entry of `aud` (a string or an array) must cover the CBS audience the way a
/// SAS resource does, or equal one of ``namespaceAudiences`` (such as
/// `https://servicebus.azure.net`), which grants the whole namespace of the CBS audience.
///
/// Rights come from a `roles` claim (an array of strings, or one string): `Send`, `Listen`,
/// `Manage`, or the Azure role names `Azure Service Bus Data Sender`, `… Receiver`,
/// `… Owner`, all case-insensitive; without a `roles` claim, ``defaultRights`` apply.
public struct JWTVerifier: Sendable {
    /// Longer tokens are refused before any decoding.
    public static let maximumLength = 8192

    private let secret: [UInt8]
    public let issuer: String?
    public let namespaceAudiences: Set<String>
    public let defaultRights: Set<AccessRight>

    public init(secret: [UInt8], issuer: String? = nil, namespaceAudiences: Set<String> = [],
                defaultRights: Set<AccessRight> = []) {
        self.secret = secret
        self.issuer = issuer
        self.namespaceAudiences = Set(namespaceAudiences.map(Self.normaliseAudience))
        self.defaultRights = defaultRights
    }

    private static func malformed(_ message: String) -> SASError { SASError(code: .malformed, message: message) }

    public func verify(token: String, audience: String, now: Date) throws(SASError) -> GrantedToken {
        guard token.utf8.count <= Self.maximumLength else { throw Self.malformed("JWT longer than \(Self.maximumLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Self.malformed("a JWT has three parts") }
        guard let headerBytes = Self.base64URLDecoded(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes))
        else { throw Self.malformed("JWT header is not base64url JSON") }
        guard header.alg == "HS256" else { throw Self.malformed("JWT algorithm must be HS256") }
        guard let payloadBytes = Self.base64URLDecoded(parts[1]) else { throw Self.malformed("JWT payload is not base64url") }
        guard let signature = Self.base64URLDecoded(parts[2]) else { throw Self.malformed("JWT signature is not base64url") }
        let signed = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let expected = AMQPCryptoBridge.hmacSHA256(key: secret, message: signed)
        guard AMQPCryptoBridge.constantTimeEquals(expected, signature) else {
            throw SASError(code: .badSignature, message: "JWT signature does not match")
        }
        // Claims are read only once the signature holds.
        guard let payload = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes)) else {
            throw Self.malformed("JWT claims are not JSON with a numeric exp, an aud and string roles")
        }

        guard payload.exp.isFinite, payload.exp.magnitude < 1e15 else { throw Self.malformed("JWT exp out of range") }
        let expiry = Date(timeIntervalSince1970: payload.exp)
        guard now < expiry else { throw SASError(code: .expired, message: "JWT expired at \(Int64(payload.exp))") }
        if let nbf = payload.nbf {
            guard nbf.isFinite, nbf.magnitude < 1e15 else { throw Self.malformed("JWT nbf out of range") }
            guard now >= Date(timeIntervalSince1970: nbf) else {
                throw SASError(code: .notYetValid, message: "JWT not valid before \(Int64(nbf))")
            }
        }
        if let issuer {
            guard payload.iss == issuer else {
                throw SASError(code: .audienceMismatch, message: "JWT issuer is not \(issuer)")
            }
        }

        guard let target = ResourceURI(PercentCoding.decode(audience) ?? audience) else {
            throw SASError(code: .audienceMismatch, message: "audience is not a resource URI")
        }
        var scope: ResourceURI?
        for candidate in payload.aud.values {
            if namespaceAudiences.contains(Self.normaliseAudience(candidate)) {
                scope = ResourceURI(target.host)
                break
            }
            if let uri = ResourceURI(candidate), uri.covers(target) {
                scope = uri
                break
            }
        }
        guard let scope else { throw SASError(code: .audienceMismatch, message: "JWT aud does not cover \(target)") }
        let rights = payload.roles.map { Self.rights($0.values) } ?? defaultRights
        let subject = payload.sub ?? "jwt"
        return GrantedToken(rights: rights, scope: scope, expiry: expiry, keyName: subject)
    }

    static func rights(_ roles: [String]) -> Set<AccessRight> {
        var rights: Set<AccessRight> = []
        for role in roles {
            switch role.lowercased() {
            case "send", "azure service bus data sender": rights.insert(.send)
            case "listen", "azure service bus data receiver": rights.insert(.listen)
            case "manage", "azure service bus data owner": rights.insert(.manage)
            default: continue
            }
        }
        return rights
    }

    static func normaliseAudience(_ audience: String) -> String {
        var text = audience.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    struct Header: Decodable {
        var alg: String
    }

    struct Claims: Decodable {
        var exp: Double
        var nbf: Double?
        var iss: String?
        var sub: String?
        var aud: OneOrMany
        var roles: OneOrMany?
    }

    /// A claim that is a string or an array of strings.
    struct OneOrMany: Decodable {
        var values: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                values = [single]
            } else {
                values = try container.decode([String].self)
            }
        }
    }

    /// base64url without padding (RFC 7515 §2); nil for any other character.
    static func base64URLDecoded(_ text: Substring) -> [UInt8]? {
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9": standard.unicodeScalars.append(scalar)
            case "-": standard.append("+")
            case "_": standard.append("/")
            default: return nil
            }
        }
        guard standard.utf8.count % 4 != 1 else { return nil }
        while standard.utf8.count % 4 != 0 { standard.append("=") }
        return AMQPCryptoBridge.base64Decoded(standard)
    }
}

extension JWTVerifier: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never shows the secret.
    public var description: String {
        "JWTVerifier(issuer: \(issuer ?? "any"), namespaceAudiences: \(namespaceAudiences.sorted()))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["issuer": issuer as Any, "namespaceAudiences": namespaceAudiences,
                                "defaultRights": defaultRights, "secret": "<redacted>"])
    }
}
