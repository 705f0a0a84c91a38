import NIOCore
import Testing
@testable import OctopusEnvelope

/// The payload validator against RFC 8259's grammar and I-JSON's (RFC 7493) extra rules.
@Suite struct JSONStrictnessTests {
    @Test(arguments: [
        "{}", " { } ", #"{"a":0}"#, #"{"a":-0}"#, #"{"a":1.5}"#, #"{"a":-1.5e10}"#, #"{"a":1E+2}"#, #"{"a":1e-2}"#,
        #"{"a":123456789012345678901234567890}"#, #"{"a":true,"b":false,"c":null}"#, #"{"a":[]}"#, #"{"a":[[],{}]}"#,
        #"{"a":""}"#, #"{"":1}"#, #"{"a":"\"\\\/\b\f\n\r\t\u0000\uFFFF\uD83D\uDE00"}"#, "{\"a\":\"é😀\u{7F}\"}",
        #"{"a":{"a":{"a":1}}}"#, #"{"a":1,"b":{"a":1}}"#, "{\n\t\"a\" :\r\n[ 1 ,2 ]\n}",
    ])
    func validPayloads(_ json: String) {
        #expect(payloadError(json) == nil, "\(json)")
    }

    @Test(arguments: [
        // Numbers.
        #"{"a":01}"#, #"{"a":-}"#, #"{"a":+1}"#, #"{"a":.5}"#, #"{"a":1.}"#, #"{"a":1e}"#, #"{"a":1e+}"#,
        #"{"a":0x10}"#, #"{"a":NaN}"#, #"{"a":Infinity}"#, #"{"a":-Infinity}"#, #"{"a":1_000}"#, #"{"a":--1}"#,
        // Literals.
        #"{"a":tru}"#, #"{"a":True}"#, #"{"a":nul}"#, #"{"a":undefined}"#,
        // Structure.
        #"{"a":1,}"#, #"{"a":[1,]}"#, #"{,"a":1}"#, #"{"a" 1}"#, #"{"a":1 "b":2}"#, #"{"a":[1 2]}"#, #"{"a":}"#,
        #"{"a":[}"#, #"{"a":{]}"#, #"{"a":1"#, #"{"a""#, "{", #"{a:1}"#, #"{'a':1}"#, #"{"a":'x'}"#,
        #"{"a":1}//"#, #"{"a":/*c*/1}"#, "{\u{0B}}", "{\u{A0}}",
    ])
    func invalidJSON(_ json: String) {
        let error = payloadError(json)
        #expect(error?.code == .invalidJSON || error?.code == .trailingBytes, "\(json): \(String(describing: error))")
    }

    @Test(arguments: ["", " ", "[]", "1", "\"{}\"", "null", "\u{FEFF}{}"])
    func aPayloadIsAnObject(_ json: String) {
        #expect(payloadError(json)?.code == .notAnObject, "\(json)")
    }

    @Test func onlyWhitespaceAroundTheObject() {
        #expect(payloadError("{} {}")?.code == .trailingBytes)
        #expect(payloadError("{}x")?.code == .trailingBytes)
    }

    @Test(arguments: [
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\u12G4"}"#, #"{"a":"\U0041"}"#, #"{"a":"\'"}"#,
        #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#, #"{"a":"\ud800x"}"#, #"{"a":"\ude00\ud83d"}"#,
        "{\"a\":\"\u{01}\"}", "{\"a\":\"\t\"}", "{\"a\":\"\n\"}",
    ])
    func invalidStrings(_ json: String) {
        #expect(payloadError(json)?.code == .invalidString, "\(json)")
    }

    @Test func unterminatedStrings() {
        #expect(payloadError(#"{"a":"abc"#)?.code == .invalidJSON)
        #expect(payloadError(#"{"a":"abc\"#)?.code == .invalidJSON)
        #expect(payloadError(#"{"a":"abcdefghijklmnopqrstuvwxyz"#)?.code == .invalidJSON)
    }

    @Test(arguments: [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xC2, 0x41], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xEF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0xE1, 0x80, 0x41],
    ] as [[UInt8]])
    func invalidUTF8(_ sequence: [UInt8]) {
        // Inside a string, and long enough that the 8-byte scan meets it at every alignment.
        for padding in 0..<9 {
            let json = Array(#"{"a":""#.utf8) + Array(repeating: 0x61, count: padding) + sequence + Array(#"bcdefghij"}"#.utf8)
            let error = throwing(try OctopusEnvelope.validatePayload(bytes(json)))
            #expect(error?.code == .invalidUTF8, "\(sequence) after \(padding)")
            #expect(error?.offset == 6 + padding)
        }
    }

    @Test func validUTF8AtTheEdges() {
        for scalar: Unicode.Scalar in ["\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"] {
            #expect(payloadError("{\"\(scalar)\":\"x\(scalar)\(String(repeating: "y", count: 9))\"}") == nil, "\(scalar.value)")
        }
        #expect(payloadError("{\"a\":\"\(String(repeating: "é", count: 1000))\"}") == nil)
    }

    @Test func outsideStringsOnlyASCIIIsJSON() {
        #expect(payloadError("{\"a\":1é}")?.code == .invalidJSON)
        #expect(payloadError("{é:1}")?.code == .invalidJSON)
    }

    @Test func repeatedNamesAreRejectedAtEveryDepthAndSize() {
        #expect(payloadError(#"{"a":1,"a":1}"#)?.code == .duplicateKey)
        #expect(payloadError(#"{"x":{"b":1,"c":2,"b":3}}"#)?.code == .duplicateKey)
        #expect(payloadError(#"{"x":[{"b":1},{"b":1,"b":2}]}"#)?.code == .duplicateKey)
        #expect(payloadError(#"{"a":"\u0061","\u0061":1,"a":2}"#)?.code == .duplicateKey)
        #expect(payloadError(#"{"é":1,"\u00e9":2}"#)?.code == .duplicateKey)
        #expect(payloadError(#"{"a":1,"A":2,"a ":3,"\u0061b":4}"#) == nil)
        // The same names in different objects are fine.
        #expect(payloadError(#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#) == nil)
        for count in [8, 9, 100, 127, 128, 129, 1000, 5000] {
            let names = (0..<count).map { "\"k\($0)\":\($0)" }
            #expect(payloadError("{" + names.joined(separator: ",") + "}") == nil, "\(count) names")
            for repeated in [0, count / 2, count - 1] {
                let json = "{" + (names + ["\"k\(repeated)\":0"]).joined(separator: ",") + "}"
                let error = payloadError(json)
                #expect(error?.code == .duplicateKey, "\(count) names, k\(repeated) repeated")
                // The offset is the repeated name's quote.
                #expect(error?.offset == json.utf8.count - "\"k\(repeated)\":0}".utf8.count)
            }
        }
        // A large parent around small children: the children's names come and go.
        let children = (0..<300).map { "\"c\($0)\":{\"x\":1,\"y\":{\"x\":2}}" }
        #expect(payloadError("{" + children.joined(separator: ",") + "}") == nil)
        #expect(payloadError("{" + (children + ["\"c7\":0"]).joined(separator: ",") + "}")?.code == .duplicateKey)
    }

    @Test func manyNamesCostNoMoreThanTheirSize() {
        // 100,000 names in one object: sorted once, not compared pairwise.
        let names = (0..<100_000).map { "\"\($0)\":0" }
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(payloadError("{" + names.joined(separator: ",") + "}") == nil) }
        #expect(elapsed < .seconds(10))
    }

    @Test func nestingIsCapped() {
        let limits = OctopusEnvelopeLimits(maxDepth: 10)
        // Inside an envelope the payload is depth 2.
        #expect(payloadError(#"{"a":[[[[[[[[]]]]]]]]}"#, limits: limits) == nil)
        #expect(payloadError(#"{"a":[[[[[[[[[]]]]]]]]]}"#, limits: limits)?.code == .nestingTooDeep)
        let hostile = "{\"a\":" + String(repeating: "[", count: 100_000)
        #expect(payloadError(hostile)?.code == .nestingTooDeep)
    }

    @Test func whitespaceAroundThePayloadIsDropped() throws {
        let payload = try OctopusEnvelope.validatePayload(buffer(" \n{\"a\":1}\t "))
        #expect(string(payload) == #"{"a":1}"#)
    }
}

func throwing<T>(_ body: @autoclosure () throws -> T) -> OctopusEnvelopeError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? OctopusEnvelopeError
    }
}
