import AMQPCore

/// Why the SASL layer failed. `description` never includes credentials.
public struct SASLError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case noCommonMechanism = "no SASL mechanism in common with the peer"
            case authenticationFailed = "SASL authentication failed"
            case unexpectedFrame = "unexpected SASL frame"
            case unexpectedHeader = "unexpected protocol header during SASL"
            case unsupportedMechanism = "the client chose a mechanism this server does not offer"
            case malformedResponse = "malformed SASL response"
        }

        let base: Base
        public static let noCommonMechanism = Code(base: .noCommonMechanism)
        public static let authenticationFailed = Code(base: .authenticationFailed)
        public static let unexpectedFrame = Code(base: .unexpectedFrame)
        public static let unexpectedHeader = Code(base: .unexpectedHeader)
        public static let unsupportedMechanism = Code(base: .unsupportedMechanism)
        public static let malformedResponse = Code(base: .malformedResponse)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The outcome code the server sent or will send, when there is one.
    public var outcome: SASLCode?
    /// Mechanism names, frame names: never credentials.
    public var detail: String?

    public init(code: Code, outcome: SASLCode? = nil, detail: String? = nil) {
        self.code = code
        self.outcome = outcome
        self.detail = detail
    }

    public var description: String {
        var text = code.description
        if let outcome { text += " (outcome \(outcome))" }
        if let detail { text += ": \(detail)" }
        return text
    }
}
