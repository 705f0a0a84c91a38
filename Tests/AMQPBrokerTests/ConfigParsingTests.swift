import AMQPCore
import Testing
@testable import AMQPBroker

let emulatorSample = """
{"UserConfig": {"Namespaces": [{"Name": "sbemulatorns", "Queues": [{"Name": "queue.1", "Properties": {"DeadLetteringOnMessageExpiration": false, "DefaultMessageTimeToLive": "PT1H", "DuplicateDetectionHistoryTimeWindow": "PT20S", "ForwardDeadLetteredMessagesTo": "", "ForwardTo": "", "LockDuration": "PT1M", "MaxDeliveryCount": 10, "RequiresDuplicateDetection": false, "RequiresSession": false}}], "Topics": [{"Name": "topic.1", "Properties": {"DefaultMessageTimeToLive": "PT1H", "DuplicateDetectionHistoryTimeWindow": "PT20S", "RequiresDuplicateDetection": false}, "Subscriptions": [{"Name": "subscription.1", "Properties": {"DeadLetteringOnMessageExpiration": false, "DefaultMessageTimeToLive": "PT1H", "LockDuration": "PT1M", "MaxDeliveryCount": 10, "ForwardDeadLetteredMessagesTo": "", "ForwardTo": "", "RequiresSession": false}, "Rules": [{"Name": "app-prop-filter-1", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {"ContentType": "application/text", "CorrelationId": "id1", "Label": "subject1", "MessageId": "msgid1", "ReplyTo": "someQueue", "ReplyToSessionId": "sessionId", "SessionId": "session1", "To": "xyz", "Properties": {"prop1": "value1"}}}}, {"Name": "sql-filter-1", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "sys.MessageId = '123456' AND userProp1 = 'value1'"}, "Action": {"SqlExpression": "SET sys.To = 'Entity'"}}}]}]}]}], "Logging": {"Type": "File"}}}
"""

@Suite("Configuration parsing")
struct ConfigParsingTests {
    @Test func parsesTheEmulatorSample() throws {
        let config = try BrokerConfiguration.parse(json: emulatorSample)
        let namespace = try #require(config.namespaces.first)
        #expect(namespace.name == "sbemulatorns")
        #expect(namespace.sharedAccessPolicies == [.rootManage])
        let queue = try #require(namespace.queues.first)
        #expect(queue.name == "queue.1")
        #expect(queue.properties.defaultMessageTimeToLive == .seconds(3600))
        #expect(queue.properties.duplicateDetectionHistoryTimeWindow == .seconds(20))
        #expect(queue.properties.lockDuration == .minutes(1))
        #expect(queue.properties.forwardTo == nil)
        #expect(queue.properties.forwardDeadLetteredMessagesTo == nil)
        #expect(queue.properties.maxDeliveryCount == 10)
        let topic = try #require(namespace.topics.first)
        let subscription = try #require(topic.subscriptions.first)
        #expect(subscription.rules.count == 2)
        guard case .correlation(let correlation) = subscription.rules[0].filter else {
            Issue.record("expected a correlation filter"); return
        }
        #expect(correlation.contentType == "application/text")
        #expect(correlation.replyToSessionId == "sessionId")
        #expect(correlation.properties == ["prop1": .string("value1")])
        #expect(subscription.rules[1].filter == .sql(expression: "sys.MessageId = '123456' AND userProp1 = 'value1'"))
        #expect(subscription.rules[1].actionExpression == "SET sys.To = 'Entity'")
        #expect(config.userConfig.logging?.type == "File")
    }

    @Test func absentPropertiesTakeServiceBusDefaults() throws {
        let config = try BrokerConfiguration.parse(json: #"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "q"}], "Unknown": 1}], "Extra": true}}"#)
        let p = try #require(config.namespaces.first?.queues.first?.properties)
        #expect(p.lockDuration == .minutes(1))
        #expect(p.maxDeliveryCount == 10)
        #expect(p.defaultMessageTimeToLive == .effectivelyInfinite)
        #expect(p.duplicateDetectionHistoryTimeWindow == .minutes(10))
        #expect(!p.requiresSession && !p.requiresDuplicateDetection && !p.deadLetteringOnMessageExpiration)
    }

    @Test func policiesAreRead() throws {
        let config = try BrokerConfiguration.parse(json: #"{"UserConfig": {"Namespaces": [{"Name": "ns", "SharedAccessPolicies": [{"Name": "sender", "Key": "k1", "Rights": ["Send"]}], "Queues": [{"Name": "q", "SharedAccessPolicies": [{"Name": "l", "Key": "k2", "Rights": ["Listen", "Manage"]}]}]}]}}"#)
        let namespace = try #require(config.namespaces.first)
        #expect(namespace.sharedAccessPolicies == [SharedAccessPolicy(name: "sender", key: "k1", rights: [.send])])
        #expect(namespace.queues[0].sharedAccessPolicies[0].rights == [.listen, .manage])
        #expect(!"\(namespace.sharedAccessPolicies[0])".contains("k1"))
    }

    @Test func defaultConfigurationHasTheSampleEntities() throws {
        let config = BrokerConfiguration.default
        try config.validate()
        #expect(config.namespaces[0].queues.map(\.name) == ["queue.1"])
        #expect(config.namespaces[0].topics[0].subscriptions.map(\.name) == ["subscription.1"])
        // Round trip through JSON.
        let again = try BrokerConfiguration.parse(json: try config.encodedJSON())
        #expect(again == config)
    }

    @Test func sampleRoundTripsThroughJSON() throws {
        let config = try BrokerConfiguration.parse(json: emulatorSample)
        #expect(try BrokerConfiguration.parse(json: try config.encodedJSON()) == config)
    }

    static let badFields: [(String, String, String)] = [
        (#""LockDuration": "PT1X""#, "UserConfig.Namespaces[0].Queues[1].Properties.LockDuration", #""PT1X" is not an ISO 8601 duration"#),
        (#""LockDuration": "PT6M""#, "UserConfig.Namespaces[0].Queues[1].Properties.LockDuration", "outside"),
        (#""MaxDeliveryCount": "ten""#, "UserConfig.Namespaces[0].Queues[1].Properties.MaxDeliveryCount", "expected an integer"),
        (#""MaxDeliveryCount": 0"#, "UserConfig.Namespaces[0].Queues[1].Properties.MaxDeliveryCount", "outside"),
        (#""DefaultMessageTimeToLive": 5"#, "UserConfig.Namespaces[0].Queues[1].Properties.DefaultMessageTimeToLive", "expected a string"),
        (#""DuplicateDetectionHistoryTimeWindow": "PT1S""#, "UserConfig.Namespaces[0].Queues[1].Properties.DuplicateDetectionHistoryTimeWindow", "outside"),
        (#""RequiresSession": "yes""#, "UserConfig.Namespaces[0].Queues[1].Properties.RequiresSession", "expected a boolean"),
        (#""ForwardTo": "nowhere""#, "UserConfig.Namespaces[0].Queues[1].Properties.ForwardTo", "not a queue or topic"),
        (#""ForwardTo": "b""#, "UserConfig.Namespaces[0].Queues[1].Properties.ForwardTo", "itself"),
        (#""MaxSizeInMegabytes": 0"#, "UserConfig.Namespaces[0].Queues[1].Properties.MaxSizeInMegabytes", "outside"),
    ]

    @Test(arguments: badFields)
    func badFieldNamesItsPath(field: String, path: String, detail: String) {
        let json = #"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "a"}, {"Name": "b", "Properties": {"# + field + "}}]}]}}"
        do {
            _ = try BrokerConfiguration.parse(json: json)
            Issue.record("accepted \(field)")
        } catch {
            #expect(error.path == path)
            #expect(error.detail.contains(detail), "\(error)")
            #expect(error.description.hasPrefix(path + ": "))
        }
    }

    static let badDocuments: [(String, BrokerConfigurationError.Code, String)] = [
        ("not json", .invalidJSON, ""),
        (#"{}"#, .missingField, "UserConfig"),
        (#"{"UserConfig": {"Namespaces": []}}"#, .missingField, "UserConfig.Namespaces"),
        (#"{"UserConfig": {"Namespaces": [{"Queues": []}]}}"#, .missingField, "UserConfig.Namespaces[0].Name"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "q"}, {"Name": "Q"}]}]}}"#, .duplicateName, "UserConfig.Namespaces[0].Queues[1].Name"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "q"}], "Topics": [{"Name": "q"}]}]}}"#, .duplicateName, "UserConfig.Namespaces[0].Topics[0].Name"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": ""}]}]}}"#, .invalidValue, "UserConfig.Namespaces[0].Queues[0].Name"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [{"Name": "r", "Properties": {"FilterType": "Magic"}}]}]}]}]}}"#, .invalidValue, "UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties.FilterType"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [{"Name": "r", "Properties": {"FilterType": "Sql"}}]}]}]}]}}"#, .missingField, "UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties.SqlFilter"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Topics": [{"Name": "t", "Properties": {"DefaultMessageTimeToLive": "1H"}}]}]}}"#, .invalidValue, "UserConfig.Namespaces[0].Topics[0].Properties.DefaultMessageTimeToLive"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "SharedAccessPolicies": [{"Name": "p", "Key": "", "Rights": ["Send"]}]}]}}"#, .invalidValue, "UserConfig.Namespaces[0].SharedAccessPolicies[0].Key"),
        (#"{"UserConfig": {"Namespaces": [{"Name": "ns", "SharedAccessPolicies": [{"Name": "p", "Key": "k", "Rights": ["Fly"]}]}]}}"#, .invalidValue, "UserConfig.Namespaces[0].SharedAccessPolicies[0].Rights[0]"),
    ]

    @Test(arguments: badDocuments)
    func badDocumentNamesItsPath(json: String, code: BrokerConfigurationError.Code, path: String) {
        #expect {
            _ = try BrokerConfiguration.parse(json: json)
        } throws: { error in
            guard let error = error as? BrokerConfigurationError else { return false }
            return error.code == code && error.path == path
        }
    }
}

@Suite("ISO 8601 durations")
struct ConfigDurationTests {
    static let valid: [(String, Int64)] = [
        ("PT1M", 60_000), ("P14D", 14 * 86_400_000), ("PT0.5S", 500), ("P1DT2H", 93_600_000),
        ("PT20S", 20_000), ("P1W", 7 * 86_400_000), ("PT1H30M", 5_400_000), ("P10675199DT2H48M5.4775807S", 922_337_203_685_477),
        ("PT0S", 0), ("PT1,25S", 1250),
    ]

    @Test(arguments: valid)
    func parses(text: String, milliseconds: Int64) {
        #expect(ISO8601Duration(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "P", "PT", "1H", "PT1X", "P1H", "PT1D", "PT1.5M", "PT1S2M", "P-1D", "PT.5S", "P1DT", "P99999999999999999999D", "PT1M1M"])
    func rejects(text: String) {
        #expect(ISO8601Duration(parsing: text) == nil)
    }

    @Test func canonicalDescriptionRoundTrips() {
        for ms: Int64 in [0, 1, 500, 60_000, 93_600_500, 922_337_203_685_477] {
            let duration = ISO8601Duration(milliseconds: ms)
            #expect(ISO8601Duration(parsing: duration.description) == duration, "\(duration)")
        }
    }
}
