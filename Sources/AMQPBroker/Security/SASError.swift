/// Why a shared access signature (or JWT) was refused.
///
/// Descriptions name the key name, resource and audience, which are not secret, and never
/// the signature or any key.
public struct SASError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformed, unknownKeyName, badSignature, expired, notYetValid, audienceMismatch, insufficientRights
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Not a token of the expected shape (prefix, fields, encodings, expiry number).
        public static let malformed = Code(.malformed)
        /// No policy of that key name applies to the token's resource.
        public static let unknownKeyName = Code(.unknownKeyName)
        /// The signature is not the one the policy's key gives.
        public static let badSignature = Code(.badSignature)
        /// The token's expiry has passed.
        public static let expired = Code(.expired)
        /// The token's `nbf` (not before) is still ahead (JWT only).
        public static let notYetValid = Code(.notYetValid)
        /// The token's resource does not cover the audience it was presented for.
        public static let audienceMismatch = Code(.audienceMismatch)
        /// The token is valid but does not grant the right asked for.
        public static let insufficientRights = Code(.insufficientRights)

        public var description: String {
            switch base {
            case .malformed: return "malformed"
            case .unknownKeyName: return "unknownKeyName"
            case .badSignature: return "badSignature"
            case .expired: return "expired"
            case .notYetValid: return "notYetValid"
            case .audienceMismatch: return "audienceMismatch"
            case .insufficientRights: return "insufficientRights"
            }
        }
    }

    public var code: Code
    /// What was wrong, for people; never contains a signature or a key.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SASError.\(code): \(message)" }
    public var debugDescription: String { description }
}
