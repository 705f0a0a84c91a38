import Foundation

/// When to put a fresh token to `$cbs`: at about `refreshFraction` of the token's lifetime,
/// moved earlier by up to `jitterFraction` of it (so many links do not refresh at once), and
/// never sooner than `minimumInterval` after the token was acquired (so a short-lived or
/// already expired token does not make the client hammer the service).
///
/// Pure: the caller supplies the times and the randomness.
public struct TokenRefreshSchedule: Hashable, Sendable {
    /// The fraction of the lifetime after which to refresh (0.9: when 10 % is left).
    public var refreshFraction: Double
    /// The largest fraction of the lifetime the refresh is moved earlier by.
    public var jitterFraction: Double
    /// The least time between acquiring a token and refreshing it.
    public var minimumInterval: Duration

    public init(refreshFraction: Double = 0.9, jitterFraction: Double = 0.05, minimumInterval: Duration = .seconds(60)) {
        self.refreshFraction = refreshFraction
        self.jitterFraction = jitterFraction
        self.minimumInterval = minimumInterval
    }

    public static let `default` = TokenRefreshSchedule()

    /// When to refresh a token acquired at `acquiredAt` that expires at `expiresOn`.
    ///
    /// - Parameter randomUnit: a source of numbers in `0...1` (clamped into it; NaN counts as 0).
    public func refreshTime(acquiredAt: Date, expiresOn: Date, randomUnit: () -> Double = { Double.random(in: 0..<1) }) -> Date {
        let floor = acquiredAt.addingTimeInterval(max(0, ServiceBusRetryPolicy.seconds(minimumInterval)))
        let lifetime = expiresOn.timeIntervalSince(acquiredAt)
        guard lifetime.isFinite, lifetime > 0 else { return floor }
        let fraction = Self.clampedUnit(refreshFraction)
        let jitter = min(Self.clampedUnit(jitterFraction), fraction)
        let offset = lifetime * (fraction - jitter * Self.clampedUnit(randomUnit()))
        return max(acquiredAt.addingTimeInterval(offset), floor)
    }

    /// How long to wait, from `now`, before refreshing (zero if the time has passed).
    public func delay(
        acquiredAt: Date, expiresOn: Date, now: Date, randomUnit: () -> Double = { Double.random(in: 0..<1) }
    ) -> Duration {
        let seconds = refreshTime(acquiredAt: acquiredAt, expiresOn: expiresOn, randomUnit: randomUnit).timeIntervalSince(now)
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(seconds, 9.2e9) * 1e9))
    }

    static func clampedUnit(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        return min(max(value, 0), 1)
    }
}
