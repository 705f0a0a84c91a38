import AMQPCore
import NIOCore
import Testing
@testable import AMQP

@Suite struct IncomingDeliveryAssemblerTests {
    static func first(_ id: UInt32, more: Bool, aborted: Bool = false) -> Transfer {
        Transfer(handle: 0, deliveryID: id, deliveryTag: ByteBuffer(integer: id), messageFormat: 0, more: more, aborted: aborted)
    }
    static func continuation(more: Bool, aborted: Bool = false, id: UInt32? = nil) -> Transfer {
        Transfer(handle: 0, deliveryID: id, more: more, aborted: aborted)
    }

    @Test func singleFrameDeliveryIsTheFramesOwnSlice() {
        var assembler = IncomingDeliveryAssembler()
        let payload = ByteBuffer(string: "message")
        guard case .delivery(let delivery) = assembler.transferReceived(Self.first(1, more: false), payload: payload) else {
            Issue.record("expected a delivery")
            return
        }
        #expect(delivery.payload == payload)
        #expect(delivery.payload.withUnsafeReadableBytes { $0.baseAddress } == payload.withUnsafeReadableBytes { $0.baseAddress })
        #expect(delivery.deliveryID == 1)
    }

    @Test func multiFrameDeliveryIsReassembled() {
        var assembler = IncomingDeliveryAssembler()
        #expect(assembler.transferReceived(Self.first(2, more: true), payload: ByteBuffer(string: "ab")) == .incomplete)
        #expect(assembler.isAssembling)
        #expect(assembler.transferReceived(Self.continuation(more: true, id: 2), payload: ByteBuffer(string: "cd")) == .incomplete)
        guard case .delivery(let delivery) = assembler.transferReceived(Self.continuation(more: false), payload: ByteBuffer(string: "e")) else {
            Issue.record("expected a delivery")
            return
        }
        #expect(delivery.payload == ByteBuffer(string: "abcde"))
        #expect(!assembler.isAssembling)
    }

    @Test func abortedDeliveriesAreDropped() {
        var assembler = IncomingDeliveryAssembler()
        _ = assembler.transferReceived(Self.first(3, more: true), payload: ByteBuffer(string: "ab"))
        #expect(assembler.transferReceived(Self.continuation(more: false, aborted: true), payload: ByteBuffer()) == .aborted(deliveryID: 3))
        #expect(!assembler.isAssembling)
        // The next delivery starts afresh.
        guard case .delivery = assembler.transferReceived(Self.first(4, more: false), payload: ByteBuffer(string: "x")) else {
            Issue.record("expected a delivery")
            return
        }
    }

    @Test func violations() {
        var interleaved = IncomingDeliveryAssembler()
        _ = interleaved.transferReceived(Self.first(5, more: true), payload: ByteBuffer(string: "a"))
        guard case .violation(.invalidField, _) = interleaved.transferReceived(Self.first(6, more: false), payload: ByteBuffer()) else {
            Issue.record("expected invalid-field")
            return
        }
        var untagged = IncomingDeliveryAssembler()
        guard case .violation(.invalidField, _) = untagged.transferReceived(Transfer(handle: 0, deliveryID: 1), payload: ByteBuffer()) else {
            Issue.record("expected invalid-field")
            return
        }
        var resumed = IncomingDeliveryAssembler()
        var resume = Self.first(7, more: false)
        resume.resume = true
        guard case .violation(.notImplemented, _) = resumed.transferReceived(resume, payload: ByteBuffer()) else {
            Issue.record("expected not-implemented")
            return
        }
        var limited = IncomingDeliveryAssembler(maxMessageSize: 4)
        _ = limited.transferReceived(Self.first(8, more: true), payload: ByteBuffer(string: "abc"))
        guard case .violation(.messageSizeExceeded, _) = limited.transferReceived(Self.continuation(more: false), payload: ByteBuffer(string: "de")) else {
            Issue.record("expected message-size-exceeded")
            return
        }
        var longTag = IncomingDeliveryAssembler()
        let tag = Transfer(handle: 0, deliveryID: 1, deliveryTag: ByteBuffer(repeating: 0, count: 33))
        guard case .violation(.invalidField, _) = longTag.transferReceived(tag, payload: ByteBuffer()) else {
            Issue.record("expected invalid-field")
            return
        }
    }
}
