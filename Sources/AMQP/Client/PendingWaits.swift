import HeapModule

/// Everything a client waits for from the peer, each with its deadline: one table, so that
/// answers, time-outs, cancellation and the end of the connection all end waits in one place,
/// and each wait ends once.
///
/// A pure value: no clock and no timer of its own. It says when to arm the one timer its
/// owner keeps (`TimerAction`), and is told what time it is when that timer fires; tests
/// drive it with plain numbers for time.
struct PendingWaits<Deadline: Comparable, Waiter> {
    /// Names one wait; never reused.
    struct Ticket: Hashable, Comparable, Sendable, CustomStringConvertible {
        let raw: UInt64
        static func < (lhs: Ticket, rhs: Ticket) -> Bool { lhs.raw < rhs.raw }
        var description: String { "wait \(raw)" }
    }

    /// What the owner's timer should do next.
    enum TimerAction: Equatable {
        /// (Re)arm it for this deadline.
        case arm(Deadline)
        /// Nothing is due: stop it.
        case cancel
        /// Leave it as it is.
        case keep
    }

    private struct Entry {
        var waiter: Waiter
        var deadline: Deadline?
    }

    /// A deadline in the heap; one whose ticket is gone, or has another deadline now, is
    /// stale and skipped when it comes up.
    private struct Due: Comparable {
        let deadline: Deadline
        let ticket: Ticket
        static func < (lhs: Due, rhs: Due) -> Bool {
            (lhs.deadline, lhs.ticket) < (rhs.deadline, rhs.ticket)
        }
        static func == (lhs: Due, rhs: Due) -> Bool {
            lhs.deadline == rhs.deadline && lhs.ticket == rhs.ticket
        }
    }

    private var entries: [Ticket: Entry] = [:]
    private var due = Heap<Due>()
    private var nextTicket: UInt64 = 0
    /// The deadline the owner's timer is armed for, as this table last told it.
    private(set) var armed: Deadline?

    init() {}

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// A ticket for a wait about to be added (so that a cancellation handler can name it
    /// before the wait exists).
    mutating func makeTicket() -> Ticket {
        nextTicket &+= 1
        return Ticket(raw: nextTicket)
    }

    /// Adds a wait under `ticket`, ending by `deadline` at the latest (nil: only by an
    /// answer, a cancellation or the end of the connection).
    mutating func add(_ waiter: Waiter, ticket: Ticket, deadline: Deadline?) -> TimerAction {
        entries[ticket] = Entry(waiter: waiter, deadline: deadline)
        guard let deadline else { return .keep }
        due.insert(Due(deadline: deadline, ticket: ticket))
        return rearm()
    }

    /// The wait under `ticket`, if it has not ended.
    func waiter(_ ticket: Ticket) -> Waiter? {
        entries[ticket]?.waiter
    }

    /// Changes what a wait holds (progress of a batch, say), keeping its deadline.
    mutating func update(_ ticket: Ticket, _ body: (inout Waiter) -> Void) {
        guard entries[ticket] != nil else { return }
        body(&entries[ticket]!.waiter)
    }

    /// Ends the wait under `ticket` and hands it over to be resumed; nil if it had ended.
    /// The timer stays armed: when it fires early, `expire` re-arms it.
    mutating func take(_ ticket: Ticket) -> Waiter? {
        entries.removeValue(forKey: ticket)?.waiter
    }

    /// Moves a wait's deadline (a batch that made progress gets more time).
    mutating func extend(_ ticket: Ticket, to deadline: Deadline) -> TimerAction {
        guard entries[ticket] != nil else { return .keep }
        entries[ticket]!.deadline = deadline
        due.insert(Due(deadline: deadline, ticket: ticket))
        return rearm()
    }

    /// The timer fired at `now`: ends and hands over every wait whose deadline has passed,
    /// in deadline order, and says when the timer should fire next.
    mutating func expire(now: Deadline) -> (expired: [(Ticket, Waiter)], timer: TimerAction) {
        var expired: [(Ticket, Waiter)] = []
        while let first = due.min, first.deadline <= now {
            _ = due.popMin()
            guard let entry = entries[first.ticket], entry.deadline == first.deadline else { continue }
            entries[first.ticket] = nil
            expired.append((first.ticket, entry.waiter))
        }
        armed = nil
        return (expired, rearm())
    }

    /// Ends every wait (the connection is over), in the order they were added.
    mutating func takeAll() -> (waiters: [Waiter], timer: TimerAction) {
        let all = entries.sorted { $0.key < $1.key }.map(\.value.waiter)
        entries = [:]
        due = Heap()
        let timer: TimerAction = armed == nil ? .keep : .cancel
        armed = nil
        return (all, timer)
    }

    /// The earliest live deadline, dropping stale ones on the way.
    private mutating func earliest() -> Deadline? {
        while let first = due.min {
            if let entry = entries[first.ticket], entry.deadline == first.deadline { return first.deadline }
            _ = due.popMin()
        }
        return nil
    }

    private mutating func rearm() -> TimerAction {
        guard let next = earliest() else {
            if armed == nil { return .keep }
            armed = nil
            return .cancel
        }
        if let armed, armed <= next { return .keep }
        armed = next
        return .arm(next)
    }
}
