import AMQPCore
import Foundation

/// Field names of the `$cbs` node's put-token exchange.
public enum CBSVocabulary {
    public static let operationKey = "operation"
    public static let putTokenOperation = "put-token"
    public static let typeKey = "type"
    public static let nameKey = "name"
    public static let expirationKey = "expiration"
    /// CBS answers with hyphenated keys (`$management` uses `statusCode`).
    public static let statusCodeKey = "status-code"
    public static let statusDescriptionKey = "status-description"
}

/// A CBS put-token request: a message to the `$cbs` node with application properties
/// `operation = put-token`, `type`, `name` (the audience) and an optional `expiration`, and the
/// token as its AmqpValue(string) body.
///
/// `description` shows the audience, type and expiry; the token is redacted.
public struct CBSPutTokenRequest: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var messageID: AMQPMessageID
    /// The address of the requester's `$cbs` receiver link.
    public var replyTo: String?
    /// The audience, e.g. `sb://ns.servicebus.windows.net/queue`.
    public var audience: String
    /// The CBS type as sent (`servicebus.windows.net:sastoken`, `jwt`, or another).
    public var type: String
    /// The token text. Secret.
    public var token: String
    public var expiration: Date?

    public init(messageID: AMQPMessageID, replyTo: String?, audience: String, type: String, token: String, expiration: Date?) {
        self.messageID = messageID
        self.replyTo = replyTo
        self.audience = audience
        self.type = type
        self.token = token
        self.expiration = expiration
    }

    /// A request putting `token` for `audience`.
    public init(messageID: AMQPMessageID, replyTo: String?, audience: String, token: AccessToken) {
        self.init(
            messageID: messageID, replyTo: replyTo, audience: audience, type: token.tokenType.cbsType,
            token: token.token, expiration: token.expiresOn)
    }

    /// The token type, if `type` is one of the two Service Bus knows.
    public var tokenType: AccessToken.TokenType? { AccessToken.TokenType(cbsType: type) }

    /// The request as a message.
    public var message: AMQPMessage {
        var properties: AMQPMap = [
            .string(CBSVocabulary.operationKey): .string(CBSVocabulary.putTokenOperation),
            .string(CBSVocabulary.typeKey): .string(type),
            .string(CBSVocabulary.nameKey): .string(audience),
        ]
        if let expiration { properties[string: CBSVocabulary.expirationKey] = .timestamp(AMQPTimestamp(date: expiration)) }
        return AMQPMessage(
            properties: MessageProperties(messageID: messageID, replyTo: replyTo),
            applicationProperties: properties,
            body: .value(.string(token)))
    }

    /// Parses a put-token request (the server side). The body may be a string or UTF-8 binary;
    /// `expiration` a timestamp or seconds since 1970.
    public init(message: AMQPMessage) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(message.applicationProperties)
        guard try fields.requiredString(CBSVocabulary.operationKey) == CBSVocabulary.putTokenOperation else {
            throw ServiceBusMessageFormatError(code: .wrongOperation, field: CBSVocabulary.operationKey)
        }
        guard let messageID = message.properties?.messageID else { throw .missing("message-id") }
        let token: String
        switch message.body {
        case .value(.string(let text)): token = text
        case .value(.binary(let bytes)):
            guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
                throw ServiceBusMessageFormatError(code: .invalidBody)
            }
            token = text
        default: throw ServiceBusMessageFormatError(code: .invalidBody)
        }
        self.init(
            messageID: messageID,
            replyTo: message.properties?.replyTo,
            audience: try fields.requiredString(CBSVocabulary.nameKey),
            type: try fields.requiredString(CBSVocabulary.typeKey),
            token: token,
            expiration: try fields.date(CBSVocabulary.expirationKey))
    }

    public var description: String {
        var text = "CBSPutTokenRequest(messageID: \(messageID), audience: \(audience), type: \(type)"
        if let expiration { text += ", expiration: \(expiration.unixSeconds)" }
        return text + ", token: <redacted>)"
    }

    public var debugDescription: String { description }
    /// Reflection (`dump`, debuggers) shows no token.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["messageID": messageID, "replyTo": replyTo as Any, "audience": audience, "type": type,
                       "expiration": expiration as Any],
            displayStyle: .struct)
    }
}

/// The `$cbs` node's answer: `correlation-id` = the request's message-id, application
/// properties `status-code` (200 or 202 = accepted) and `status-description`.
public struct CBSPutTokenResponse: Hashable, Sendable, CustomStringConvertible {
    public var correlationID: AMQPMessageID?
    public var statusCode: Int
    public var statusDescription: String?

    public init(correlationID: AMQPMessageID?, statusCode: Int, statusDescription: String? = nil) {
        self.correlationID = correlationID
        self.statusCode = statusCode
        self.statusDescription = statusDescription
    }

    /// Whether the token was accepted (200 or 202).
    public var isSuccess: Bool { statusCode == 200 || statusCode == 202 }

    /// The failure as a Service Bus error, nil when accepted: 401/403 unauthorized, 404 not
    /// found, 400 argument error, 503 busy, 408/504 timeout, anything else a general error.
    public var error: ServiceBusError? {
        guard !isSuccess else { return nil }
        return ServiceBusError(statusCode: statusCode, condition: nil, statusDescription: statusDescription)
    }

    /// The response as a message (status code as `int`, as the service sends it).
    public var message: AMQPMessage {
        var properties: AMQPMap = [.string(CBSVocabulary.statusCodeKey): .int(Int32(clamping: statusCode))]
        if let statusDescription { properties[string: CBSVocabulary.statusDescriptionKey] = .string(statusDescription) }
        return AMQPMessage(
            properties: MessageProperties(correlationID: correlationID),
            applicationProperties: properties,
            body: .value(.null))
    }

    public init(message: AMQPMessage) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(message.applicationProperties)
        guard let code = Int(exactly: try fields.requiredInteger(CBSVocabulary.statusCodeKey)) else {
            throw .invalid(CBSVocabulary.statusCodeKey)
        }
        self.init(
            correlationID: message.properties?.correlationID,
            statusCode: code,
            statusDescription: try fields.string(CBSVocabulary.statusDescriptionKey))
    }

    public var description: String {
        "CBSPutTokenResponse(\(statusCode)" + (statusDescription.map { ", \($0)" } ?? "") + ")"
    }
}
