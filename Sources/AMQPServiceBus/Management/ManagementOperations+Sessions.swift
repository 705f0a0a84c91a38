import AMQPCore
import Foundation
import NIOCore

/// `com.microsoft:get-session-state`: `{session-id}` → `SessionStateResponse`.
public struct GetSessionStateRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.getSessionState
    public var sessionID: String

    public init(sessionID: String) { self.sessionID = sessionID }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        self.init(sessionID: try ServiceBusFieldMap(map).requiredString(ManagementKey.sessionID))
    }

    public var map: AMQPMap { [.string(ManagementKey.sessionID): .string(sessionID)] }
}

/// `{session-state: binary or null}`: the get-session-state answer.
public struct SessionStateResponse: ManagementResponseBody {
    /// nil when the session has no state.
    public var sessionState: ByteBuffer?

    public init(sessionState: ByteBuffer?) { self.sessionState = sessionState }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        self.init(sessionState: try ServiceBusFieldMap(map).binary(ManagementKey.sessionState))
    }

    public var map: AMQPMap { [.string(ManagementKey.sessionState): sessionState.map { .binary($0) } ?? .null] }
}

/// `com.microsoft:set-session-state`: `{session-id, session-state: binary or null}` → empty.
/// A null state clears it.
public struct SetSessionStateRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.setSessionState
    public var sessionID: String
    public var sessionState: ByteBuffer?

    public init(sessionID: String, sessionState: ByteBuffer?) {
        self.sessionID = sessionID
        self.sessionState = sessionState
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        self.init(
            sessionID: try fields.requiredString(ManagementKey.sessionID),
            sessionState: try fields.binary(ManagementKey.sessionState))
    }

    public var map: AMQPMap {
        [
            .string(ManagementKey.sessionID): .string(sessionID),
            .string(ManagementKey.sessionState): sessionState.map { .binary($0) } ?? .null,
        ]
    }
}

/// `com.microsoft:get-message-sessions`: `{last-updated-time: timestamp, skip: int, top: int}`
/// → `MessageSessionsResponse`. `lastUpdatedTime` = `.listAll` (DateTime.MaxValue,
/// 253402300800000 ms) asks for every session with messages or state.
public struct GetMessageSessionsRequest: ManagementRequestBody {
    public static let operation = ManagementOperation.getMessageSessions
    /// The sentinel the service reads as "no filter".
    public static let listAll = AMQPTimestamp(millisecondsSince1970: 253_402_300_800_000)

    public var lastUpdatedTime: AMQPTimestamp
    public var skip: Int32
    public var top: Int32

    public init(lastUpdatedTime: AMQPTimestamp = GetMessageSessionsRequest.listAll, skip: Int32 = 0, top: Int32 = 100) {
        self.lastUpdatedTime = lastUpdatedTime
        self.skip = skip
        self.top = top
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        guard case .timestamp(let time)? = fields.value(ManagementKey.lastUpdatedTime) else {
            throw fields.value(ManagementKey.lastUpdatedTime) == nil
                ? .missing(ManagementKey.lastUpdatedTime) : .invalid(ManagementKey.lastUpdatedTime)
        }
        self.init(
            lastUpdatedTime: time,
            skip: try fields.requiredInt32(ManagementKey.skip),
            top: try fields.requiredInt32(ManagementKey.top))
    }

    public var map: AMQPMap {
        [
            .string(ManagementKey.lastUpdatedTime): .timestamp(lastUpdatedTime),
            .string(ManagementKey.skip): .int(skip),
            .string(ManagementKey.top): .int(top),
        ]
    }
}

/// `{skip: int, sessions-ids: string[]}`: the get-message-sessions answer (the key is
/// `sessions-ids`, as the service spells it).
public struct MessageSessionsResponse: ManagementResponseBody {
    public var skip: Int32
    public var sessionIDs: [String]

    /// 204: no sessions.
    public static var noContent: Self? { Self(skip: 0, sessionIDs: []) }

    public init(skip: Int32, sessionIDs: [String]) {
        self.skip = skip
        self.sessionIDs = sessionIDs
    }

    public init(map: AMQPMap) throws(ServiceBusMessageFormatError) {
        let fields = ServiceBusFieldMap(map)
        var ids: [String] = []
        for element in try fields.requiredElements(ManagementKey.sessionIDs) {
            guard let id = element.serviceBusString else { throw .invalid(ManagementKey.sessionIDs) }
            ids.append(id)
        }
        let skip = try fields.integer(ManagementKey.skip) ?? 0
        guard let skip32 = Int32(exactly: skip) else { throw .invalid(ManagementKey.skip) }
        self.init(skip: skip32, sessionIDs: ids)
    }

    public var map: AMQPMap {
        [
            .string(ManagementKey.skip): .int(skip),
            .string(ManagementKey.sessionIDs): .serviceBusArray(sessionIDs.map { .string($0) }, of: .string),
        ]
    }
}
