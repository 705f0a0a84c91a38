import NIOCore
import Testing
@testable import AMQPCore

@Suite struct CompositeTests {
    @Test func openEncodesExactlyAndOmitsTrailingNulls() throws {
        let open = Open(containerID: "c1", hostname: "h", maxFrameSize: 512)
        // 00 53 10, list8 size 0x0d count 3: a1 02 "c1", a1 01 "h", 70 00000200
        #expect(encode(open) == "005310c00d03a1026331a10168" + "7000000200")
        #expect(try Open(decoding: bytes(encode(open))) == open)
    }

    @Test func defaultsAreWrittenAsNullAndEmptyCompositeIsList0() throws {
        #expect(encode(Open(containerID: "c", maxFrameSize: 4_294_967_295, channelMax: 65535)) == "005310c00401a10163")
        #expect(encode(Accepted()) == "00532445")
        #expect(encode(Close()) == "00531845")
        // A null in the middle stays; trailing ones go.
        let begin = Begin(nextOutgoingID: 0, incomingWindow: 10, outgoingWindow: 20)
        #expect(encode(begin) == "005311c00704" + "40" + "43" + "520a" + "5214")
    }

    @Test func booleansInsideCompositesAreNeverTheFormWithAByte() {
        let attach = Attach(name: "l", handle: 0, role: .receiver)
        let encoded = encode(attach)
        #expect(encoded == "005312c00603a1016c4341")
        let flow = Flow(incomingWindow: 1, nextOutgoingID: 1, outgoingWindow: 1, drain: true)
        #expect(!encode(flow).contains("56"))
    }

    @Test func decodesSymbolicDescriptorsAndShortLists() throws {
        // amqp:open:list with only container-id: max-frame-size and channel-max take their defaults.
        let symbolic = "00a30e616d71703a6f70656e3a6c697374" + "c00401a10163"
        let open = try Open(decoding: bytes(symbolic))
        #expect(open.containerID == "c")
        #expect(open.maxFrameSize == .max)
        #expect(open.channelMax == 65535)
        #expect(open.idleTimeOut == nil)
    }

    @Test func acceptsASingleSymbolForAMultipleField() throws {
        // offered-capabilities (field 8) as a bare symbol rather than an array.
        let open = try Open(decoding: bytes("005310c00d08a10163404040404040" + "a30178"))
        #expect(open.offeredCapabilities == ["x"])
    }

    @Test func missingMandatoryFieldNamesTypeAndField() {
        do {
            _ = try Attach(decoding: bytes("005312c00401a1016c"))  // name only: handle missing
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .missingMandatoryField)
            #expect(error.typeName == "attach")
            #expect(error.fieldName == "handle")
        }
        do {
            _ = try Open(decoding: bytes("00531045"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .missingMandatoryField)
            #expect(error.fieldName == "container-id")
        }
    }

    @Test func wrongFieldTypeNamesTypeFieldAndOffset() {
        do {
            // open.max-frame-size as a string
            _ = try Open(decoding: bytes("005310c00803a10163" + "40" + "a10178"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidFieldType)
            #expect(error.typeName == "open")
            #expect(error.fieldName == "max-frame-size")
            #expect(error.offset == 10)
            #expect(error.description.contains("open.max-frame-size"))
        }
    }

    @Test func restrictedValuesOutOfRangeAreRejected() {
        do {
            // attach.snd-settle-mode = 7
            _ = try Attach(decoding: bytes("005312c00804a1016c434150" + "07"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidFieldValue)
            #expect(error.fieldName == "snd-settle-mode")
        }
    }

    @Test func unexpectedDescriptorIsRejected() {
        #expect(throws: AMQPDecodingError.self) { try Open(decoding: bytes("00531145")) }
        var decoder = AMQPDecoder(buffer: bytes("00532445"))
        #expect(throws: AMQPDecodingError.self) { try Performative.read(from: &decoder) }
    }

    @Test func extraTrailingFieldsFromLaterVersionsAreSkipped() throws {
        // close with error=null and one unknown extra field.
        let close = try Close(decoding: bytes("005318c0030240" + "41"))
        #expect(close == Close())
    }

    @Test func nestedCompositesRoundTrip() throws {
        let source = Source(
            address: "q", durable: .unsettledState, expiryPolicy: .never, timeout: 30, dynamic: true,
            dynamicNodeProperties: [.symbol("lifetime-policy"): DeleteOnClose().amqpValue],
            distributionMode: "move",
            filter: [.symbol("f"): .described(AMQPDescribed(descriptor: .ulong(0x0000_0137_0000_000C), value: .string("s")))],
            defaultOutcome: .released(Released()), outcomes: ["amqp:accepted:list", "amqp:rejected:list"],
            capabilities: ["queue"])
        let attach = Attach(
            name: "link", handle: 3, role: .sender, sndSettleMode: .settled, rcvSettleMode: .second,
            source: source, target: .coordinator(Coordinator(capabilities: ["amqp:local-transactions"])),
            unsettled: [.binary(bytes("01")): .described(AMQPDescribed(descriptor: .ulong(0x24), value: .list([])))],
            incompleteUnsettled: true, initialDeliveryCount: 7, maxMessageSize: 1 << 20,
            offeredCapabilities: ["a"], desiredCapabilities: ["b"], properties: [.symbol("p"): .int(1)])
        let decoded = try Attach(decoding: bytes(encode(attach)))
        #expect(decoded == attach)

        let states: [DeliveryState] = [
            .received(Received(sectionNumber: 1, sectionOffset: 2)), .accepted(Accepted()),
            .rejected(Rejected(error: AMQPError(condition: .notFound, errorDescription: "gone", info: [.symbol("k"): "v"]))),
            .released(Released()), .modified(Modified(deliveryFailed: true, undeliverableHere: false, messageAnnotations: [:])),
            .declared(Declared(txnID: bytes("0001"))),
            .transactional(TransactionalState(txnID: bytes("02"), outcome: .accepted(Accepted()))),
        ]
        for state in states {
            let disposition = Disposition(role: .receiver, first: 1, last: 9, settled: true, state: state, batchable: true)
            #expect(try Disposition(decoding: bytes(encode(disposition))) == disposition)
        }
    }

    @Test func everyPerformativeAndSASLBodyRoundTrips() throws {
        let performatives: [Performative] = [
            .open(Open(containerID: "x", idleTimeOut: 1000, outgoingLocales: ["en-US"], properties: [.symbol("a"): "b"])),
            .begin(Begin(remoteChannel: 1, nextOutgoingID: 1, incomingWindow: 2048, outgoingWindow: .max, handleMax: 7)),
            .attach(Attach(name: "n", handle: 0, role: .receiver, source: Source(address: "a"), target: .target(Target(address: "b")))),
            .flow(Flow(nextIncomingID: 5, incomingWindow: 1, nextOutgoingID: 2, outgoingWindow: 3, handle: 0,
                       deliveryCount: .max, linkCredit: 100, available: 0, drain: true, echo: true, properties: [:])),
            .transfer(Transfer(handle: 0, deliveryID: 1, deliveryTag: bytes("00000001"), messageFormat: 0, settled: false,
                               more: true, rcvSettleMode: .first, state: .accepted(Accepted()), resume: true, aborted: true, batchable: true)),
            .disposition(Disposition(role: .sender, first: 0)),
            .detach(Detach(handle: 1, closed: true, error: AMQPError(condition: .detachForced))),
            .end(End(error: AMQPError(condition: .windowViolation, errorDescription: "w"))),
            .close(Close(error: AMQPError(condition: "com.microsoft:server-busy"))),
        ]
        for performative in performatives {
            var buffer = ByteBuffer()
            performative.writeAMQP(into: &buffer)
            var decoder = AMQPDecoder(buffer: buffer)
            #expect(try Performative.read(from: &decoder) == performative)
            #expect(decoder.isAtEnd)
        }
        let sasl: [SASLFrameBody] = [
            .mechanisms(SASLMechanisms(saslServerMechanisms: ["PLAIN", "ANONYMOUS"])),
            .initiate(SASLInit(mechanism: "PLAIN", initialResponse: bytes("00750070"), hostname: "h")),
            .challenge(SASLChallenge(challenge: bytes("01"))),
            .response(SASLResponse(response: bytes("02"))),
            .outcome(SASLOutcome(code: .auth, additionalData: bytes("03"))),
        ]
        for body in sasl {
            var buffer = ByteBuffer()
            body.writeAMQP(into: &buffer)
            var decoder = AMQPDecoder(buffer: buffer)
            #expect(try SASLFrameBody.read(from: &decoder) == body)
        }
    }

    @Test func transactionsRoundTrip() throws {
        #expect(try Declare(decoding: bytes(encode(Declare(globalID: "g")))) == Declare(globalID: "g"))
        let discharge = Discharge(txnID: bytes("0a0b"), fail: true)
        #expect(try Discharge(decoding: bytes(encode(discharge))) == discharge)
    }
}
