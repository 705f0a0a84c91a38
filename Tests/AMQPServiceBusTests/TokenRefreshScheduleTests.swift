import AMQPServiceBus
import Foundation
import Testing

@Suite struct TokenRefreshScheduleTests {
    static let acquired = Date(timeIntervalSince1970: 1_767_222_000)
    static let hour = acquired.addingTimeInterval(3600)

    @Test func refreshesAtNinetyPercentMinusJitter() {
        let schedule = TokenRefreshSchedule()
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour, randomUnit: { 0 })
            == Self.acquired.addingTimeInterval(3240))
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour, randomUnit: { 1 })
            == Self.acquired.addingTimeInterval(3060))
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour, randomUnit: { 0.5 })
            == Self.acquired.addingTimeInterval(3150))
        for _ in 0..<100 {
            let time = schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour)
            #expect(time >= Self.acquired.addingTimeInterval(3060) && time <= Self.acquired.addingTimeInterval(3240))
        }
    }

    @Test func neverSoonerThanTheFloor() {
        let schedule = TokenRefreshSchedule(minimumInterval: .seconds(60))
        let short = Self.acquired.addingTimeInterval(30)
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: short, randomUnit: { 0 })
            == Self.acquired.addingTimeInterval(60))
        let expired = Self.acquired.addingTimeInterval(-10)
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: expired, randomUnit: { 0 })
            == Self.acquired.addingTimeInterval(60))
    }

    @Test func badRandomnessAndFractionsAreClamped() {
        let schedule = TokenRefreshSchedule(refreshFraction: 3, jitterFraction: -1, minimumInterval: .zero)
        #expect(schedule.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour, randomUnit: { .nan }) == Self.hour)
        let normal = TokenRefreshSchedule()
        #expect(normal.refreshTime(acquiredAt: Self.acquired, expiresOn: Self.hour, randomUnit: { 5 })
            == Self.acquired.addingTimeInterval(3060))
    }

    @Test func delayFromNow() {
        let schedule = TokenRefreshSchedule()
        let now = Self.acquired.addingTimeInterval(240)
        #expect(schedule.delay(acquiredAt: Self.acquired, expiresOn: Self.hour, now: now, randomUnit: { 0 }) == .seconds(3000))
        let late = Self.acquired.addingTimeInterval(4000)
        #expect(schedule.delay(acquiredAt: Self.acquired, expiresOn: Self.hour, now: late, randomUnit: { 0 }) == .zero)
    }
}
