import AMQPCore

/// The client side of the SASL layer (spec 5.3.2), as a pure state machine: each event returns
/// the one action the connection must perform.
///
/// header out → header in → sasl-mechanisms → sasl-init out → sasl-outcome. The credentials
/// are tried in the caller's order of preference against the server's list.
public struct SASLClientStateMachine: Sendable {
    public enum Action: Sendable, Hashable {
        case none
        /// Write the SASL protocol header.
        case sendHeader
        /// Write this sasl-init frame.
        case sendInit(SASLInit)
        /// SASL succeeded: continue with the AMQP protocol header.
        case authenticated(mechanism: AMQPSymbol)
        /// Close the transport, reporting `error`.
        case fail(SASLError)
    }

    enum State: Sendable, Hashable {
        case idle
        case headerSent
        case awaitingMechanisms
        case initSent(mechanism: AMQPSymbol)
        case authenticated
        case failed
    }

    private(set) var state: State = .idle
    private let credentials: [SASLCredentials]
    private let hostname: String?

    /// - Parameters:
    ///   - credentials: what this client can present, most preferred first.
    ///   - hostname: sent in sasl-init (virtual hosting, spec 5.3.3.2).
    public init(credentials: [SASLCredentials], hostname: String? = nil) {
        self.credentials = credentials
        self.hostname = hostname
    }

    public mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .headerSent
        return .sendHeader
    }

    public mutating func headerReceived(_ header: AMQPProtocolHeader) -> Action {
        guard case .headerSent = state else {
            return fail(SASLError(code: .unexpectedHeader, detail: "\(header) after the SASL header"))
        }
        guard header == .sasl else {
            return fail(SASLError(code: .unexpectedHeader, detail: "the peer answered with the \(header)"))
        }
        state = .awaitingMechanisms
        return .none
    }

    public mutating func frameReceived(_ body: SASLFrameBody) -> Action {
        switch (state, body) {
        case (.awaitingMechanisms, .mechanisms(let offered)):
            let names = Set(offered.saslServerMechanisms)
            guard let chosen = credentials.first(where: { names.contains($0.mechanism) }) else {
                return fail(SASLError(
                    code: .noCommonMechanism,
                    detail: "the server offers \(offered.saslServerMechanisms.map(\.rawValue).joined(separator: ", ")); "
                        + "this client has \(credentials.map(\.mechanism.rawValue).joined(separator: ", "))"))
            }
            state = .initSent(mechanism: chosen.mechanism)
            return .sendInit(SASLInit(mechanism: chosen.mechanism, initialResponse: chosen.initialResponse, hostname: hostname))
        case (.initSent(let mechanism), .outcome(let outcome)):
            guard outcome.code == .ok else {
                return fail(SASLError(code: .authenticationFailed, outcome: outcome.code, detail: "mechanism \(mechanism)"))
            }
            state = .authenticated
            return .authenticated(mechanism: mechanism)
        case (.failed, _):
            return .none
        default:
            // ANONYMOUS, PLAIN and EXTERNAL never need a challenge.
            return fail(SASLError(code: .unexpectedFrame, detail: "\(body.specName) in state \(state)"))
        }
    }

    private mutating func fail(_ error: SASLError) -> Action {
        state = .failed
        return .fail(error)
    }
}
