import AMQPCore
import NIOCore
import Testing
@testable import AMQP

@Suite struct DispositionTests {
    @Test func rangesSettleWhatIsUnsettled() {
        var unsettled = UnsettledDeliveries<String>()
        for id: UInt32 in 1...5 { unsettled.sent(id, "m\(id)") }
        var seen: [UInt32] = []
        #expect(unsettled.dispositionReceived(first: 2, last: 4, settled: true) { id, _ in seen.append(id) } == 3)
        #expect(seen.sorted() == [2, 3, 4])
        #expect(unsettled.count == 2)
        // Not settled: the state is reported, the deliveries stay.
        #expect(unsettled.dispositionReceived(first: 1, last: nil, settled: false) { _, _ in } == 1)
        #expect(unsettled.count == 2)
        // A huge range walks the deliveries, not the range.
        #expect(unsettled.dispositionReceived(first: 0, last: .max - 1, settled: true) { _, _ in } == 2)
        #expect(unsettled.isEmpty)
    }

    @Test func rangesWrapAround() {
        var unsettled = UnsettledDeliveries<Int>()
        for id: UInt32 in [.max - 1, .max, 0, 1, 50] { unsettled.sent(id, 0) }
        var seen: [UInt32] = []
        unsettled.dispositionReceived(first: .max - 1, last: 1, settled: true) { id, _ in seen.append(id) }
        #expect(Set(seen) == Set<UInt32>([.max - 1, .max, 0, 1]))
        #expect(unsettled.contains(50))
        #expect(unsettled.count == 1)
    }

    @Test func batchesCoalesceConsecutiveEqualOutcomes() {
        var batch = DispositionBatch()
        let accepted = DeliveryState.accepted(Accepted())
        let released = DeliveryState.released(Released())
        for id: UInt32 in [3, 1, 2, 5, 6] { batch.add(id, state: accepted, settled: true) }
        batch.add(7, state: released, settled: true)
        let dispositions = batch.flush(role: .receiver)
        #expect(dispositions == [
            Disposition(role: .receiver, first: 1, last: 3, settled: true, state: accepted),
            Disposition(role: .receiver, first: 5, last: 6, settled: true, state: accepted),
            Disposition(role: .receiver, first: 7, settled: true, state: released),
        ])
        #expect(batch.isEmpty)
        #expect(batch.flush(role: .receiver).isEmpty)
    }

    @Test func batchesStayWholeAcrossTheWrap() {
        var batch = DispositionBatch()
        for id: UInt32 in [0, .max, 1, .max - 1] { batch.add(id, state: .accepted(Accepted()), settled: true) }
        #expect(batch.flush(role: .receiver) == [
            Disposition(role: .receiver, first: .max - 1, last: 1, settled: true, state: .accepted(Accepted())),
        ])
    }
}

@Suite struct UnsettledWindowTests {
    @Test func idsFarAheadAndStragglersKeepTheirValues() {
        var unsettled = UnsettledDeliveries<UInt32>()
        // In order, a far jump (beyond the gap filled in), and one held while many go by.
        for id: UInt32 in 10..<20 { unsettled.sent(id, id) }
        unsettled.sent(1_000_000, 1_000_000)
        unsettled.sent(30, 30)  // a small gap: filled in
        #expect(unsettled.count == 12)
        for id: UInt32 in 11..<20 { #expect(unsettled.dispositionReceived(first: id, last: nil, settled: true) { _, _ in } == 1) }
        let limit = UInt32(UnsettledDeliveries<UInt32>.windowLimit)
        for id in 31..<(31 + 2 * limit) {
            unsettled.sent(id, id)
            unsettled.dispositionReceived(first: id, last: nil, settled: true) { _, _ in }
        }
        // 10 (held), 30, 1_000_000 remain, whichever store they ended in.
        #expect(unsettled.count == 3)
        for id: UInt32 in [10, 30, 1_000_000] { #expect(unsettled.contains(id)) }
        var seen: [UInt32: UInt32] = [:]
        #expect(unsettled.dispositionReceived(first: 0, last: 2_000_000, settled: false) { seen[$0] = $1 } == 3)
        #expect(seen == [10: 10, 30: 30, 1_000_000: 1_000_000])
        // A re-sent id replaces its value (no duplicate).
        unsettled.sent(10, 99)
        #expect(unsettled.count == 3)
        let all = unsettled.removeAll()
        #expect(all == [10: 99, 30: 30, 1_000_000: 1_000_000])
        #expect(unsettled.isEmpty)
    }

    @Test func theWindowWrapsAround2To32() {
        var unsettled = UnsettledDeliveries<Int>()
        for step in 0..<100 { unsettled.sent(.max - 49 &+ UInt32(step), step) }
        #expect(unsettled.count == 100)
        var seen: [Int] = []
        #expect(unsettled.dispositionReceived(first: .max - 49, last: 49, settled: true) { seen.append($1) } == 100)
        #expect(seen == Array(0..<100))
        #expect(unsettled.isEmpty)
    }

    @Test func settlingOutOfOrderKeepsTheRest() {
        var unsettled = UnsettledDeliveries<Int>()
        for id: UInt32 in 0..<1000 { unsettled.sent(id, Int(id)) }
        for id: UInt32 in stride(from: 999, through: 0, by: -2) { unsettled.dispositionReceived(first: id, last: nil, settled: true) { _, _ in } }
        #expect(unsettled.count == 500)
        #expect(unsettled.contains(0) && !unsettled.contains(1) && unsettled.contains(998))
    }
}

@Suite struct DeliveryRunsTests {
    static func run(_ ids: Range<UInt32>) -> [IncomingDelivery] {
        ids.map { IncomingDelivery(deliveryID: $0, deliveryTag: ByteBuffer(), messageFormat: 0, settled: false, state: nil,
                                   payload: ByteBuffer()) }
    }

    @Test func takesWholeRunsAndPartsInOrder() {
        var runs = DeliveryRuns()
        runs.append(Self.run(0..<3))
        runs.append([])
        runs.append(Self.run(3..<8))
        runs.append(Self.run(8..<9))
        #expect(runs.count == 9)
        var seen: [UInt32] = []
        for max in [2, 2, 3, 1, 5] {
            let taken = runs.take(max)
            #expect(taken.allSatisfy { !$0.isEmpty })
            seen += taken.joined().map(\.deliveryID)
        }
        #expect(seen == Array(0..<9))
        #expect(runs.isEmpty && runs.take(4).isEmpty)
    }
}
