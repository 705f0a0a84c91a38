import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

@Suite struct SettlementTests {
    /// Encodes and decodes a delivery state the way a disposition carries it.
    func throughTheWire(_ state: DeliveryState) throws -> DeliveryState {
        var buffer = ByteBuffer()
        buffer.writeAMQPField(state)
        var decoder = AMQPDecoder(buffer: buffer)
        let code = try decoder.readByte()
        return try DeliveryState.readAMQP(code: code, from: &decoder)
    }

    @Test func eachActionSendsTheDocumentedState() throws {
        #expect(ServiceBusSettlement.complete.deliveryState == .accepted(Accepted()))
        let changes: AMQPMap = [.symbol("attempt"): .int(2)]
        #expect(ServiceBusSettlement.abandon(propertiesToModify: changes).deliveryState
            == .modified(Modified(deliveryFailed: false, undeliverableHere: false, messageAnnotations: changes)))
        #expect(ServiceBusSettlement.deferral().deliveryState == .modified(Modified(undeliverableHere: true)))
        guard case .rejected(let rejected) = ServiceBusSettlement.deadLetter(reason: "bad", errorDescription: "worse").deliveryState
        else {
            Issue.record("dead-letter is not rejected")
            return
        }
        #expect(rejected.error?.condition == "com.microsoft:dead-letter")
        #expect(rejected.error?.errorDescription == "worse")
        #expect(rejected.error?.info?[symbol: "DeadLetterReason"] == .string("bad"))
        #expect(rejected.error?.info?[symbol: "DeadLetterErrorDescription"] == .string("worse"))
    }

    static let all: [ServiceBusSettlement] = [
        .complete, .abandon(), .abandon(propertiesToModify: [.symbol("k"): .string("v")]), .deferral(),
        .deferral(propertiesToModify: [.symbol("k"): .int(1)]), .deadLetter(),
        .deadLetter(reason: "r", errorDescription: "d", propertiesToModify: [.symbol("k"): .boolean(true)]),
    ]

    @Test(arguments: all)
    func brokerReadsWhatTheClientSends(_ settlement: ServiceBusSettlement) throws {
        #expect(ServiceBusSettlement(deliveryState: try throughTheWire(settlement.deliveryState)) == settlement)
    }

    @Test func brokerReadsOtherClientsStates() {
        // pyamqp abandons with delivery-failed=true; released is an abandon too.
        #expect(ServiceBusSettlement(deliveryState: .modified(Modified(deliveryFailed: true, undeliverableHere: false))) == .abandon())
        #expect(ServiceBusSettlement(deliveryState: .released(Released())) == .abandon())
        let stringKeys = AMQPError(condition: "com.microsoft:dead-letter", info: [.string("DeadLetterReason"): .string("r")])
        #expect(ServiceBusSettlement(deliveryState: .rejected(Rejected(error: stringKeys))) == .deadLetter(reason: "r"))
        #expect(ServiceBusSettlement(deliveryState: .received(Received(sectionNumber: 0, sectionOffset: 0))) == nil)
    }

    @Test func managementDispositionMatchesTheAction() {
        let token = ServiceBusLockToken(uuid: UUID())
        #expect(ServiceBusSettlement.complete.updateDispositionRequest(lockTokens: [token])
            == UpdateDispositionRequest(status: .completed, lockTokens: [token]))
        #expect(ServiceBusSettlement.deferral().dispositionStatus.rawValue == "defered")
        #expect(ServiceBusSettlement.abandon().dispositionStatus == .abandoned)
        let deadLetter = ServiceBusSettlement.deadLetter(reason: "r", errorDescription: "d").updateDispositionRequest(
            lockTokens: [token], sessionID: "s")
        #expect(deadLetter == UpdateDispositionRequest(
            status: .suspended, lockTokens: [token], deadLetterReason: "r", deadLetterDescription: "d", sessionID: "s"))
    }

    @Test func sessionLockedUntilIsDotNetTicks() {
        // python3 -c 'print(621355968000000000 + 1767225600123 * 10000)'
        let ticks: Int64 = 639_028_224_001_230_000
        #expect(ServiceBusLinkVocabulary.sessionLockedUntil(fromAttachProperty: .long(ticks))
            == AMQPTimestamp(millisecondsSince1970: 1_767_225_600_123))
        #expect(ServiceBusLinkVocabulary.sessionLockedUntilAttachProperty(AMQPTimestamp(millisecondsSince1970: 1_767_225_600_123))
            == .long(ticks))
        #expect(ServiceBusLinkVocabulary.sessionLockedUntil(fromAttachProperty: .string("x")) == nil)
        #expect(ServiceBusLinkVocabulary.sessionLockedUntil(fromAttachProperty: .long(Int64.min)) == nil)
        #expect(ServiceBusLinkVocabulary.sessionLockedUntilAttachProperty(AMQPTimestamp(millisecondsSince1970: Int64.max))
            == .long(Int64.max))
    }
}
