import AMQPCore
import Foundation
import Testing

@testable import AMQPBroker

@Suite("SQL filter evaluation")
struct FilterSQLEvaluationTests {
    static let message = FilterInput(
        messageId: "m-1", correlationId: "c-1", label: "Created", to: "orders", replyTo: "replies",
        replyToSessionId: "rs", sessionId: "s-1", contentType: "application/json", sequenceNumber: 42,
        enqueuedTime: Date(timeIntervalSince1970: 1_700_000_000), deliveryCount: 3, size: 256,
        applicationProperties: [
            "color": "red", "count": .int(5), "big": .long(9_000_000_000), "ratio": .double(0.5),
            "vip": .boolean(true), "nothing": .null, "tag": .symbol("blue"), "my prop": "spaced",
            "Case": "upper", "when": .timestamp(AMQPTimestamp(millisecondsSince1970: 1_000)),
            "huge": .ulong(UInt64.max), "small": .ubyte(7), "pct": "100%",
        ])

    static func matches(_ expression: String, _ input: FilterInput = message) throws -> Bool {
        try SQLFilter(expression: expression).matches(input)
    }

    @Test(arguments: [
        "1=1", "color = 'red'", "user.color = 'red'", "[color] = 'red'", "[my prop] = 'spaced'",
        "sys.Label = 'Created'", "SYS.LABEL = 'Created'", "sys.subject = 'Created'", "sys.MessageId = 'm-1'",
        "sys.CorrelationId = 'c-1'", "sys.To = 'orders'", "sys.ReplyTo = 'replies'",
        "sys.ReplyToSessionId = 'rs'", "sys.SessionId = 's-1'", "sys.ContentType = 'application/json'",
        "sys.SequenceNumber = 42", "sys.DeliveryCount >= 3", "sys.Size < 1000", "count = 5", "count = 5.0",
        "count > 4.5", "count <> 6", "count != 6", "big > 2147483647", "ratio < 1", "ratio = .5", "ratio = 5e-1",
        "vip = TRUE", "vip <> false", "tag = 'blue'", "small = 7", "huge > 9223372036854775807",
        "count + 1 = 6", "count - 10 = -5", "count * 2 = 10", "count / 2 = 2", "count % 2 = 1",
        "count / 2.0 = 2.5", "-count = -5", "+count = 5", "2 + 3 * 4 = 14", "(2 + 3) * 4 = 20",
        "10 - 4 - 3 = 3", "color IN ('green', 'red')", "count IN (1, 5)", "color NOT IN ('green')",
        "color LIKE 'r%'", "color LIKE '_ed'", "color LIKE '%'", "color LIKE 'red'", "color NOT LIKE 'b%'",
        "pct LIKE '100!%' ESCAPE '!'", "sys.Label LIKE 'Cr%t_d'", "nothing IS NULL", "missing IS NULL",
        "color IS NOT NULL", "EXISTS(color)", "EXISTS(nothing)", "NOT EXISTS(missing)", "EXISTS(sys.Label)",
        "NOT EXISTS(sys.Size) OR sys.Size > 0", "color = 'red' AND count = 5", "color = 'blue' OR count = 5",
        "NOT color = 'blue'", "NOT (color = 'blue' OR count = 6)", "color = 'red' and NOT vip = false",
        "'it''s' = 'it''s'", "missing = 1 OR 1 = 1", "NOT (missing = 1 AND 1 = 0)", "when = when",
        "sys.EnqueuedTimeUtc = sys.EnqueuedTimeUtc", "Case = 'upper'", "TRUE", "color < 'z'", "'a' < 'b'",
        "-9223372036854775808 < 0", "1.5 > 1", "3 > 2.9999", "color = 'red' AND (count = 1 OR count = 5)",
    ])
    func matching(_ expression: String) throws {
        #expect(try Self.matches(expression), "\(expression)")
    }

    @Test(arguments: [
        "1=0", "FALSE", "color = 'Red'", "color = 'blue'", "Color = 'red'", "case = 'upper'", "sys.Label = 'created'",
        // Unknown (missing property, null, mixed types) never matches, nor does its negation.
        "missing = 1", "NOT missing = 1", "missing <> 1", "nothing = NULL", "NOT nothing = NULL", "NULL = NULL",
        "color = 5", "NOT color = 5", "count = '5'", "count <> '5'", "vip = 1", "vip < TRUE",
        "missing IN (1, 2)", "missing NOT IN (1, 2)", "color IN ('blue', NULL)", "color NOT IN ('blue', NULL)",
        "count LIKE '5'", "count NOT LIKE '5'", "missing LIKE '%'", "missing NOT LIKE '%'",
        "color LIKE 'R%'", "color LIKE 're'", "color LIKE '__'", "pct LIKE '100!_' ESCAPE '!'",
        "color = 'red' AND missing = 1", "missing = 1 OR color = 'blue'", "NOT (missing = 1 OR 1 = 0)",
        "count / 0 = 0", "count % 0 = 0", "ratio / 0 = 0", "9223372036854775807 + 1 > 0",
        "-9223372036854775808 * -1 > 0", "'a' + 'b' = 'ab'", "-color = 1", "+color = 'red'",
        "NOT EXISTS(color)", "EXISTS(missing)", "EXISTS(Color)", "nothing IS NOT NULL", "sys.Size > 1000",
        "when > 5", "sys.EnqueuedTimeUtc > 0", "count > 5", "count < 5", "3 < 2.9999", "count >= 5.5",
    ])
    func notMatching(_ expression: String) throws {
        #expect(try !Self.matches(expression), "\(expression)")
    }

    @Test func missingSystemPropertiesAreUnknown() throws {
        let empty = FilterInput()
        for expression in ["sys.Label = 'x'", "NOT sys.Label = 'x'", "sys.SequenceNumber > 0", "EXISTS(sys.Label)",
                           "sys.EnqueuedTimeUtc = sys.EnqueuedTimeUtc"] {
            #expect(try !Self.matches(expression, empty), "\(expression)")
        }
        #expect(try Self.matches("sys.Label IS NULL AND NOT EXISTS(sys.To)", empty))
    }

    @Test func enqueuedTimeComparesWithTimestampProperties() throws {
        let input = FilterInput(
            enqueuedTime: Date(timeIntervalSince1970: 10),
            applicationProperties: ["before": .timestamp(AMQPTimestamp(millisecondsSince1970: 9_999)),
                                    "same": .timestamp(AMQPTimestamp(millisecondsSince1970: 10_000))])
        #expect(try Self.matches("sys.EnqueuedTimeUtc > before AND sys.EnqueuedTimeUtc = same", input))
    }

    @Test func longsAndDoublesCompareExactly() throws {
        // 2^53 + 1 is not a double: a naive conversion would call these equal.
        let input = FilterInput(applicationProperties: ["n": .long(9_007_199_254_740_993)])
        #expect(try !Self.matches("n = 9007199254740992.0", input))
        #expect(try Self.matches("n > 9007199254740992.0", input))
        #expect(try Self.matches("n = 9007199254740993", input))
    }

    @Test func notInIsTheNegationOfInForKnownValues() throws {
        for value: AMQPValue in ["a", "b", .long(1)] {
            let input = FilterInput(applicationProperties: ["p": value])
            let inside = try Self.matches("p IN ('a', 'c')", input)
            let outside = try Self.matches("p NOT IN ('a', 'c')", input)
            if value == .long(1) {
                #expect(!inside && !outside)
            } else {
                #expect(inside != outside)
            }
        }
    }

    @Test func likeBacktracksAcrossSeveralWildcards() throws {
        let input = FilterInput(applicationProperties: ["s": .string("abcabcabd")])
        #expect(try Self.matches("s LIKE '%abc%abd'", input))
        #expect(try Self.matches("s LIKE 'a%c_b%d'", input))
        #expect(try !Self.matches("s LIKE '%abc%abe'", input))
        #expect(try Self.matches("s LIKE '%%%%d'", input))
        let unicode = FilterInput(applicationProperties: ["s": .string("héllo")])
        #expect(try Self.matches("s LIKE 'h_llo'", unicode))
    }
}
