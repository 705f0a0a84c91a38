import AMQPCore
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
