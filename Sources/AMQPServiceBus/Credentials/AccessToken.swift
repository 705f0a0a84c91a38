import Foundation

/// A token to put to the `$cbs` node: its text, when it expires, and its kind.
///
/// `description` shows the kind and expiry only; the token text is never printed.
public struct AccessToken: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The kind of token, which decides the CBS `type` application property.
    public enum TokenType: Hashable, Sendable, CustomStringConvertible {
        /// A `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token.
        case sas
        /// A JSON Web Token (Microsoft Entra ID).
        case jwt

        /// The CBS put-token `type`: `servicebus.windows.net:sastoken` or `jwt`.
        public var cbsType: String {
            switch self {
            case .sas: return "servicebus.windows.net:sastoken"
            case .jwt: return "jwt"
            }
        }

        /// The token type a CBS `type` names, or nil for anything else.
        public init?(cbsType: String) {
            switch cbsType {
            case "servicebus.windows.net:sastoken": self = .sas
            case "jwt": self = .jwt
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .sas: return "sas"
            case .jwt: return "jwt"
            }
        }
    }

    /// The token text. Secret: never log it.
    public var token: String
    public var expiresOn: Date
    public var tokenType: TokenType

    public init(token: String, expiresOn: Date, tokenType: TokenType) {
        self.token = token
        self.expiresOn = expiresOn
        self.tokenType = tokenType
    }

    public var description: String {
        "AccessToken(\(tokenType), expiresOn: \(expiresOn.unixSeconds), token: <redacted>)"
    }

    public var debugDescription: String { description }
    /// Reflection (`dump`, debuggers) shows no token text.
    public var customMirror: Mirror { Mirror(self, children: ["tokenType": tokenType, "expiresOn": expiresOn], displayStyle: .struct) }
}

/// A source of tokens for the `$cbs` node, asked once per audience and refresh.
public protocol TokenCredential: Sendable {
    /// A token valid for `audience` (e.g. `sb://ns.servicebus.windows.net/queue`).
    func token(for audience: String) async throws -> AccessToken
}

/// A Microsoft Entra ID (JWT) credential: an async closure that acquires a token for a scope.
///
/// The scope is the same for every entity (`https://servicebus.azure.net//.default`); the
/// audience still goes to the `$cbs` node as the put-token `name`.
public struct JWTCredential: TokenCredential, CustomStringConvertible {
    /// The Entra ID scope for Service Bus.
    public static let serviceBusScope = "https://servicebus.azure.net//.default"

    /// What the provider returns: the token text and when it expires.
    public typealias Provider = @Sendable (_ scope: String) async throws -> (token: String, expiresOn: Date)

    public let scope: String
    private let provider: Provider

    public init(scope: String = JWTCredential.serviceBusScope, provider: @escaping Provider) {
        self.scope = scope
        self.provider = provider
    }

    public func token(for audience: String) async throws -> AccessToken {
        let acquired = try await provider(scope)
        return AccessToken(token: acquired.token, expiresOn: acquired.expiresOn, tokenType: .jwt)
    }

    public var description: String { "JWTCredential(scope: \(scope))" }
}

extension Date {
    /// Whole seconds since 1970, rounded down and clamped to `Int64` (NaN is 0).
    var unixSeconds: Int64 {
        let seconds = timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else { return seconds.isNaN ? 0 : (seconds < 0 ? Int64.min : Int64.max) }
        if seconds >= 9.2e18 { return Int64.max }
        if seconds <= -9.2e18 { return Int64.min }
        return Int64(seconds)
    }
}
