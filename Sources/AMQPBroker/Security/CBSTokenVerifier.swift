import Foundation

/// Verifies a CBS `put-token` by its `type`: `servicebus.windows.net:sastoken` with the SAS
/// verifier, `jwt` with the JWT verifier. A type with no verifier configured is refused as
/// ``SASError/Code-swift.struct/malformed``.
public struct CBSTokenVerifier: Sendable {
    public static let sasTokenType = "servicebus.windows.net:sastoken"
    public static let jwtTokenType = "jwt"

    public var sas: SASTokenVerifier?
    public var jwt: JWTVerifier?

    public init(sas: SASTokenVerifier? = nil, jwt: JWTVerifier? = nil) {
        self.sas = sas
        self.jwt = jwt
    }

    /// `type`, `token` (the body) and `audience` (the `name` property) of a put-token request.
    public func verify(type: String, token: String, audience: String, now: Date) throws(SASError) -> GrantedToken {
        switch type {
        case Self.sasTokenType:
            guard let sas else { break }
            return try sas.verify(token: token, audience: audience, now: now)
        case Self.jwtTokenType:
            guard let jwt else { break }
            return try jwt.verify(token: token, audience: audience, now: now)
        default:
            break
        }
        throw SASError(code: .malformed, message: "token type \(type) is not accepted")
    }
}

extension SASError {
    /// The `status-code` a CBS put-token response carries for this error: 400 for a
    /// malformed token, 401 for one that does not authenticate, 403 for missing rights.
    public var cbsStatusCode: Int32 {
        switch code {
        case .malformed: return 400
        case .insufficientRights: return 403
        default: return 401
        }
    }

    /// The AMQP error condition for refusing an attach or a put-token with this error.
    public var amqpCondition: String { "amqp:unauthorized-access" }
}
