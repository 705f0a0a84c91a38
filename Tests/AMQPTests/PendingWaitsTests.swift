import Testing
@testable import AMQP

/// The table of waits on its own, with whole numbers for time: every wait ends once, by
/// answer, deadline or the end of everything, and the one timer is armed for the earliest.
@Suite struct PendingWaitsTests {
    typealias Waits = PendingWaits<Int, String>

    @Test func theTimerFollowsTheEarliestDeadline() {
        var waits = Waits()
        let a = waits.makeTicket(), b = waits.makeTicket(), c = waits.makeTicket()
        #expect(waits.add("a", ticket: a, deadline: 30) == .arm(30))
        #expect(waits.add("b", ticket: b, deadline: 10) == .arm(10))
        #expect(waits.add("c", ticket: c, deadline: 20) == .keep)
        #expect(waits.armed == 10)
        // The earliest answered: the timer fires early, and then moves on.
        #expect(waits.take(b) == "b")
        let fired = waits.expire(now: 10)
        #expect(fired.expired.isEmpty)
        #expect(fired.timer == .arm(20))
    }

    @Test func expiryEndsWhatIsDueInDeadlineOrder() {
        var waits = Waits()
        for (name, deadline) in [("late", 50), ("first", 5), ("second", 7), ("never", nil)] as [(String, Int?)] {
            _ = waits.add(name, ticket: waits.makeTicket(), deadline: deadline)
        }
        let (expired, timer) = waits.expire(now: 7)
        #expect(expired.map(\.1) == ["first", "second"])
        #expect(timer == .arm(50))
        #expect(waits.count == 2)
        let (late, after) = waits.expire(now: 100)
        #expect(late.map(\.1) == ["late"])
        #expect(after == .keep)
        #expect(waits.count == 1)
    }

    @Test func aWaitEndsOnce() {
        var waits = Waits()
        let ticket = waits.makeTicket()
        _ = waits.add("x", ticket: ticket, deadline: 1)
        #expect(waits.take(ticket) == "x")
        #expect(waits.take(ticket) == nil)
        #expect(waits.expire(now: 5).expired.isEmpty)
        // A ticket never added, or added and ended, ends nothing.
        #expect(waits.take(waits.makeTicket()) == nil)
    }

    @Test func extendingMovesTheDeadline() {
        var waits = Waits()
        let batch = waits.makeTicket()
        #expect(waits.add("batch", ticket: batch, deadline: 10) == .arm(10))
        #expect(waits.extend(batch, to: 40) == .keep)
        // At 10 the old deadline is stale: nothing ends, the timer moves to 40.
        let early = waits.expire(now: 10)
        #expect(early.expired.isEmpty)
        #expect(early.timer == .arm(40))
        #expect(waits.expire(now: 40).expired.map(\.1) == ["batch"])
    }

    @Test func takeAllEndsEverythingInOrderAndStopsTheTimer() {
        var waits = Waits()
        for name in ["one", "two", "three"] { _ = waits.add(name, ticket: waits.makeTicket(), deadline: 9) }
        let (all, timer) = waits.takeAll()
        #expect(all == ["one", "two", "three"])
        #expect(timer == .cancel)
        #expect(waits.isEmpty)
        #expect(waits.expire(now: 100).expired.isEmpty)
    }

    @Test func randomOperationsKeepEveryWaitEndingExactlyOnce() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var waits = PendingWaits<Int, Int>()
            var live: [PendingWaits<Int, Int>.Ticket: (value: Int, deadline: Int?)] = [:]
            var ended = Set<Int>()
            var now = 0
            var armed: Int?
            for step in 0..<200 {
                switch Int.random(in: 0..<5, using: &generator) {
                case 0, 1:
                    let ticket = waits.makeTicket()
                    let deadline: Int? = Bool.random(using: &generator) ? now + Int.random(in: 0...20, using: &generator) : nil
                    let action = waits.add(step, ticket: ticket, deadline: deadline)
                    if case .arm(let at) = action { armed = at }
                    live[ticket] = (step, deadline)
                case 2:
                    guard let ticket = live.keys.randomElement(using: &generator) else { continue }
                    #expect(waits.take(ticket) == live[ticket]!.value)
                    ended.insert(live.removeValue(forKey: ticket)!.value)
                default:
                    now += Int.random(in: 0...5, using: &generator)
                    // The owner's timer fires only once the armed deadline has come.
                    guard let at = armed, at <= now else { continue }
                    let (expired, timer) = waits.expire(now: now)
                    armed = nil
                    if case .arm(let next) = timer { armed = next }
                    for (ticket, value) in expired {
                        #expect(live.removeValue(forKey: ticket)?.value == value)
                        #expect(ended.insert(value).inserted)
                    }
                }
                // Nothing overdue is left waiting without a timer armed at or before it.
                let overdue = live.values.compactMap(\.deadline).min()
                if let overdue { #expect(armed != nil && armed! <= overdue) }
                #expect(waits.count == live.count)
            }
        }
    }
}
