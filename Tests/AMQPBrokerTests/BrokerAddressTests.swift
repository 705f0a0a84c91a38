import Testing
@testable import AMQPBroker

@Suite("Broker addresses")
struct BrokerAddressTests {
    @Test(arguments: [
        ("queue.1", BrokerAddress.Target.entity(name: "queue.1", subscription: nil, node: .entity)),
        ("/queue.1", .entity(name: "queue.1", subscription: nil, node: .entity)),
        ("topic.1/Subscriptions/sub", .entity(name: "topic.1", subscription: "sub", node: .entity)),
        ("topic.1/subscriptions/sub/$DeadLetterQueue", .entity(name: "topic.1", subscription: "sub", node: .deadLetterQueue)),
        ("q/$deadletterqueue", .entity(name: "q", subscription: nil, node: .deadLetterQueue)),
        ("q/$Transfer/$DeadLetterQueue", .entity(name: "q", subscription: nil, node: .deadLetterQueue)),
        ("q/$management", .entity(name: "q", subscription: nil, node: .management)),
        ("t/Subscriptions/s/$management", .entity(name: "t", subscription: "s", node: .management)),
        ("$cbs", .cbs),
        ("amqps://ns.servicebus.windows.net/queue.1", .entity(name: "queue.1", subscription: nil, node: .entity)),
        ("sb://localhost:5672/t/Subscriptions/s", .entity(name: "t", subscription: "s", node: .entity)),
        ("amqp://localhost/q/$management?x=1", .entity(name: "q", subscription: nil, node: .management)),
    ])
    func parses(text: String, target: BrokerAddress.Target) {
        #expect(BrokerAddress(parsing: text)?.target == target)
    }

    @Test(arguments: ["", "/", "q//x", "q/$unknown", "$management", "t/Subscriptions", "t/Subscriptions/$x", "amqps://hostonly",
                      "a/b/c/d/e/f/g", String(repeating: "a", count: 2000)])
    func rejects(text: String) {
        #expect(BrokerAddress(parsing: text) == nil)
    }

    @Test func rightsPerOperation() {
        #expect(BrokerOperation.send.requiredRight == .send)
        #expect(BrokerOperation.receive.requiredRight == .listen)
        #expect(BrokerOperation.peek.requiredRight == .listen)
        #expect(BrokerOperation.manageRules.requiredRight == .manage)
    }
}
