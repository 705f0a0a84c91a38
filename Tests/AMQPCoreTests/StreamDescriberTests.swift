import NIOCore
import Testing
@testable import AMQPCore

@Suite struct StreamDescriberTests {
    @Test func describesEveryProtonStreamByName() throws {
        var text = ""
        for vector in try TypedJSON.load("proton-frames.json") {
            var describer = AMQPStreamDescriber()
            try describer.describe(bytes(vector["hex"] as! String))
            text += describer.lines.joined(separator: "\n")
        }
        for name in ["AMQP header", "SASL header", ": open", ": begin", ": attach", ": flow", ": transfer", ": disposition",
                     ": detach", ": end", ": close", ": heartbeat", ": sasl-mechanisms", ": sasl-init", ": sasl-outcome",
                     "container-id: ", "link-credit: ", "message reassembled from frames", "application-properties"] {
            #expect(text.contains(name), "\(name)")
        }
    }

    @Test func layoutsAreGuessed() {
        #expect(AMQPStreamDescriber.guessLayout(bytes("414d515000010000")) == .frames)
        #expect(AMQPStreamDescriber.guessLayout(bytes("0000000802000000")) == .frames)
        #expect(AMQPStreamDescriber.guessLayout(bytes("005375a000")) == .message)
        #expect(AMQPStreamDescriber.guessLayout(bytes("c10100")) == .values)
    }

    @Test func keepsWhatDecodedBeforeTheErrorAndReportsItsOffset() {
        var describer = AMQPStreamDescriber()
        do {
            try describer.describe(bytes("414d515000010000" + "0000000c02000000" + "005310c0"))
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 20)
            #expect(describer.lines == ["000000  AMQP header 0 1.0.0"])
        }
        var messages = AMQPStreamDescriber()
        #expect(throws: AMQPDecodingError.self) { try messages.describe(bytes("005375a000" + "00537045"), as: .message) }
    }

    @Test func describesSectionsAndValues() throws {
        var describer = AMQPStreamDescriber()
        try describer.describe(MessageTests.full.encoded(), as: .message)
        let text = describer.lines.joined(separator: "\n")
        for name in ["header", "delivery-annotations", "message-annotations", "properties", "message-id: \"5f0c2a4e\"",
                     "application-properties", "data binary(4) \"body\"", "footer"] {
            #expect(text.contains(name), "\(name)")
        }
    }
}
