import AMQPCore
import Testing
@testable import OctopusEnvelope

@Suite struct FieldFormTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("1970-01-01T00:00:00.001Z", 1), ("1969-12-31T23:59:59.999Z", -1),
        ("2021-11-08T12:33:00Z", 1_636_374_780_000), ("2000-02-29T00:00:00Z", 951_782_400_000),
        ("2021-11-08T12:33:00.1Z", 1_636_374_780_100), ("2021-11-08T12:33:00.12Z", 1_636_374_780_120),
        ("2021-11-08T12:33:00.123456789Z", 1_636_374_780_123), ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999), ("1900-03-01T00:00:00Z", -2_203_891_200_000),
    ])
    func timestampsParse(_ text: String, _ milliseconds: Int64) {
        #expect(AMQPTimestamp(iso8601UTC: text)?.millisecondsSince1970 == milliseconds, "\(text)")
    }

    @Test func leapYears() {
        #expect(AMQPTimestamp(iso8601UTC: "2000-02-29T00:00:00Z") != nil)
        #expect(AMQPTimestamp(iso8601UTC: "2024-02-29T00:00:00Z") != nil)
        #expect(AMQPTimestamp(iso8601UTC: "1900-02-29T00:00:00Z") == nil)
        #expect(AMQPTimestamp(iso8601UTC: "2023-02-29T00:00:00Z") == nil)
    }

    @Test func timestampsFormatAndRoundTrip() {
        #expect(AMQPTimestamp(millisecondsSince1970: 0).iso8601UTC == "1970-01-01T00:00:00Z")
        #expect(AMQPTimestamp(millisecondsSince1970: -1).iso8601UTC == "1969-12-31T23:59:59.999Z")
        #expect(AMQPTimestamp(millisecondsSince1970: 1_636_374_780_120).iso8601UTC == "2021-11-08T12:33:00.120Z")
        #expect(AMQPTimestamp(millisecondsSince1970: 253_402_300_800_000).iso8601UTC == nil)   // year 10000
        #expect(AMQPTimestamp(millisecondsSince1970: -62_167_219_200_001).iso8601UTC == nil)   // year -1
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<10_000 {
            let time = AMQPTimestamp(millisecondsSince1970: Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &generator))
            let text = time.iso8601UTC!
            #expect(AMQPTimestamp(iso8601UTC: text) == time, "\(text)")
        }
    }

    @Test func nowIsNow() {
        let now = AMQPTimestamp.now()
        #expect(now.millisecondsSince1970 > 1_700_000_000_000)
        #expect(AMQPTimestamp(iso8601UTC: now.iso8601UTC!) == now)
    }

    @Test func traceParentsParseAndPrint() throws {
        let parent = try #require(OctopusTraceParent(exampleActivity))
        #expect(parent.traceIDHigh == 0x15c3_8868_77ec_bd4a && parent.traceIDLow == 0x95b8_b031_cd7f_bb46)
        #expect(parent.parentID == 0xc5fe_780f_b33b_b443 && parent.flags == 0 && !parent.isSampled)
        #expect(parent.description == exampleActivity)
        let small = OctopusTraceParent(traceIDHigh: 0, traceIDLow: 1, parentID: 2, flags: 1)
        #expect(small.description == "00-00000000000000000000000000000001-0000000000000002-01")
        #expect(OctopusTraceParent(small.description) == small)
    }

    @Test func newTracesAndChildren() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<1000 {
            let trace = OctopusTraceParent.random(using: &generator)
            #expect(OctopusTraceParent(trace.description) == trace)
            #expect(trace.isSampled)
            let child = trace.child(using: &generator)
            #expect(child.traceIDHigh == trace.traceIDHigh && child.traceIDLow == trace.traceIDLow)
            #expect(child.parentID != trace.parentID)
        }
        #expect(OctopusTraceParent.random() != OctopusTraceParent.random())
    }
}
