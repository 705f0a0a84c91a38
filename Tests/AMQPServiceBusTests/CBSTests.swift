import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

/// Encodes and decodes a message with the AMQPCore codec.
func throughTheWire(_ message: AMQPMessage) throws -> AMQPMessage {
    try AMQPMessage(decoding: message.encoded())
}

@Suite struct CBSTests {
    static let expiry = Date(timeIntervalSince1970: 1_767_225_600.125)
    static let token = "SharedAccessSignature sr=x&sig=SECRETSIG&se=1767225600&skn=k"

    @Test func putTokenRequestHasTheDocumentedShape() throws {
        let request = CBSPutTokenRequest(
            messageID: "req-1", replyTo: "cbs-reply-1", audience: "sb://ns/q",
            token: AccessToken(token: Self.token, expiresOn: Self.expiry, tokenType: .sas))
        let message = try throughTheWire(request.message)
        #expect(message.properties?.messageID == "req-1")
        #expect(message.properties?.replyTo == "cbs-reply-1")
        let properties = try #require(message.applicationProperties)
        #expect(properties[string: "operation"] == .string("put-token"))
        #expect(properties[string: "type"] == .string("servicebus.windows.net:sastoken"))
        #expect(properties[string: "name"] == .string("sb://ns/q"))
        #expect(properties[string: "expiration"] == .timestamp(AMQPTimestamp(millisecondsSince1970: 1_767_225_600_125)))
        #expect(message.body == .value(.string(Self.token)))

        let parsed = try CBSPutTokenRequest(message: message)
        #expect(parsed == request)
        #expect(parsed.tokenType == .sas)
    }

    @Test func putTokenRequestAcceptsPyamqpForms() throws {
        // pyamqp: uuid message-id, expiration as seconds, token body as binary, no reply-to.
        let id = AMQPMessageID.uuid(AMQPUUID(high: 1, low: 2))
        let message = AMQPMessage(
            properties: MessageProperties(messageID: id),
            applicationProperties: [
                "operation": "put-token", "type": "jwt", "name": "sb://ns/q", "expiration": .double(1_767_225_600.5),
            ],
            body: .value(.binary(ByteBuffer(string: "eyJ.jwt"))))
        let parsed = try CBSPutTokenRequest(message: try throughTheWire(message))
        #expect(parsed.messageID == id)
        #expect(parsed.replyTo == nil)
        #expect(parsed.token == "eyJ.jwt")
        #expect(parsed.tokenType == .jwt)
        #expect(parsed.expiration == Date(timeIntervalSince1970: 1_767_225_600.5))
    }

    static let badRequests: [(AMQPMessage, ServiceBusMessageFormatError.Code)] = [
        (AMQPMessage(properties: MessageProperties(messageID: "1"), applicationProperties: ["type": "jwt", "name": "a"],
                     body: .value("t")), .missingField),
        (AMQPMessage(properties: MessageProperties(messageID: "1"),
                     applicationProperties: ["operation": "delete-token", "type": "jwt", "name": "a"], body: .value("t")),
         .wrongOperation),
        (AMQPMessage(applicationProperties: ["operation": "put-token", "type": "jwt", "name": "a"], body: .value("t")),
         .missingField),
        (AMQPMessage(properties: MessageProperties(messageID: "1"),
                     applicationProperties: ["operation": "put-token", "type": "jwt"], body: .value("t")), .missingField),
        (AMQPMessage(properties: MessageProperties(messageID: "1"),
                     applicationProperties: ["operation": "put-token", "type": .int(3), "name": "a"], body: .value("t")),
         .invalidField),
        (AMQPMessage(properties: MessageProperties(messageID: "1"),
                     applicationProperties: ["operation": "put-token", "type": "jwt", "name": "a"], body: .data(ByteBuffer())),
         .invalidBody),
        (AMQPMessage(properties: MessageProperties(messageID: "1"),
                     applicationProperties: ["operation": "put-token", "type": "jwt", "name": "a", "expiration": "soon"],
                     body: .value("t")), .invalidField),
    ]

    @Test(arguments: badRequests)
    func rejectsMalformedRequests(_ message: AMQPMessage, _ code: ServiceBusMessageFormatError.Code) {
        #expect {
            try CBSPutTokenRequest(message: message)
        } throws: { error in
            (error as? ServiceBusMessageFormatError)?.code == code
        }
    }

    @Test func responseRoundTripsAndMapsStatus() throws {
        let ok = CBSPutTokenResponse(correlationID: "req-1", statusCode: 202, statusDescription: "Accepted")
        let message = try throughTheWire(ok.message)
        #expect(message.properties?.correlationID == "req-1")
        #expect(message.applicationProperties?[string: "status-code"] == .int(202))
        #expect(message.applicationProperties?[string: "status-description"] == .string("Accepted"))
        let parsed = try CBSPutTokenResponse(message: message)
        #expect(parsed == ok)
        #expect(parsed.isSuccess)
        #expect(parsed.error == nil)

        let denied = try CBSPutTokenResponse(message: throughTheWire(
            CBSPutTokenResponse(correlationID: "req-2", statusCode: 401, statusDescription: "InvalidSignature").message))
        #expect(!denied.isSuccess)
        #expect(denied.error?.reason == .unauthorized)
        #expect(denied.error?.isTransient == false)

        // Another integer width is still a status code; the $management casing is not.
        let long = AMQPMessage(applicationProperties: ["status-code": .long(200)], body: .value(.null))
        #expect(try CBSPutTokenResponse(message: long).isSuccess)
        let wrongCase = AMQPMessage(applicationProperties: ["statusCode": .int(200)], body: .value(.null))
        #expect(throws: ServiceBusMessageFormatError.self) { try CBSPutTokenResponse(message: wrongCase) }
    }

    @Test func requestDescriptionRedactsTheToken() {
        let request = CBSPutTokenRequest(
            messageID: "1", replyTo: nil, audience: "sb://ns/q", type: "servicebus.windows.net:sastoken",
            token: Self.token, expiration: nil)
        #expect(!"\(request)".contains("SECRETSIG"))
        #expect(!String(reflecting: request).contains("SECRETSIG"))
        var dumped = ""
        dump(request, to: &dumped)
        #expect(!dumped.contains("SECRETSIG"))
        #expect(dumped.contains("sb://ns/q"))
        #expect("\(request)".contains("sb://ns/q"))
    }
}
