import AMQPCore

/// An error of one protocol scope (connection, session, link): a code saying what happened,
/// and the AMQP error the peer sent or we sent it.
public protocol AMQPScopedError: Error, CustomStringConvertible {
    associatedtype Code: CustomStringConvertible
    var code: Code { get }
    var error: AMQPError? { get }
}

extension AMQPScopedError {
    /// `code: condition (description)`; never credentials (conditions and descriptions are
    /// what the peers put on the wire).
    public var description: String {
        guard let error else { return code.description }
        return "\(code): \(error.condition)" + (error.errorDescription.map { " (\($0))" } ?? "")
    }
}
