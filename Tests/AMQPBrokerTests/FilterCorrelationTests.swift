import AMQPCore
import Testing

@testable import AMQPBroker

@Suite("Correlation filter")
struct FilterCorrelationTests {
    @Test func emptyFilterIsRefused() {
        #expect(throws: CorrelationFilterError.self) { try CorrelationFilter() }
        do {
            _ = try CorrelationFilter()
        } catch {
            #expect(error.code == .empty)
        }
        #expect(throws: CorrelationFilterError.self) { try CorrelationFilter(configuration: [:]) }
    }

    @Test func everyGivenSystemFieldMustEqual() throws {
        let filter = try CorrelationFilter(correlationId: "order-1", label: "created")
        #expect(filter.matches(FilterInput(correlationId: "order-1", label: "created")))
        #expect(!filter.matches(FilterInput(correlationId: "order-1", label: "deleted")))
        #expect(!filter.matches(FilterInput(correlationId: "order-1")))
        #expect(!filter.matches(FilterInput(label: "created")))
    }

    @Test func valuesAreCaseSensitive() throws {
        let filter = try CorrelationFilter(to: "Orders")
        #expect(filter.matches(FilterInput(to: "Orders")))
        #expect(!filter.matches(FilterInput(to: "orders")))
    }

    @Test(arguments: [
        (\FilterInput.contentType, "contentType"), (\FilterInput.correlationId, "correlationId"),
        (\FilterInput.label, "label"), (\FilterInput.messageId, "messageId"), (\FilterInput.replyTo, "replyTo"),
        (\FilterInput.replyToSessionId, "replyToSessionId"), (\FilterInput.sessionId, "sessionId"),
        (\FilterInput.to, "to"),
    ] as [(WritableKeyPath<FilterInput, String?> & Sendable, String)])
    func eachSystemFieldFromConfiguration(keyPath: WritableKeyPath<FilterInput, String?> & Sendable, name: String) throws {
        // The configuration names are the Service Bus ones with a capital first letter.
        let key = name.prefix(1).uppercased() + name.dropFirst()
        let filter = try CorrelationFilter(configuration: [key: .string("v")])
        var input = FilterInput()
        #expect(!filter.matches(input))
        input[keyPath: keyPath] = "v"
        #expect(filter.matches(input))
        input[keyPath: keyPath] = "V"
        #expect(!filter.matches(input))
    }

    @Test func propertiesCompareByValue() throws {
        let filter = try CorrelationFilter(properties: ["count": .int(5), "color": .string("red"), "vip": .boolean(true)])
        let base: [String: AMQPValue] = ["count": .long(5), "color": .symbol("red"), "vip": .boolean(true)]
        #expect(filter.matches(FilterInput(applicationProperties: base)))
        var doubled = base
        doubled["count"] = .double(5.0)
        #expect(filter.matches(FilterInput(applicationProperties: doubled)))
        var text = base
        text["count"] = .string("5")
        #expect(!filter.matches(FilterInput(applicationProperties: text)))
        var other = base
        other["vip"] = .boolean(false)
        #expect(!filter.matches(FilterInput(applicationProperties: other)))
        var missing = base
        missing["color"] = nil
        #expect(!filter.matches(FilterInput(applicationProperties: missing)))
        var upper = base
        upper["color"] = .string("Red")
        #expect(!filter.matches(FilterInput(applicationProperties: upper)))
    }

    @Test func propertyNamesAreCaseSensitive() throws {
        let filter = try CorrelationFilter(properties: ["Color": .string("red")])
        #expect(!filter.matches(FilterInput(applicationProperties: ["color": .string("red")])))
        #expect(filter.matches(FilterInput(applicationProperties: ["Color": .string("red")])))
    }

    @Test func opaqueValuesMatchOnlyTheSameValue() throws {
        let id = AMQPUUID(high: 1, low: 2)
        let filter = try CorrelationFilter(properties: ["id": .uuid(id), "nothing": .null])
        #expect(filter.matches(FilterInput(applicationProperties: ["id": .uuid(id), "nothing": .null])))
        #expect(!filter.matches(FilterInput(applicationProperties: ["id": .uuid(AMQPUUID(high: 1, low: 3)), "nothing": .null])))
        #expect(!filter.matches(FilterInput(applicationProperties: ["id": .uuid(id), "nothing": .long(0)])))
    }

    @Test func configurationShape() throws {
        let configuration: [String: AMQPValue] = [
            "Label": "created",
            "properties": .map(["region": "eu", "priority": .long(2)]),
        ]
        let filter = try CorrelationFilter(configuration: configuration)
        #expect(filter.label == "created")
        #expect(filter.properties == ["region": "eu", "priority": .long(2)])
        #expect(filter.matches(FilterInput(label: "created", applicationProperties: ["region": "eu", "priority": .int(2)])))
    }

    @Test func managementKeysInKebabCase() throws {
        let filter = try CorrelationFilter(configuration: [
            "correlation-id": "c", "reply-to-session-id": "r", "content-type": .symbol("text/plain"), "label": .null,
        ])
        #expect(filter.correlationId == "c")
        #expect(filter.replyToSessionId == "r")
        #expect(filter.contentType == "text/plain")
        #expect(filter.label == nil)
    }

    @Test func configurationRefusesUnknownKeysAndWrongTypes() {
        for configuration: [String: AMQPValue] in [["Lable": "x"], ["Label": .long(1)], ["Properties": "x"],
                                                     ["Properties": .map([.long(1): "x"])]] {
            do {
                _ = try CorrelationFilter(configuration: configuration)
                Issue.record("accepted \(configuration)")
            } catch {
                #expect(error.code == .invalidConfiguration)
            }
        }
    }

    @Test func trueAndFalseFilters() {
        #expect(TrueFilter().matches(FilterInput()))
        #expect(!FalseFilter().matches(FilterInput(label: "x")))
    }
}
