/// When to retry a failed Service Bus operation: exponential back-off with jitter, a cap on
/// the delay and on the number of retries, and a longer back-off when the service is busy.
///
/// Pure: `delay(forAttempt:error:randomUnit:)` only computes; the caller sleeps. Only transient
/// errors (`ServiceBusError.isTransient`) are retried.
public struct ServiceBusRetryPolicy: Hashable, Sendable {
    public enum Mode: Hashable, Sendable {
        /// `baseDelay · 2^(attempt-1)`.
        case exponential
        /// `baseDelay` every time.
        case fixed
    }

    public var mode: Mode
    /// How many retries after the first try (0 = never retry).
    public var maxRetries: Int
    public var baseDelay: Duration
    /// No delay is longer than this (jitter included).
    public var maxDelay: Duration
    /// The relative spread of the delay: 0.2 spreads it uniformly over ±20 %.
    public var jitter: Double
    /// The least delay after `serviceBusy` (the service asks clients to back off ~10 s).
    public var serverBusyDelay: Duration
    /// How long one try may take (for callers that bound each try).
    public var tryTimeout: Duration

    public init(
        mode: Mode = .exponential,
        maxRetries: Int = 3,
        baseDelay: Duration = .milliseconds(800),
        maxDelay: Duration = .seconds(60),
        jitter: Double = 0.2,
        serverBusyDelay: Duration = .seconds(10),
        tryTimeout: Duration = .seconds(60)
    ) {
        self.mode = mode
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.serverBusyDelay = serverBusyDelay
        self.tryTimeout = tryTimeout
    }

    public static let `default` = ServiceBusRetryPolicy()

    /// The delay before retry number `attempt` (1 = the first retry, after the first failure),
    /// or nil when the error is not transient or the retries are used up.
    ///
    /// - Parameter randomUnit: a source of numbers in `0..<1` (clamped into it), for the jitter.
    public func delay(
        forAttempt attempt: Int,
        error: ServiceBusError,
        randomUnit: () -> Double = { Double.random(in: 0..<1) }
    ) -> Duration? {
        guard error.isTransient, attempt >= 1, attempt <= maxRetries else { return nil }
        let base = max(0, Self.seconds(baseDelay))
        let ceiling = max(0, Self.seconds(maxDelay))
        var delay: Double
        switch mode {
        case .exponential:
            let exponent = Double(min(attempt - 1, 62))
            delay = base * Double(sign: .plus, exponent: Int(exponent), significand: 1)
        case .fixed:
            delay = base
        }
        let spread = min(max(jitter.isFinite ? jitter : 0, 0), 1)
        var unit = randomUnit()
        if !unit.isFinite { unit = 0.5 }
        unit = min(max(unit, 0), 1)
        delay *= 1 - spread + 2 * spread * unit
        if error.reason == .serviceBusy { delay = max(delay, Self.seconds(serverBusyDelay)) }
        delay = min(delay, ceiling)
        let nanoseconds = (delay * 1e9).rounded()
        guard nanoseconds.isFinite, nanoseconds < 9.2e18 else { return maxDelay }
        return .nanoseconds(Int64(nanoseconds))
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
