import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

@Suite struct MessageMappingTests {
    static let scheduled = Date(timeIntervalSince1970: 1_767_225_600.5)
    static let full = ServiceBusMessage(
        body: ByteBuffer(string: "{\"id\":1}"),
        messageID: "m-1", correlationID: "c-1", subject: "OrderPlaced", to: "orders", replyTo: "replies",
        replyToSessionID: "reply-session", contentType: "application/json", sessionID: "s-1",
        partitionKey: "pk", viaPartitionKey: "vpk", timeToLive: .seconds(90), scheduledEnqueueTime: scheduled,
        applicationProperties: ["Diagnostic-Id": "00-abc-def-01", "attempt": .int(2)])

    @Test func sendMappingPutsEachFieldWhereTheServiceLooks() throws {
        let amqp = try throughTheWire(Self.full.amqpMessage)
        #expect(amqp.body == .data(ByteBuffer(string: "{\"id\":1}")))
        let properties = try #require(amqp.properties)
        #expect(properties.messageID == .string("m-1"))
        #expect(properties.correlationID == .string("c-1"))
        #expect(properties.subject == "OrderPlaced")
        #expect(properties.to == "orders")
        #expect(properties.replyTo == "replies")
        #expect(properties.replyToGroupID == "reply-session")
        #expect(properties.contentType == "application/json")
        #expect(properties.groupID == "s-1")
        #expect(amqp.header?.ttl == 90_000)
        let annotations = try #require(amqp.messageAnnotations)
        #expect(annotations[symbol: "x-opt-partition-key"] == .string("pk"))
        #expect(annotations[symbol: "x-opt-via-partition-key"] == .string("vpk"))
        #expect(annotations[symbol: "x-opt-scheduled-enqueue-time"] == .timestamp(AMQPTimestamp(millisecondsSince1970: 1_767_225_600_500)))
        #expect(amqp.applicationProperties?[string: "Diagnostic-Id"] == .string("00-abc-def-01"))
        #expect(try ServiceBusMessage(amqpMessage: amqp) == Self.full)
    }

    @Test func minimalMessageHasOnlyABody() throws {
        let amqp = ServiceBusMessage(body: ByteBuffer(string: "x")).amqpMessage
        #expect(amqp == AMQPMessage(body: .data(ByteBuffer(string: "x"))))
        #expect(try ServiceBusMessage(amqpMessage: amqp) == ServiceBusMessage(body: ByteBuffer(string: "x")))
    }

    @Test func readingOtherClientsMessages() throws {
        let uuid = AMQPUUID(high: 0x0011_2233_4455_6677, low: 0x8899_AABB_CCDD_EEFF)
        let amqp = AMQPMessage(
            properties: MessageProperties(messageID: .uuid(uuid), correlationID: .ulong(7)),
            body: .dataSections([ByteBuffer(string: "ab"), ByteBuffer(string: "cd")]))
        let message = try ServiceBusMessage(amqpMessage: amqp)
        #expect(message.body == ByteBuffer(string: "abcd"))
        #expect(message.messageID == "00112233-4455-6677-8899-aabbccddeeff".uppercased()
            || message.messageID == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(message.correlationID == "7")
        #expect(throws: ServiceBusMessageFormatError.self) {
            try ServiceBusMessage(amqpMessage: AMQPMessage(body: .value(.string("text"))))
        }
        let badAnnotation = AMQPMessage(messageAnnotations: [.symbol("x-opt-partition-key"): .int(1)], body: .data(ByteBuffer()))
        #expect(throws: ServiceBusMessageFormatError.self) { try ServiceBusMessage(amqpMessage: badAnnotation) }
    }

    @Test func validationFollowsTheServiceRules() throws {
        try ServiceBusMessage(messageID: "m", sessionID: "s", partitionKey: "s", timeToLive: .seconds(1)).validate()
        #expect(throws: ServiceBusMessageFormatError.self) { try Self.full.validate() }  // "pk" is not "s-1"
        var full = Self.full
        full.partitionKey = full.sessionID
        try full.validate()
        let bad: [ServiceBusMessage] = [
            ServiceBusMessage(messageID: ""),
            ServiceBusMessage(messageID: String(repeating: "x", count: 129)),
            ServiceBusMessage(sessionID: String(repeating: "x", count: 129)),
            ServiceBusMessage(sessionID: "a", partitionKey: "b"),
            ServiceBusMessage(viaPartitionKey: ""),
            ServiceBusMessage(timeToLive: .zero),
        ]
        for message in bad {
            #expect(throws: ServiceBusMessageFormatError.self) { try message.validate() }
        }
        try ServiceBusMessage(messageID: String(repeating: "x", count: 128)).validate()
    }

    @Test func timeToLiveIsCapped() {
        let forever = ServiceBusMessage(timeToLive: .seconds(10_000_000_000)).amqpMessage
        #expect(forever.header?.ttl == UInt32.max)
    }

    @Test func receivedMessageReadsTheServiceAnnotations() throws {
        let token = ServiceBusLockToken(uuid: UUID(uuidString: "00112233-4455-6677-8899-aabbccddeeff")!)
        var amqp = Self.full.amqpMessage
        amqp.header?.deliveryCount = 3
        amqp.messageAnnotations?[symbol: "x-opt-sequence-number"] = .long(42)
        amqp.messageAnnotations?[symbol: "x-opt-enqueued-time"] = .timestamp(AMQPTimestamp(millisecondsSince1970: 1_767_225_000_000))
        amqp.messageAnnotations?[symbol: "x-opt-locked-until"] = .timestamp(AMQPTimestamp(millisecondsSince1970: 1_767_225_060_000))
        amqp.messageAnnotations?[symbol: "x-opt-deadletter-source"] = .string("orders")
        amqp.messageAnnotations?[symbol: "x-opt-message-state"] = .int(1)
        amqp.messageAnnotations?[symbol: "x-opt-enqueue-sequence-number"] = .long(41)
        amqp.applicationProperties?[string: "DeadLetterReason"] = "MaxDeliveryCountExceeded"
        amqp.applicationProperties?[string: "DeadLetterErrorDescription"] = "tried 10 times"

        let received = try ServiceBusReceivedMessage(amqpMessage: throughTheWire(amqp), deliveryTag: token.deliveryTagBuffer)
        #expect(received.sequenceNumber == 42)
        #expect(received.enqueuedTime == Date(timeIntervalSince1970: 1_767_225_000))
        #expect(received.lockedUntil == Date(timeIntervalSince1970: 1_767_225_060))
        #expect(received.deliveryCount == 3)
        #expect(received.lockToken == token)
        #expect(received.deadLetterReason == "MaxDeliveryCountExceeded")
        #expect(received.deadLetterErrorDescription == "tried 10 times")
        #expect(received.deadLetterSource == "orders")
        #expect(received.state == .deferred)
        #expect(received.enqueuedSequenceNumber == 41)
        #expect(received.messageID == "m-1")
        #expect(received.sessionID == "s-1")
        #expect(received.body == ByteBuffer(string: "{\"id\":1}"))
        #expect(received.nonDataBody == nil)
        #expect(received.expiresAt == Date(timeIntervalSince1970: 1_767_225_090))
    }

    @Test func lockTokenFallsBackToTheAnnotation() throws {
        let token = ServiceBusLockToken(uuid: UUID())
        let annotated = AMQPMessage(
            deliveryAnnotations: [.symbol("x-opt-lock-token"): .uuid(token.amqpUUID)], body: .data(ByteBuffer()))
        #expect(try ServiceBusReceivedMessage(amqpMessage: annotated, deliveryTag: ByteBuffer(bytes: [1, 2])).lockToken == token)
        let untagged = try ServiceBusReceivedMessage(amqpMessage: AMQPMessage(body: .data(ByteBuffer())))
        #expect(untagged.lockToken == nil)
        #expect(untagged.state == .active)
        #expect(untagged.deliveryCount == 0)
        let bad = AMQPMessage(messageAnnotations: [.symbol("x-opt-lock-token"): .string("x")], body: .data(ByteBuffer()))
        #expect(throws: ServiceBusMessageFormatError.self) { try ServiceBusReceivedMessage(amqpMessage: bad) }
        let badSequence = AMQPMessage(messageAnnotations: [.symbol("x-opt-sequence-number"): .string("1")], body: .none)
        #expect(throws: ServiceBusMessageFormatError.self) { try ServiceBusReceivedMessage(amqpMessage: badSequence) }
    }

    @Test func receivedMessageBuildsWhatItReads() throws {
        var sent = Self.full
        sent.applicationProperties[string: "DeadLetterReason"] = "why"
        let received = ServiceBusReceivedMessage(
            message: sent, sequenceNumber: 9, enqueuedTime: Date(timeIntervalSince1970: 1_767_225_000.25),
            lockedUntil: Date(timeIntervalSince1970: 1_767_225_030), deliveryCount: 2,
            lockToken: ServiceBusLockToken(uuid: UUID()), deadLetterReason: "why", deadLetterSource: "q",
            state: .scheduled, enqueuedSequenceNumber: 8)
        let wire = try throughTheWire(received.amqpMessage)
        #expect(wire.messageAnnotations?[symbol: "x-opt-message-state"] == .int(2))
        #expect(try ServiceBusReceivedMessage(amqpMessage: wire) == received)
        // A non-data body survives too.
        let valueBody = try ServiceBusReceivedMessage(amqpMessage: AMQPMessage(body: .value(.string("hi"))))
        #expect(valueBody.nonDataBody == .value(.string("hi")))
        #expect(valueBody.body.readableBytes == 0)
        #expect(try throughTheWire(valueBody.amqpMessage).body == .value(.string("hi")))
    }
}

@Suite struct MessageBatchTests {
    func message(_ index: Int, bodySize: Int) -> ServiceBusMessage {
        ServiceBusMessage(body: ByteBuffer(repeating: UInt8(index & 0xFF), count: bodySize), messageID: "m-\(index)")
    }

    @Test(arguments: [1, 100, 250, 300, 5000])
    func sizeIsExact(_ bodySize: Int) {
        var batch = ServiceBusMessageBatch(maxSizeInBytes: 1 << 20)
        for index in 0..<5 {
            do { let added = batch.tryAdd(message(index, bodySize: bodySize)); #expect(added) }
            #expect(batch.encodedSize == batch.encoded().readableBytes)
        }
        #expect(batch.count == 5)
    }

    @Test(arguments: [0, 254, 255, 256, 70_000])
    func sizeIsExactAtTheBinaryWidthBoundary(_ length: Int) {
        var batch = ServiceBusMessageBatch(maxSizeInBytes: 1 << 20)
        do { let added = batch.tryAdd(encodedMessage: ByteBuffer(repeating: 0x40, count: length)); #expect(added) }
        #expect(batch.encodedSize == batch.encoded().readableBytes)
    }

    @Test func envelopeCarriesTheMessagesAndTheFirstMessagesRouting() throws {
        var batch = ServiceBusMessageBatch(maxSizeInBytes: 65536)
        let first = ServiceBusMessage(body: ByteBuffer(string: "a"), messageID: "m-1", sessionID: "s", partitionKey: "s")
        let second = ServiceBusMessage(body: ByteBuffer(string: "b"), messageID: "m-2", sessionID: "s", partitionKey: "s")
        do { let added = batch.tryAdd(first); #expect(added) }
        do { let added = batch.tryAdd(second); #expect(added) }
        let envelope = try AMQPMessage(decoding: batch.encoded())
        #expect(envelope.properties?.messageID == "m-1")
        #expect(envelope.properties?.groupID == "s")
        #expect(envelope.messageAnnotations?[symbol: "x-opt-partition-key"] == .string("s"))
        #expect(envelope.body == .dataSections([first.amqpMessage.encoded(), second.amqpMessage.encoded()]))
        let inner = try ServiceBusMessageBatch.decodeMessages(of: envelope)
        #expect(try inner.map { try ServiceBusMessage(amqpMessage: $0) } == [first, second])
        #expect(ServiceBusMessageBatch.messageFormat == 0x8001_3700)
    }

    @Test func tryAddRefusesWhatDoesNotFitAndStaysUnchanged() {
        let one = message(0, bodySize: 100)
        var probe = ServiceBusMessageBatch(maxSizeInBytes: 1 << 20)
        probe.tryAdd(one)
        probe.tryAdd(message(1, bodySize: 100))
        let twoSize = probe.encodedSize

        var batch = ServiceBusMessageBatch(maxSizeInBytes: twoSize)
        do { let added = batch.tryAdd(one); #expect(added) }
        do { let added = batch.tryAdd(message(1, bodySize: 100)); #expect(added) }
        #expect(batch.encodedSize == twoSize)
        let before = batch
        do { let added = batch.tryAdd(message(2, bodySize: 1)); #expect(!added) }
        #expect(batch == before)

        var tight = ServiceBusMessageBatch(maxSizeInBytes: twoSize - 1)
        do { let added = tight.tryAdd(one); #expect(added) }
        do { let added = tight.tryAdd(message(1, bodySize: 100)); #expect(!added) }
        #expect(tight.count == 1)

        var tiny = ServiceBusMessageBatch(maxSizeInBytes: 10)
        do { let added = tiny.tryAdd(one); #expect(!added) }
        #expect(tiny.isEmpty)
        #expect(tiny.encodedSize == 0)
    }

    @Test func preEncodedMessagesAndBadEnvelopes() throws {
        var batch = ServiceBusMessageBatch(maxSizeInBytes: 4096)
        let encoded = ServiceBusMessage(body: ByteBuffer(string: "z")).amqpMessage.encoded()
        do { let added = batch.tryAdd(encodedMessage: encoded); #expect(added) }
        #expect(batch.encodedSize == batch.encoded().readableBytes)
        #expect(batch.amqpMessage.properties == nil)
        #expect(throws: ServiceBusMessageFormatError.self) {
            try ServiceBusMessageBatch.decodeMessages(of: AMQPMessage(body: .value(.null)))
        }
        #expect(throws: ServiceBusMessageFormatError.self) {
            try ServiceBusMessageBatch.decodeMessages(of: AMQPMessage(body: .data(ByteBuffer(bytes: [0x00, 0x53]))))
        }
    }
}
