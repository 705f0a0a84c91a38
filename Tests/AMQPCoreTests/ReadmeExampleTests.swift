import NIOCore
import Testing
import AMQPCore

/// The README's example, kept compiling and true.
@Suite struct ReadmeExampleTests {
    @Test func encodeThenDecodeATransfer() throws {
        var properties = MessageProperties()
        properties.messageID = "5f0c2a4e"
        properties.contentType = "application/json"
        let message = AMQPMessage(data: ByteBuffer(string: #"{"id":"5f0c2a4e"}"#), properties: properties)
        var out = ByteBuffer(), scratch = ByteBuffer()
        let encoder = AMQPTransferEncoder(maxFrameSize: 65_536)
        try encoder.writeTransfer(
            Transfer(handle: 0, deliveryID: 0, deliveryTag: ByteBuffer(integer: UInt64(0)), messageFormat: 0),
            channel: 0, message: message.encodeParts(into: &scratch), into: &out, emit: { _ in })

        var decoder = AMQPFrameDecoder(maxFrameSize: 65_536)
        guard case .frame(let frame)? = try decoder.decodeItem(from: &out),
              case .amqp(.transfer, let payload) = frame.body
        else {
            Issue.record("no transfer")
            return
        }
        let view = try AMQPMessageView(decoding: payload)
        #expect(try view.properties()?.messageID == "5f0c2a4e")
        #expect(view.data?.readableBytes == 17)
    }
}
