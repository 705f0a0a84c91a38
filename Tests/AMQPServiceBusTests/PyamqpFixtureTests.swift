import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

/// Requests encoded by the azure-servicebus 7.15.0 Python SDK's own AMQP stack (pyamqp),
/// built the way the SDK builds them (ServiceBusReceiver._renew_locks,
/// receive_deferred_messages, cbs.CBSAuthenticator._put_token), then
/// `_pyamqp._encode.encode_payload`. The script is Fixtures/pyamqp_fixtures.py; it calls
/// `PyamqpTransport.create_mgmt_msg(...)` and `Message(value=token, properties=Properties(message_id=uuid4()), ...)`.
@Suite struct PyamqpFixtureTests {
    func decode(_ hex: String) throws -> AMQPMessage {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        return try AMQPMessage(decoding: ByteBuffer(bytes: bytes))
    }

    static let messageID = AMQPMessageID.uuid(AMQPUUID(uuidString: "11111111-2222-3333-4444-555555555555")!)

    @Test func renewLockFromPython() throws {
        let message = try decode(
            "005373c0290d9811111111222233334444555555555555404040a10a6d676d742d7265706c794040404040404040005374c15c06a109"
            + "6f7065726174696f6ea118636f6d2e6d6963726f736f66743a72656e65772d6c6f636ba10474797065a10b656e746974792d6d676d74"
            + "a11c636f6d2e6d6963726f736f66743a7365727665722d74696d656f7574700000e678005377c12202a10b6c6f636b2d746f6b656e73"
            + "e012019800112233445566778899aabbccddeeff")
        let request = try ManagementRequest(message: message)
        #expect(request.operation == .renewLock)
        #expect(request.messageID == Self.messageID)
        #expect(request.replyTo == "mgmt-reply")
        #expect(request.serverTimeout == .milliseconds(59000))
        let body = try request.decode(RenewLockRequest.self)
        #expect(body.lockTokens.map(\.description) == ["00112233-4455-6677-8899-aabbccddeeff"])
    }

    @Test func receiveBySequenceNumberFromPython() throws {
        let message = try decode(
            "005373c0290d9811111111222233334444555555555555404040a10a6d676d742d7265706c794040404040404040005374c13602a109"
            + "6f7065726174696f6ea128636f6d2e6d6963726f736f66743a726563656976652d62792d73657175656e63652d6e756d626572005377"
            + "c13f04a11073657175656e63652d6e756d62657273e012028100000000000000050000000000000006a11472656365697665722d7365"
            + "74746c652d6d6f64655201")
        let body = try ManagementRequest(message: message).decode(ReceiveBySequenceNumberRequest.self)
        #expect(body.sequenceNumbers == [5, 6])
        #expect(body.receiveMode == .peekLock)
    }

    @Test func putTokenFromPython() throws {
        let message = try decode(
            "005373c01e0d9811111111222233334444555555555555404040404040404040404040005374c16008a1046e616d65a10973623a2f2f"
            + "6e732f71a1096f7065726174696f6ea1097075742d746f6b656ea10474797065a11f736572766963656275732e77696e646f77732e6e"
            + "65743a736173746f6b656ea10a65787069726174696f6e716955b900005377a1345368617265644163636573735369676e6174757265"
            + "2073723d61267369673d622673653d3137363732323536303026736b6e3d6b")
        let request = try CBSPutTokenRequest(message: message)
        #expect(request.messageID == Self.messageID)
        #expect(request.audience == "sb://ns/q")
        #expect(request.tokenType == .sas)
        #expect(request.token == "SharedAccessSignature sr=a&sig=b&se=1767225600&skn=k")
        // pyamqp sends the expiry as an int of seconds.
        #expect(request.expiration == Date(timeIntervalSince1970: 1_767_225_600))
    }
}
