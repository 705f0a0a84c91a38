import AMQPCore
import AMQPServiceBus
import Testing

@Suite struct AddressingTests {
    static let formatted: [(ServiceBusEntityPath, String)] = [
        (.queue("orders"), "orders"),
        (.topic("events/v1"), "events/v1"),
        (.subscription(topic: "t", name: "s"), "t/Subscriptions/s"),
        (.subscription(topic: "a/b", name: "s"), "a/b/Subscriptions/s"),
        (ServiceBusEntityPath.queue("q").deadLetterQueue, "q/$DeadLetterQueue"),
        (ServiceBusEntityPath.queue("q").transferDeadLetterQueue, "q/$Transfer/$DeadLetterQueue"),
        (ServiceBusEntityPath.subscription(topic: "t", name: "s").deadLetterQueue, "t/Subscriptions/s/$DeadLetterQueue"),
    ]

    @Test(arguments: formatted)
    func formatsAndParses(_ path: ServiceBusEntityPath, _ text: String) throws {
        #expect(path.address == text)
        #expect(try ServiceBusEntityPath(parsing: text) == path)
        #expect(path.managementAddress == text + "/$management")
        #expect(try ServiceBusAddress(parsing: text + "/$management") == .management(path))
        #expect(try ServiceBusAddress(parsing: text) == .entity(path))
    }

    @Test func reservedWordsParseCaseInsensitively() throws {
        #expect(try ServiceBusEntityPath(parsing: "T/subscriptions/S/$deadletterqueue")
            == ServiceBusEntityPath.subscription(topic: "T", name: "S").deadLetterQueue)
        #expect(try ServiceBusEntityPath(parsing: "q/$TRANSFER/$DEADLETTERQUEUE")
            == ServiceBusEntityPath.queue("q").transferDeadLetterQueue)
        #expect(try ServiceBusAddress(parsing: "$cbs") == .cbs)
        #expect(try ServiceBusAddress(parsing: "/$CBS") == .cbs)
        #expect(try ServiceBusAddress(parsing: "/q") == .entity(.queue("q")))
        #expect(ServiceBusAddress.cbs.address == "$cbs")
    }

    @Test(arguments: ["", "/", "q/", "/q", "a//b", "$management", "q/$Transfer", "$DeadLetterQueue",
                      "t/Subscriptions", "Subscriptions/s", "t/Subscriptions/s/x/Subscriptions"])
    func rejectsMalformedPaths(_ text: String) {
        #expect(throws: ServiceBusConfigurationError.self) { try ServiceBusEntityPath(parsing: text) }
    }

    @Test func audienceIsTheSBURIOfTheEntity() {
        #expect(ServiceBusEntityPath.queue("orders").audience(namespace: "ns.servicebus.windows.net")
            == "sb://ns.servicebus.windows.net/orders")
        #expect(ServiceBusEntityPath.subscription(topic: "t", name: "s").audience(namespace: "ns")
            == "sb://ns/t/Subscriptions/s")
    }

    @Test func sessionFilterUsesTheMicrosoftDescriptor() {
        let filter = ServiceBusLinkVocabulary.sessionFilter(sessionID: "s-1")
        guard case .described(let described)? = filter[symbol: "com.microsoft:session-filter"] else {
            Issue.record("no session filter")
            return
        }
        #expect(described.descriptor == .ulong(0x0000_0137_0000_000C))
        #expect(described.value == .string("s-1"))
        #expect(ServiceBusLinkVocabulary.sessionID(inFilter: filter) == .some("s-1"))
        let next = ServiceBusLinkVocabulary.sessionFilter(sessionID: nil)
        #expect(ServiceBusLinkVocabulary.sessionID(inFilter: next) == .some(nil))
        #expect(ServiceBusLinkVocabulary.sessionID(inFilter: [:]) == nil)
        let byName: AMQPMap = [.symbol("com.microsoft:session-filter"):
            .described(AMQPDescribed(descriptor: .symbol("com.microsoft:session-filter"), value: "x"))]
        #expect(ServiceBusLinkVocabulary.sessionID(inFilter: byName) == .some("x"))
        // The filter survives the wire.
        let decoded = try? AMQPValue(decoding: AMQPValue.map(filter).encoded())
        #expect(decoded == .map(filter))
    }

    @Test func vocabularyMatchesTheServiceStrings() {
        #expect(ServiceBusAnnotationKey.sequenceNumber == "x-opt-sequence-number")
        #expect(ServiceBusAnnotationKey.enqueuedTime == "x-opt-enqueued-time")
        #expect(ServiceBusAnnotationKey.lockedUntil == "x-opt-locked-until")
        #expect(ServiceBusAnnotationKey.scheduledEnqueueTime == "x-opt-scheduled-enqueue-time")
        #expect(ServiceBusAnnotationKey.partitionKey == "x-opt-partition-key")
        #expect(ServiceBusAnnotationKey.viaPartitionKey == "x-opt-via-partition-key")
        #expect(ServiceBusAnnotationKey.deadLetterSource == "x-opt-deadletter-source")
        #expect(ServiceBusAnnotationKey.enqueueSequenceNumber == "x-opt-enqueue-sequence-number")
        #expect(ServiceBusAnnotationKey.messageState == "x-opt-message-state")
        #expect(ServiceBusAnnotationKey.lockToken == "x-opt-lock-token")
        #expect(ServiceBusApplicationPropertyKey.deadLetterReason == "DeadLetterReason")
        #expect(ServiceBusApplicationPropertyKey.deadLetterErrorDescription == "DeadLetterErrorDescription")
        #expect(ServiceBusApplicationPropertyKey.diagnosticID == "Diagnostic-Id")
        #expect(AMQPErrorCondition.serviceBusMessageLockLost.description == "com.microsoft:message-lock-lost")
    }
}
