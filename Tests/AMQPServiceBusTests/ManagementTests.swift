import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

@Suite struct ManagementTests {
    static let tokenA = ServiceBusLockToken(uuid: UUID(uuidString: "00112233-4455-6677-8899-aabbccddeeff")!)
    static let tokenB = ServiceBusLockToken(uuid: UUID(uuidString: "ffeeddcc-bbaa-9988-7766-554433221100")!)
    static let embedded = AMQPMessage(
        properties: MessageProperties(messageID: "m-1"), body: .data(ByteBuffer(string: "hello")))

    /// Request: typed body → message → wire → message → typed body, equal; returns the wire body.
    func roundTrip<Body: ManagementRequestBody>(_ body: Body) throws -> AMQPMap {
        let request = ManagementRequest(
            body, messageID: "req-9", replyTo: "mgmt-reply", serverTimeout: .seconds(30), associatedLinkName: "recv-1")
        let message = try throughTheWire(request.message)
        let parsed = try ManagementRequest(message: message)
        #expect(parsed == request)
        #expect(try parsed.decode(Body.self) == body)
        return parsed.body
    }

    /// Response: typed body → message → wire → message → typed body, equal; returns the wire body.
    func roundTrip<Body: ManagementResponseBody>(response body: Body) throws -> AMQPMap {
        let response = ManagementResponse(body, correlationID: "req-9")
        let parsed = try ManagementResponse(message: throughTheWire(response.message))
        #expect(parsed == response)
        #expect(try parsed.decode(Body.self) == body)
        return parsed.body ?? AMQPMap()
    }

    @Test func requestEnvelopeHasTheDocumentedShape() throws {
        let request = ManagementRequest(
            RenewLockRequest(lockTokens: [Self.tokenA]), messageID: "req-1", replyTo: "reply",
            serverTimeout: .milliseconds(1500), associatedLinkName: "link-7")
        let message = try throughTheWire(request.message)
        let properties = try #require(message.applicationProperties)
        #expect(properties[string: "operation"] == .string("com.microsoft:renew-lock"))
        #expect(properties[string: "com.microsoft:server-timeout"] == .uint(1500))
        #expect(properties[string: "associated-link-name"] == .string("link-7"))
        #expect(message.properties?.messageID == "req-1")
        #expect(message.properties?.replyTo == "reply")
        guard case .value(.map(let body)) = message.body else {
            Issue.record("body is not an AmqpValue(map)")
            return
        }
        #expect(body[string: "lock-tokens"] == .array(try AMQPArray([.uuid(Self.tokenA.amqpUUID)], of: .primitive(.uuid))))
        #expect(throws: ServiceBusMessageFormatError.self) { try ManagementRequest(message: message).decode(PeekMessageRequest.self) }
    }

    @Test func responseEnvelopeUsesCamelCaseStatus() throws {
        let response = ManagementResponse(
            correlationID: "req-1", statusCode: 404, statusDescription: "no such message",
            errorCondition: .serviceBusMessageNotFound)
        let message = try throughTheWire(response.message)
        #expect(message.properties?.correlationID == "req-1")
        #expect(message.applicationProperties?[string: "statusCode"] == .int(404))
        #expect(message.applicationProperties?[string: "statusDescription"] == .string("no such message"))
        #expect(message.applicationProperties?[string: "errorCondition"] == .symbol("com.microsoft:message-not-found"))
        let parsed = try ManagementResponse(message: message)
        #expect(parsed == response)
        #expect(parsed.error?.reason == .messageNotFound)
        #expect(throws: ServiceBusError.self) { try parsed.decode(RenewLockResponse.self) }

        let busy = ManagementResponse(correlationID: nil, statusCode: 503)
        #expect(busy.error?.reason == .serviceBusy)
        #expect(busy.error?.isTransient == true)
        let gone = ManagementResponse(correlationID: nil, statusCode: 410)
        #expect(gone.error?.reason == .messageLockLost)
        let noContent = try ManagementResponse(message: throughTheWire(ManagementResponse(correlationID: "x", statusCode: 204).message))
        #expect(noContent.isSuccess)
        #expect(noContent.body == nil)
        #expect(try noContent.decode(ManagementEmptyResponse.self) == ManagementEmptyResponse())
        #expect(try noContent.decode(ManagementMessagesResponse.self).messages.isEmpty)
        #expect(try noContent.decode(MessageSessionsResponse.self).sessionIDs.isEmpty)
        #expect(throws: ServiceBusMessageFormatError.self) { try noContent.decode(RenewLockResponse.self) }
        let cbsCasing = AMQPMessage(applicationProperties: ["status-code": .int(200)], body: .value(.null))
        #expect(throws: ServiceBusMessageFormatError.self) { try ManagementResponse(message: cbsCasing) }
    }

    @Test func renewLock() throws {
        let body = try roundTrip(RenewLockRequest(lockTokens: [Self.tokenA, Self.tokenB]))
        #expect(body[string: "lock-tokens"] == .array(try AMQPArray(
            [.uuid(Self.tokenA.amqpUUID), .uuid(Self.tokenB.amqpUUID)], of: .primitive(.uuid))))
        let expirations = [Date(timeIntervalSince1970: 1_767_225_600.25), Date(timeIntervalSince1970: 1_767_225_601)]
        let response = try roundTrip(response: RenewLockResponse(expirations: expirations))
        #expect(response[string: "expirations"]?.primitiveType == .array)
        _ = try roundTrip(RenewLockRequest(lockTokens: [Self.tokenA], sessionID: "s"))
    }

    @Test func peekMessage() throws {
        let body = try roundTrip(PeekMessageRequest(fromSequenceNumber: 42, messageCount: 10))
        #expect(body[string: "from-sequence-number"] == .long(42))
        #expect(body[string: "message-count"] == .int(10))
        _ = try roundTrip(PeekMessageRequest(fromSequenceNumber: 1, messageCount: 1, sessionID: "s-1"))
        let response = ManagementMessagesResponse(messages: [ManagementMessageEntry(message: Self.embedded)])
        let wire = try roundTrip(response: response)
        guard case .list(let entries)? = wire[string: "messages"], case .map(let first)? = entries.first else {
            Issue.record("messages is not a list of maps")
            return
        }
        #expect(first[string: "message"] == .binary(Self.embedded.encoded()))
        let decoded = try ManagementMessagesResponse(map: wire)
        #expect(try decoded.messages[0].decodedMessage() == Self.embedded)
    }

    @Test func scheduleAndCancel() throws {
        let entry = ScheduledMessageEntry(
            messageID: "m-1", sessionID: "s", partitionKey: "p", viaPartitionKey: "v", encodedMessage: Self.embedded.encoded())
        let body = try roundTrip(ScheduleMessageRequest(messages: [entry, ScheduledMessageEntry(messageID: "m-2", encodedMessage: ByteBuffer())]))
        guard case .list(let entries)? = body[string: "messages"], case .map(let first)? = entries.first else {
            Issue.record("messages is not a list of maps")
            return
        }
        #expect(first[string: "message-id"] == .string("m-1"))
        #expect(first[string: "partition-key"] == .string("p"))
        let numbers = try roundTrip(response: SequenceNumbersResponse(sequenceNumbers: [7, 8]))
        #expect(numbers[string: "sequence-numbers"] == .array(try AMQPArray([.long(7), .long(8)], of: .primitive(.long))))
        let cancel = try roundTrip(CancelScheduledMessageRequest(sequenceNumbers: [7]))
        #expect(cancel[string: "sequence-numbers"] == .array(try AMQPArray([.long(7)], of: .primitive(.long))))
    }

    @Test func receiveBySequenceNumber() throws {
        let body = try roundTrip(ReceiveBySequenceNumberRequest(sequenceNumbers: [5, 6], receiveMode: .peekLock))
        #expect(body[string: "receiver-settle-mode"] == .uint(1))
        let deleting = try roundTrip(ReceiveBySequenceNumberRequest(sequenceNumbers: [5], receiveMode: .receiveAndDelete, sessionID: "s"))
        #expect(deleting[string: "receiver-settle-mode"] == .uint(0))
        let response = ManagementMessagesResponse(messages: [ManagementMessageEntry(message: Self.embedded, lockToken: Self.tokenA)])
        let wire = try roundTrip(response: response)
        guard case .list(let entries)? = wire[string: "messages"], case .map(let first)? = entries.first else {
            Issue.record("messages is not a list of maps")
            return
        }
        #expect(first[string: "lock-token"] == .uuid(Self.tokenA.amqpUUID))
        let bad: AMQPMap = ["sequence-numbers": .list([.long(1)]), "receiver-settle-mode": .uint(2)]
        #expect(throws: ServiceBusMessageFormatError.self) { try ReceiveBySequenceNumberRequest(map: bad) }
    }

    @Test func updateDisposition() throws {
        let request = UpdateDispositionRequest(
            status: .suspended, lockTokens: [Self.tokenA], deadLetterReason: "bad", deadLetterDescription: "very bad",
            propertiesToModify: ["attempt": .int(3)])
        let body = try roundTrip(request)
        #expect(body[string: "disposition-status"] == .string("suspended"))
        #expect(body[string: "deadletter-reason"] == .string("bad"))
        #expect(body[string: "deadletter-description"] == .string("very bad"))
        #expect(body[string: "properties-to-modify"] == .map(["attempt": .int(3)]))
        #expect(DispositionStatus.deferred.rawValue == "defered")
        _ = try roundTrip(UpdateDispositionRequest(status: .completed, lockTokens: [Self.tokenA, Self.tokenB], sessionID: "s"))
    }

    @Test func sessionOperations() throws {
        _ = try roundTrip(RenewSessionLockRequest(sessionID: "s-1"))
        let expiration = try roundTrip(response: RenewSessionLockResponse(expiration: Date(timeIntervalSince1970: 1_767_225_600)))
        #expect(expiration[string: "expiration"] == .timestamp(AMQPTimestamp(millisecondsSince1970: 1_767_225_600_000)))
        _ = try roundTrip(GetSessionStateRequest(sessionID: "s-1"))
        let state = try roundTrip(response: SessionStateResponse(sessionState: ByteBuffer(string: "state")))
        #expect(state[string: "session-state"] == .binary(ByteBuffer(string: "state")))
        _ = try roundTrip(response: SessionStateResponse(sessionState: nil))
        let set = try roundTrip(SetSessionStateRequest(sessionID: "s-1", sessionState: ByteBuffer(string: "x")))
        #expect(set[string: "session-state"] == .binary(ByteBuffer(string: "x")))
        let clear = try roundTrip(SetSessionStateRequest(sessionID: "s-1", sessionState: nil))
        #expect(clear[string: "session-state"] == .null)
        let list = try roundTrip(GetMessageSessionsRequest(skip: 100, top: 50))
        #expect(list[string: "last-updated-time"] == .timestamp(AMQPTimestamp(millisecondsSince1970: 253_402_300_800_000)))
        #expect(list[string: "skip"] == .int(100))
        #expect(list[string: "top"] == .int(50))
        let sessions = try roundTrip(response: MessageSessionsResponse(skip: 2, sessionIDs: ["a", "b"]))
        #expect(sessions[string: "sessions-ids"] == .array(try AMQPArray([.string("a"), .string("b")], of: .primitive(.string))))
    }

    @Test func parsingIsLenientAboutKeysAndSequences() throws {
        // Symbol keys, lists instead of arrays, other integer widths, binary lock tokens.
        let map: AMQPMap = [
            .symbol("lock-tokens"): .list([.uuid(Self.tokenA.amqpUUID), .binary(ByteBuffer(bytes: Self.tokenB.rfcBytes))]),
        ]
        #expect(try RenewLockRequest(map: map).lockTokens == [Self.tokenA, Self.tokenB])
        let peek: AMQPMap = ["from-sequence-number": .int(3), "message-count": .long(2)]
        #expect(try PeekMessageRequest(map: peek) == PeekMessageRequest(fromSequenceNumber: 3, messageCount: 2))
    }

    static let malformed: [(AMQPMap, ServiceBusMessageFormatError.Code)] = [
        ([:], .missingField),
        (["lock-tokens": .string("nope")], .invalidField),
        (["lock-tokens": .list([.long(1)])], .invalidField),
        (["lock-tokens": .list([.binary(ByteBuffer(bytes: [1, 2, 3]))])], .invalidField),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedBodies(_ map: AMQPMap, _ code: ServiceBusMessageFormatError.Code) {
        #expect {
            try RenewLockRequest(map: map)
        } throws: { error in
            (error as? ServiceBusMessageFormatError)?.code == code
        }
    }

    @Test func rejectsOutOfRangeAndUndecodableValues() throws {
        let tooMany: AMQPMap = ["from-sequence-number": .long(1), "message-count": .long(Int64(Int32.max) + 1)]
        #expect(throws: ServiceBusMessageFormatError.self) { try PeekMessageRequest(map: tooMany) }
        let hugeULong: AMQPMap = ["sequence-numbers": .list([.ulong(UInt64.max)])]
        #expect(throws: ServiceBusMessageFormatError.self) { try CancelScheduledMessageRequest(map: hugeULong) }
        let garbage = ManagementMessageEntry(encodedMessage: ByteBuffer(bytes: [0x00, 0x53, 0x75, 0xFF]))
        #expect {
            try garbage.decodedMessage()
        } throws: { error in
            (error as? ServiceBusMessageFormatError)?.code == .undecodableMessage
        }
        let badBody = AMQPMessage(
            properties: MessageProperties(messageID: "1"), applicationProperties: ["operation": "com.microsoft:renew-lock"],
            body: .value(.string("not a map")))
        #expect(throws: ServiceBusMessageFormatError.self) { try ManagementRequest(message: badBody) }
        let negativeTimeout = AMQPMessage(
            properties: MessageProperties(messageID: "1"),
            applicationProperties: ["operation": "com.microsoft:renew-lock", "com.microsoft:server-timeout": .int(-1)],
            body: .value(.map([:])))
        #expect(throws: ServiceBusMessageFormatError.self) { try ManagementRequest(message: negativeTimeout) }
    }
}
