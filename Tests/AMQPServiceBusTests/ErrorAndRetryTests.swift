import AMQP
import AMQPCore
import AMQPServiceBus
import Testing

@Suite struct ServiceBusErrorTests {
    static let expected: [(String, ServiceBusError.Reason, Bool)] = [
        ("amqp:link:detach-forced", .linkDetached, true),
        ("amqp:connection:forced", .connectionLost, true),
        ("amqp:resource-limit-exceeded", .quotaExceeded, false),
        ("amqp:unauthorized-access", .unauthorized, false),
        ("amqp:not-found", .messagingEntityNotFound, false),
        ("amqp:link:message-size-exceeded", .messageSizeExceeded, false),
        ("amqp:internal-error", .generalError, true),
        ("com.microsoft:message-lock-lost", .messageLockLost, false),
        ("com.microsoft:session-lock-lost", .sessionLockLost, false),
        ("com.microsoft:server-busy", .serviceBusy, true),
        ("com.microsoft:timeout", .serviceTimeout, true),
        ("com.microsoft:entity-disabled", .entityDisabled, false),
        ("com.microsoft:precondition-failed", .preconditionFailed, false),
        ("com.microsoft:message-not-found", .messageNotFound, false),
        ("com.microsoft:session-cannot-be-locked", .sessionCannotBeLocked, false),
        ("com.microsoft:auth-failed", .unauthorized, false),
        ("com.microsoft:argument-out-of-range", .argumentError, false),
        ("com.microsoft:entity-already-exists", .messagingEntityAlreadyExists, false),
        ("example:unknown", .generalError, false),
    ]

    @Test(arguments: expected)
    func mapsConditions(_ condition: String, _ reason: ServiceBusError.Reason, _ transient: Bool) {
        let error = ServiceBusError(condition: AMQPErrorCondition(stringLiteral: condition), errorDescription: "why")
        #expect(error.reason == reason)
        #expect(error.isTransient == transient)
        #expect(error.condition?.description == condition)
        #expect(error.description.contains(condition))
        #expect(error.description.contains("why"))
    }

    @Test func mapsAMQPErrorsAndClientErrors() {
        let amqp = AMQPError(condition: .serviceBusMessageLockLost, errorDescription: "lock expired")
        let fromAMQP = ServiceBusError(amqp, entityPath: "q")
        #expect(fromAMQP.reason == .messageLockLost)
        #expect(fromAMQP.entityPath == "q")
        #expect(fromAMQP.errorDescription == "lock expired")

        let detached = ServiceBusError(AMQPClientError(code: .linkDetached, error: AMQPError(condition: .detachForced)))
        #expect(detached.reason == .linkDetached)
        #expect(detached.isTransient)
        let closed = ServiceBusError(AMQPClientError(code: .connectionClosed))
        #expect(closed.reason == .connectionLost)
        #expect(closed.isTransient)
        let timedOut = ServiceBusError(AMQPClientError(code: .timedOut))
        #expect(timedOut.reason == .serviceTimeout)
        #expect(timedOut.isTransient)
        struct Other: Error {}
        #expect(ServiceBusError(classifying: Other()) == nil)
        #expect(ServiceBusError(classifying: CancellationError()) == nil)
        #expect(ServiceBusError(classifying: fromAMQP) == fromAMQP)
        #expect(ServiceBusError(classifying: AMQPClientError(code: .connectionClosed))?.reason == .connectionLost)
        let cancelled = ServiceBusError(AMQPClientError(code: .cancelled))
        #expect(cancelled.reason == .generalError)
        #expect(!cancelled.isTransient)
    }
}

@Suite struct RetryPolicyTests {
    static let busy = ServiceBusError(condition: .serviceBusServerBusy)
    static let timeout = ServiceBusError(condition: .serviceBusTimeout)
    static let lockLost = ServiceBusError(condition: .serviceBusMessageLockLost)

    @Test func exponentialWithoutJitterAtTheMidpoint() {
        let policy = ServiceBusRetryPolicy(maxRetries: 5, baseDelay: .seconds(1), maxDelay: .seconds(60), jitter: 0.2)
        #expect(policy.delay(forAttempt: 1, error: Self.timeout, randomUnit: { 0.5 }) == .seconds(1))
        #expect(policy.delay(forAttempt: 2, error: Self.timeout, randomUnit: { 0.5 }) == .seconds(2))
        #expect(policy.delay(forAttempt: 3, error: Self.timeout, randomUnit: { 0.5 }) == .seconds(4))
        #expect(policy.delay(forAttempt: 5, error: Self.timeout, randomUnit: { 0.5 }) == .seconds(16))
        #expect(policy.delay(forAttempt: 6, error: Self.timeout, randomUnit: { 0.5 }) == nil)
        #expect(policy.delay(forAttempt: 0, error: Self.timeout, randomUnit: { 0.5 }) == nil)
    }

    @Test func jitterSpreadsTheDelay() {
        let policy = ServiceBusRetryPolicy(maxRetries: 3, baseDelay: .seconds(2), jitter: 0.25)
        #expect(policy.delay(forAttempt: 1, error: Self.timeout, randomUnit: { 0 }) == .milliseconds(1500))
        #expect(policy.delay(forAttempt: 1, error: Self.timeout, randomUnit: { 1 }) == .milliseconds(2500))
        #expect(policy.delay(forAttempt: 2, error: Self.timeout, randomUnit: { 0.75 }) == .milliseconds(4500))
        // Out-of-range randomness is clamped, never trusted.
        #expect(policy.delay(forAttempt: 1, error: Self.timeout, randomUnit: { 7 }) == .milliseconds(2500))
        #expect(policy.delay(forAttempt: 1, error: Self.timeout, randomUnit: { .nan }) == .seconds(2))
        for _ in 0..<200 {
            let delay = policy.delay(forAttempt: 1, error: Self.timeout)
            #expect(delay.map { $0 >= .milliseconds(1500) && $0 <= .milliseconds(2500) } == true)
        }
    }

    @Test func delayIsCappedAndHugeAttemptsDoNotOverflow() {
        let policy = ServiceBusRetryPolicy(maxRetries: 1000, baseDelay: .seconds(1), maxDelay: .seconds(30), jitter: 0)
        #expect(policy.delay(forAttempt: 6, error: Self.timeout) == .seconds(30))
        #expect(policy.delay(forAttempt: 1000, error: Self.timeout) == .seconds(30))
    }

    @Test func serverBusyBacksOffLonger() {
        let policy = ServiceBusRetryPolicy(baseDelay: .milliseconds(800), jitter: 0, serverBusyDelay: .seconds(10))
        #expect(policy.delay(forAttempt: 1, error: Self.busy) == .seconds(10))
        #expect(policy.delay(forAttempt: 1, error: Self.timeout) == .milliseconds(800))
        let capped = ServiceBusRetryPolicy(maxDelay: .seconds(5), jitter: 0, serverBusyDelay: .seconds(10))
        #expect(capped.delay(forAttempt: 1, error: Self.busy) == .seconds(5))
    }

    @Test func fixedMode() {
        let policy = ServiceBusRetryPolicy(mode: .fixed, maxRetries: 3, baseDelay: .seconds(3), jitter: 0)
        #expect(policy.delay(forAttempt: 3, error: Self.timeout) == .seconds(3))
    }

    @Test func onlyTransientErrorsAreRetried() {
        let policy = ServiceBusRetryPolicy()
        #expect(policy.delay(forAttempt: 1, error: Self.lockLost) == nil)
        #expect(policy.delay(forAttempt: 1, error: ServiceBusError(condition: .unauthorizedAccess)) == nil)
        #expect(policy.delay(forAttempt: 1, error: ServiceBusError(condition: .detachForced)) != nil)
        #expect(ServiceBusRetryPolicy(maxRetries: 0).delay(forAttempt: 1, error: Self.timeout) == nil)
    }
}
