import AMQPCore
import Foundation

/// The `$management` operations, by their `operation` application property.
public struct ManagementOperation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let renewLock = Self(rawValue: "com.microsoft:renew-lock")
    public static let peekMessage = Self(rawValue: "com.microsoft:peek-message")
    public static let scheduleMessage = Self(rawValue: "com.microsoft:schedule-message")
    public static let cancelScheduledMessage = Self(rawValue: "com.microsoft:cancel-scheduled-message")
    public static let receiveBySequenceNumber = Self(rawValue: "com.microsoft:receive-by-sequence-number")
    public static let updateDisposition = Self(rawValue: "com.microsoft:update-disposition")
    public static let renewSessionLock = Self(rawValue: "com.microsoft:renew-session-lock")
    public static let getSessionState = Self(rawValue: "com.microsoft:get-session-state")
    public static let setSessionState = Self(rawValue: "com.microsoft:set-session-state")
    public static let getMessageSessions = Self(rawValue: "com.microsoft:get-message-sessions")
    public static let addRule = Self(rawValue: "com.microsoft:add-rule")
    public static let removeRule = Self(rawValue: "com.microsoft:remove-rule")
    public static let enumerateRules = Self(rawValue: "com.microsoft:enumerate-rules")
}

/// A request to an entity's `$management` node: application properties `operation`, optional
/// `com.microsoft:server-timeout` (uint milliseconds) and `associated-link-name`; body
/// AmqpValue(map).
public struct ManagementRequest: Hashable, Sendable {
    public static let operationKey = "operation"
    public static let serverTimeoutKey = "com.microsoft:server-timeout"
    public static let associatedLinkNameKey = "associated-link-name"

    public var operation: ManagementOperation
    public var messageID: AMQPMessageID
    /// The address of the requester's `$management` receiver link.
    public var replyTo: String?
    /// How long the service may take, sent in whole milliseconds (capped at `UInt32.max`).
    public var serverTimeout: Duration?
    /// The receive link the operation concerns (lets the service find its locks).
    public var associatedLinkName: String?
    public var body: AMQPMap

    public init(
        operation: ManagementOperation,
        messageID: AMQPMessageID,
        replyTo: String? = nil,
        serverTimeout: Duration? = nil,
        associatedLinkName: String? = nil,
        body: AMQPMap = AMQPMap()
    ) {
        self.operation = operation
        self.messageID = messageID
        self.replyTo = replyTo
        self.serverTimeout = serverTimeout
        self.associatedLinkName = associatedLinkName
        self.body = body
    }

    /// A request carrying a typed operation body.
    public init<Body: ManagementRequestBody>(
        _ body: Body,
        messageID: AMQPMessageID,
        replyTo: String? = nil,
        serverTimeout: Duration? = nil,
        associatedLinkName: String? = nil
    ) {
        self.init(
            operation: Body.operation, messageID: messageID, replyTo: replyTo, serverTimeout: serverTimeout,
            associatedLinkName: associatedLinkName, body: body.map)
    }

    public var message: AMQPMessage {
        var properties: AMQPMap = [.string(Self.operationKey): .string(operation.rawValue)]
        if let serverTimeout {
            let milliseconds = ServiceBusRetryPolicy.seconds(serverTimeout) * 1000
            let clamped = min(max(milliseconds.rounded(.down), 0), Double(UInt32.max))
            properties[string: Self.serverTimeoutKey] = .uint(UInt32(clamped))
        }
        if let associatedLinkName { properties[string: Self.associatedLinkNameKey] = .string(associatedLinkName) }
        return AMQPMessage(
            properties: MessageProperties(messageID: messageID, replyTo: replyTo),
            applicationProperties: properties,
            body: .value(.map(body)))
    }

    /// Parses a request (the server side).
    public init(message: AMQPMessage) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(message.applicationProperties)
        let operation = ManagementOperation(rawValue: try fields.requiredString(Self.operationKey))
        guard let messageID = message.properties?.messageID else { throw .missing("message-id") }
        var timeout: Duration? = nil
        if let milliseconds = try fields.integer(Self.serverTimeoutKey) {
            guard milliseconds >= 0 else { throw .invalid(Self.serverTimeoutKey) }
            timeout = .milliseconds(milliseconds)
        }
        let body: AMQPMap
        switch message.body {
        case .value(.map(let map)): body = map
        case .value(.null), .none: body = AMQPMap()
        default: throw ServiceBusMessageFormatError(code: .invalidBody)
        }
        self.init(
            operation: operation, messageID: messageID, replyTo: message.properties?.replyTo,
            serverTimeout: timeout, associatedLinkName: try fields.string(Self.associatedLinkNameKey), body: body)
    }

    /// The body as a typed operation request; `wrongOperation` if it is for another one.
    public func decode<Body: ManagementRequestBody>(_ type: Body.Type) throws(ServiceBusMessageFormatError) -> Body {
        guard operation == Body.operation else {
            throw ServiceBusMessageFormatError(code: .wrongOperation, field: Self.operationKey)
        }
        return try Body(map: body)
    }
}

/// The `$management` node's answer: `correlation-id`, application properties `statusCode`
/// (200 OK, 204 no content), `statusDescription`, optional `errorCondition`; body
/// AmqpValue(map) or nothing.
public struct ManagementResponse: Hashable, Sendable {
    public static let statusCodeKey = "statusCode"
    public static let statusDescriptionKey = "statusDescription"
    public static let errorConditionKey = "errorCondition"

    public var correlationID: AMQPMessageID?
    public var statusCode: Int
    public var statusDescription: String?
    public var errorCondition: AMQPErrorCondition?
    /// The body map; nil when the response has none (e.g. 204).
    public var body: AMQPMap?

    public init(
        correlationID: AMQPMessageID?,
        statusCode: Int,
        statusDescription: String? = nil,
        errorCondition: AMQPErrorCondition? = nil,
        body: AMQPMap? = nil
    ) {
        self.correlationID = correlationID
        self.statusCode = statusCode
        self.statusDescription = statusDescription
        self.errorCondition = errorCondition
        self.body = body
    }

    /// A 200 response carrying a typed body.
    public init<Body: ManagementResponseBody>(_ body: Body, correlationID: AMQPMessageID?) {
        self.init(correlationID: correlationID, statusCode: 200, statusDescription: "OK", body: body.map)
    }

    public var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// The failure as a Service Bus error, nil on success.
    public var error: ServiceBusError? {
        guard !isSuccess else { return nil }
        return ServiceBusError(statusCode: statusCode, condition: errorCondition, statusDescription: statusDescription)
    }

    public var message: AMQPMessage {
        var properties: AMQPMap = [.string(Self.statusCodeKey): .int(Int32(clamping: statusCode))]
        if let statusDescription { properties[string: Self.statusDescriptionKey] = .string(statusDescription) }
        if let errorCondition { properties[string: Self.errorConditionKey] = .symbol(errorCondition.rawValue) }
        return AMQPMessage(
            properties: MessageProperties(correlationID: correlationID),
            applicationProperties: properties,
            body: body.map { .value(.map($0)) } ?? .value(.null))
    }

    public init(message: AMQPMessage) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(message.applicationProperties)
        guard let code = Int(exactly: try fields.requiredInteger(Self.statusCodeKey)) else {
            throw .invalid(Self.statusCodeKey)
        }
        let body: AMQPMap?
        switch message.body {
        case .value(.map(let map)): body = map
        case .value(.null), .none: body = nil
        default: throw ServiceBusMessageFormatError(code: .invalidBody)
        }
        self.init(
            correlationID: message.properties?.correlationID,
            statusCode: code,
            statusDescription: try fields.string(Self.statusDescriptionKey),
            errorCondition: try fields.string(Self.errorConditionKey).map { AMQPErrorCondition(rawValue: AMQPSymbol($0)) },
            body: body)
    }

    /// The body as a typed response. Throws the mapped `ServiceBusError` when the status is a
    /// failure, `ServiceBusMessageFormatError` when the body has the wrong shape.
    /// A 204 (or a success without a body) is the body type's `noContent` value when it has
    /// one (peek and get-message-sessions answer 204 when there is nothing).
    public func decode<Body: ManagementResponseBody>(_ type: Body.Type) throws -> Body {
        if let error { throw error }
        if statusCode == 204 || body == nil, let empty = Body.noContent { return empty }
        return try Body(map: body ?? AMQPMap())
    }
}

/// A typed `$management` request body.
public protocol ManagementRequestBody: Hashable, Sendable {
    static var operation: ManagementOperation { get }
    init(map: AMQPMap) throws(ServiceBusMessageFormatError)
    var map: AMQPMap { get }
}

/// A typed `$management` response body.
public protocol ManagementResponseBody: Hashable, Sendable {
    init(map: AMQPMap) throws(ServiceBusMessageFormatError)
    var map: AMQPMap { get }
    /// The value a 204 No Content answer stands for; nil when the operation must have a body.
    static var noContent: Self? { get }
}

extension ManagementResponseBody {
    public static var noContent: Self? { nil }
}

/// The body of responses that carry nothing (cancel-scheduled-message, update-disposition,
/// set-session-state).
public struct ManagementEmptyResponse: ManagementResponseBody {
    public static var noContent: Self? { Self() }
    public init() {}
    public init(map: AMQPMap) {}
    public var map: AMQPMap { AMQPMap() }
}

extension ServiceBusError {
    /// The error a failed CBS or `$management` status stands for: by `condition` when given,
    /// else by HTTP-like status (401/403 unauthorized, 404 not found, 400 argument, 410 lock
    /// lost, 412 precondition, 413 too large, 408/504 timeout, 503 busy, 500 transient general).
    public init(statusCode: Int, condition: AMQPErrorCondition?, statusDescription: String?) {
        if let condition {
            self.init(condition: condition, errorDescription: statusDescription)
            return
        }
        let mapped: (Reason, Bool)
        switch statusCode {
        case 400: mapped = (.argumentError, false)
        case 401, 403: mapped = (.unauthorized, false)
        case 404: mapped = (.messagingEntityNotFound, false)
        case 408, 504: mapped = (.serviceTimeout, true)
        case 409: mapped = (.messagingEntityAlreadyExists, false)
        case 410: mapped = (.messageLockLost, false)
        case 412: mapped = (.preconditionFailed, false)
        case 413: mapped = (.messageSizeExceeded, false)
        case 500: mapped = (.generalError, true)
        case 503: mapped = (.serviceBusy, true)
        default: mapped = (.generalError, false)
        }
        self.init(
            reason: mapped.0, isTransient: mapped.1,
            errorDescription: "status \(statusCode)" + (statusDescription.map { ": \($0)" } ?? ""))
    }
}
