import AMQPCore

/// The server side of the SASL layer (spec 5.3.2), as a pure state machine. The connection
/// performs each action; checking credentials is its job too (`verify`), and it reports the
/// result back with `verified(_:)`.
public struct SASLServerStateMachine: Sendable {
    public enum Action: Sendable, Hashable {
        case none
        /// Write the SASL protocol header, then this sasl-mechanisms frame.
        case sendHeaderAndMechanisms(SASLMechanisms)
        /// Check these credentials (and the hostname the client asked for), then call `verified`.
        case verify(SASLPresented, hostname: String?)
        /// Write this sasl-outcome; then continue with AMQP as `identity`.
        case succeed(SASLOutcome, identity: SASLPresented)
        /// Write this sasl-outcome (when there is one), then close, reporting `error`.
        case reject(SASLOutcome?, SASLError)
        /// The client did not start with the SASL header: write the SASL header (the protocol
        /// this server wants) and close (spec 2.2).
        case rejectHeader(reply: AMQPProtocolHeader)
    }

    enum State: Sendable, Hashable {
        case awaitingHeader
        case awaitingInit
        case verifying(SASLPresented)
        case authenticated
        case failed
    }

    private(set) var state: State = .awaitingHeader
    private let mechanisms: [AMQPSymbol]

    /// - Parameter mechanisms: offered in this order; this library serves ANONYMOUS, PLAIN and
    ///   EXTERNAL.
    public init(mechanisms: [AMQPSymbol]) {
        self.mechanisms = mechanisms
    }

    public mutating func headerReceived(_ header: AMQPProtocolHeader) -> Action {
        guard case .awaitingHeader = state else {
            return reject(nil, SASLError(code: .unexpectedHeader, detail: "\(header) during SASL"))
        }
        guard header == .sasl else {
            state = .failed
            return .rejectHeader(reply: .sasl)
        }
        state = .awaitingInit
        return .sendHeaderAndMechanisms(SASLMechanisms(saslServerMechanisms: mechanisms))
    }

    public mutating func frameReceived(_ body: SASLFrameBody) -> Action {
        switch (state, body) {
        case (.awaitingInit, .initiate(let initiate)):
            guard mechanisms.contains(initiate.mechanism) else {
                return reject(SASLOutcome(code: .auth),
                              SASLError(code: .unsupportedMechanism, outcome: .auth, detail: "\(initiate.mechanism)"))
            }
            guard let presented = SASLPresented(mechanism: initiate.mechanism, response: initiate.initialResponse) else {
                return reject(SASLOutcome(code: .auth),
                              SASLError(code: .malformedResponse, outcome: .auth, detail: "\(initiate.mechanism)"))
            }
            state = .verifying(presented)
            return .verify(presented, hostname: initiate.hostname)
        case (.failed, _):
            return .none
        default:
            return reject(SASLOutcome(code: .sys),
                          SASLError(code: .unexpectedFrame, outcome: .sys, detail: "\(body.specName) in state \(state)"))
        }
    }

    /// The result of checking the credentials `verify` named.
    public mutating func verified(_ accepted: Bool) -> Action {
        guard case .verifying(let presented) = state else { return .none }
        guard accepted else {
            return reject(SASLOutcome(code: .auth), SASLError(code: .authenticationFailed, outcome: .auth, detail: "\(presented)"))
        }
        state = .authenticated
        return .succeed(SASLOutcome(code: .ok), identity: presented)
    }

    private mutating func reject(_ outcome: SASLOutcome?, _ error: SASLError) -> Action {
        state = .failed
        return .reject(outcome, error)
    }
}
