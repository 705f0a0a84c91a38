import AMQPCore
import NIOCore

/// Inputs for the codec benchmarks, built once in each benchmark's setup.
enum Fixtures {
    /// A typical application message: a JSON-ish `data` body of `bodySize` bytes with the
    /// properties and application-properties a real producer sets.
    static func message(bodySize: Int) -> AMQPMessage {
        var body = ByteBuffer()
        body.reserveCapacity(bodySize)
        let pattern = Array(#"{"order":12345,"sku":"ABC-123","qty":2,"note":"lorem ipsum"}"#.utf8)
        while body.readableBytes < bodySize {
            body.writeBytes(pattern.prefix(bodySize - body.readableBytes))
        }
        let properties = MessageProperties(
            messageID: .string("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"),
            to: "/queues/orders",
            subject: "order.created",
            correlationID: .string("c0ffee00-1234-4cde-8f00-aabbccddeeff"),
            contentType: "application/json",
            creationTime: AMQPTimestamp(millisecondsSince1970: 1_735_689_600_123)
        )
        let applicationProperties: AMQPMap = [
            "tenant": .string("acme-corp"),
            "region": .string("eu-west-1"),
            "priority": .int(7),
            "attempt": .long(3),
            "sequence": .long(1_234_567_890_123),
        ]
        return AMQPMessage(data: body, properties: properties, applicationProperties: applicationProperties)
    }

    static let deliveryTag: ByteBuffer = {
        var tag = ByteBuffer()
        tag.writeInteger(UInt64(0x0000_0000_0000_002A))
        return tag
    }()

    static let transfer = Transfer(
        handle: 1,
        deliveryID: 42,
        deliveryTag: deliveryTag,
        messageFormat: 0,
        settled: false
    )

    /// A complete transfer frame (header, transfer performative, message) on channel 1.
    static func transferFrame(bodySize: Int) -> ByteBuffer {
        let payload = message(bodySize: bodySize).encoded()
        var frame = ByteBuffer()
        frame.writeAMQPFrame(AMQPFrame(channel: 1, performative: .transfer(transfer), payload: payload))
        return frame
    }

    /// One of each performative, with the field values a client and broker really exchange.
    static let performatives: [(name: String, performative: Performative)] = [
        ("open", .open(Open(
            containerID: "swift-amqp-7f3c2a9e-1b4d-4e8a-9c61-0d2f5b7a8e13",
            hostname: "broker.example.com",
            maxFrameSize: 1_048_576,
            channelMax: 255,
            idleTimeOut: 60_000,
            desiredCapabilities: ["ANONYMOUS-RELAY", "DELAYED_DELIVERY"],
            properties: [
                .symbol("product"): .string("swift-amqp"),
                .symbol("version"): .string("0.1.0"),
                .symbol("platform"): .string("Linux x86_64"),
            ]
        ))),
        ("begin", .begin(Begin(
            remoteChannel: 0,
            nextOutgoingID: 1,
            incomingWindow: 5000,
            outgoingWindow: 2048,
            handleMax: 255
        ))),
        ("attach", .attach(Attach(
            name: "orders-receiver-5f2a",
            handle: 0,
            role: .receiver,
            sndSettleMode: .unsettled,
            rcvSettleMode: .first,
            source: Source(
                address: "/queues/orders",
                durable: .none,
                expiryPolicy: .linkDetach,
                defaultOutcome: .modified(Modified(deliveryFailed: true)),
                outcomes: ["amqp:accepted:list", "amqp:rejected:list", "amqp:released:list", "amqp:modified:list"]
            ),
            target: .target(Target(address: "receiver-5f2a")),
            maxMessageSize: 1_048_576
        ))),
        ("flow", .flow(Flow(
            nextIncomingID: 43,
            incomingWindow: 5000,
            nextOutgoingID: 1,
            outgoingWindow: 2048,
            handle: 0,
            deliveryCount: 42,
            linkCredit: 100
        ))),
        ("transfer", .transfer(transfer)),
        ("disposition", .disposition(Disposition(
            role: .receiver,
            first: 42,
            last: 57,
            settled: true,
            state: .accepted(Accepted())
        ))),
        ("detach", .detach(Detach(handle: 0, closed: true))),
        ("end", .end(End())),
        ("close", .close(Close(error: AMQPError(
            condition: .connectionForced,
            errorDescription: "broker is shutting down"
        )))),
    ]

    /// A 20-entry map with string keys and values of many types.
    static let map: AMQPMap = {
        var map = AMQPMap()
        map[string: "tenant"] = .string("acme-corp")
        map[string: "region"] = .string("eu-west-1")
        map[string: "priority"] = .int(7)
        map[string: "attempt"] = .long(3)
        map[string: "sequence"] = .long(1_234_567_890_123)
        map[string: "durable"] = .boolean(true)
        map[string: "ratio"] = .double(0.875)
        map[string: "created"] = .timestamp(AMQPTimestamp(millisecondsSince1970: 1_735_689_600_123))
        map[string: "trace-id"] = .uuid(AMQPUUID(high: 0x9B1D_EB4D_3B7D_4BAD, low: 0x9BDD_2B0D_7B3D_CB6D))
        map[string: "kind"] = .symbol("order")
        map[string: "payload-hash"] = .binary(ByteBuffer(bytes: (0..<32).map { UInt8($0) }))
        map[string: "customer"] = .string("Customer Number 000123456")
        map[string: "retries"] = .ubyte(5)
        map[string: "size"] = .uint(65_536)
        map[string: "offset"] = .ulong(9_876_543_210)
        map[string: "score"] = .float(4.5)
        map[string: "deadline"] = .null
        map[string: "shard"] = .short(12)
        map[string: "tags"] = .string("urgent,gift,express")
        map[string: "source"] = .string("checkout-service")
        return map
    }()
}
