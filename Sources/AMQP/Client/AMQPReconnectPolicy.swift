import AMQPCore

/// Whether, and how patiently, a connection comes back after losing its transport or being
/// closed by the peer for a passing reason (`amqp:connection:forced`,
/// `com.microsoft:server-busy`, an idle time-out).
///
/// On the way back it redoes SASL, begins every session again and re-attaches every link with
/// the same name, source and target; senders resend what was unsettled at the cut (same
/// bytes, so the same message-id: a broker's duplicate detection drops what had arrived).
public enum AMQPReconnectPolicy: Sendable, Hashable {
    /// The connection ends with its transport.
    case never
    /// Tries again after `initial`, doubling up to `max`, each delay moved by up to
    /// ±`jitter` (a fraction), at most `maxAttempts` times in a row (nil: no limit).
    case exponential(initial: Duration = .milliseconds(100), max: Duration = .seconds(30),
                     jitter: Double = 0.2, maxAttempts: Int? = nil)

    /// How long to wait before attempt `attempt` (1 is the first), nil once attempts are used
    /// up. `random` is a number in 0...1 (uniform), so that tests can fix it.
    public func delay(beforeAttempt attempt: Int, random: Double) -> Duration? {
        guard case .exponential(let initial, let max, let jitter, let maxAttempts) = self else { return nil }
        if let maxAttempts, attempt > maxAttempts { return nil }
        let doublings = Swift.min(Swift.max(attempt - 1, 0), 62)
        let base = Swift.min(initial.seconds * Double(UInt64(1) << UInt64(doublings)), max.seconds)
        let spread = Swift.min(Swift.max(jitter, 0), 1)
        let factor = 1 + spread * (2 * Swift.min(Swift.max(random, 0), 1) - 1)
        return .nanoseconds(Int64((base * factor * 1e9).rounded()))
    }

    /// Whether a connection that ended with `error` should come back under this policy:
    /// a lost transport, an idle time-out, or a close the peer meant as passing. Not bad
    /// credentials, TLS failures or protocol errors (trying again would fail the same way).
    func recovers(from error: AMQPConnectionError) -> Bool {
        guard self != .never else { return false }
        switch error.code {
        case .transportClosed, .idleTimeout:
            return true
        case .closedByPeer:
            guard let condition = error.error?.condition else { return false }
            return Self.transientConditions.contains(condition)
        default:
            return false
        }
    }

    static let transientConditions: Set<AMQPErrorCondition> = [
        .connectionForced, AMQPErrorCondition(rawValue: "com.microsoft:server-busy"),
        AMQPErrorCondition(rawValue: "com.microsoft:timeout"),
    ]
}

/// Where a connection stands, as `AMQPConnection.stateChanges()` reports it.
public enum AMQPConnectionState: Sendable, Hashable {
    /// Open (the first time, or again after reconnecting).
    case connected
    /// The transport is gone; attempt `attempt` to come back is due. `error` is why.
    case reconnecting(attempt: Int, error: AMQPClientError)
    /// Over for good: closed by us (nil), or failed with the reason.
    case closed(AMQPClientError?)
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
