import AMQPCore

/// The four ways to settle a peek-locked message, and the delivery state each sends on the
/// receive link (or the `disposition-status` for `$management` update-disposition):
///
/// | action | disposition |
/// | --- | --- |
/// | complete | `accepted` |
/// | abandon | `modified{delivery-failed=false, undeliverable-here=false, message-annotations=changes}` |
/// | defer | `modified{undeliverable-here=true, message-annotations=changes}` |
/// | dead-letter | `rejected{error{condition=com.microsoft:dead-letter, description, info{DeadLetterReason, DeadLetterErrorDescription, changes…}}}` |
public enum ServiceBusSettlement: Hashable, Sendable {
    case complete
    /// Unlock the message for redelivery, optionally changing application properties.
    case abandon(propertiesToModify: AMQPMap? = nil)
    /// Set the message aside; it comes back only by sequence number.
    case deferral(propertiesToModify: AMQPMap? = nil)
    case deadLetter(reason: String? = nil, errorDescription: String? = nil, propertiesToModify: AMQPMap? = nil)

    /// The delivery state to send in the disposition.
    public var deliveryState: DeliveryState {
        switch self {
        case .complete:
            return .accepted(Accepted())
        case .abandon(let changes):
            return .modified(Modified(deliveryFailed: false, undeliverableHere: false, messageAnnotations: changes))
        case .deferral(let changes):
            return .modified(Modified(undeliverableHere: true, messageAnnotations: changes))
        case .deadLetter(let reason, let errorDescription, let changes):
            var info = AMQPMap()
            if let reason { info[symbol: AMQPSymbol(ServiceBusApplicationPropertyKey.deadLetterReason)] = .string(reason) }
            if let errorDescription {
                info[symbol: AMQPSymbol(ServiceBusApplicationPropertyKey.deadLetterErrorDescription)] = .string(errorDescription)
            }
            for entry in changes ?? AMQPMap() where info[entry.key] == nil { info[entry.key] = entry.value }
            return .rejected(Rejected(error: AMQPError(
                condition: ServiceBusLinkVocabulary.deadLetterCondition, errorDescription: errorDescription,
                info: info.isEmpty ? nil : info)))
        }
    }

    /// The settlement a disposition asks for (the broker's side). `released` counts as an
    /// abandon; any `rejected` as a dead-letter (reason and description from its info, the
    /// other info entries as changes); other states (received, declared, transactional) are
    /// not settlements: nil.
    public init?(deliveryState: DeliveryState) {
        switch deliveryState {
        case .accepted:
            self = .complete
        case .released:
            self = .abandon()
        case .modified(let modified):
            if modified.undeliverableHere == true {
                self = .deferral(propertiesToModify: modified.messageAnnotations)
            } else {
                self = .abandon(propertiesToModify: modified.messageAnnotations)
            }
        case .rejected(let rejected):
            var changes = rejected.error?.info ?? AMQPMap()
            let reasonKey = ServiceBusApplicationPropertyKey.deadLetterReason
            let descriptionKey = ServiceBusApplicationPropertyKey.deadLetterErrorDescription
            let fields = ServiceBusFieldMap(changes)
            let reason = fields.value(reasonKey)?.serviceBusString
            let description = fields.value(descriptionKey)?.serviceBusString ?? rejected.error?.errorDescription
            for key in [reasonKey, descriptionKey] {
                changes[.symbol(AMQPSymbol(key))] = nil
                changes[.string(key)] = nil
            }
            self = .deadLetter(reason: reason, errorDescription: description, propertiesToModify: changes.isEmpty ? nil : changes)
        case .received, .declared, .transactional:
            return nil
        }
    }

    /// The `$management` update-disposition status for this settlement.
    public var dispositionStatus: DispositionStatus {
        switch self {
        case .complete: return .completed
        case .abandon: return .abandoned
        case .deferral: return .deferred
        case .deadLetter: return .suspended
        }
    }

    /// The update-disposition request that settles `lockTokens` this way (for messages
    /// received through `$management`).
    public func updateDispositionRequest(lockTokens: [ServiceBusLockToken], sessionID: String? = nil) -> UpdateDispositionRequest {
        switch self {
        case .complete:
            return UpdateDispositionRequest(status: .completed, lockTokens: lockTokens, sessionID: sessionID)
        case .abandon(let changes), .deferral(let changes):
            return UpdateDispositionRequest(
                status: dispositionStatus, lockTokens: lockTokens, propertiesToModify: changes, sessionID: sessionID)
        case .deadLetter(let reason, let errorDescription, let changes):
            return UpdateDispositionRequest(
                status: .suspended, lockTokens: lockTokens, deadLetterReason: reason, deadLetterDescription: errorDescription,
                propertiesToModify: changes, sessionID: sessionID)
        }
    }
}

extension ServiceBusLinkVocabulary {
    /// .NET ticks (100 ns since 0001-01-01) at the Unix epoch.
    public static let unixEpochTicks: Int64 = 621_355_968_000_000_000

    /// The session lock expiry from the attach property `com.microsoft:locked-until-utc`,
    /// which carries .NET ticks (a long); a timestamp is accepted too.
    public static func sessionLockedUntil(fromAttachProperty value: AMQPValue) -> AMQPTimestamp? {
        if case .timestamp(let timestamp) = value { return timestamp }
        guard let ticks = value.serviceBusInteger else { return nil }
        let (difference, overflow) = ticks.subtractingReportingOverflow(unixEpochTicks)
        guard !overflow else { return nil }
        return AMQPTimestamp(millisecondsSince1970: difference / 10_000)
    }

    /// The attach property value for a session lock expiring at `timestamp` (.NET ticks).
    public static func sessionLockedUntilAttachProperty(_ timestamp: AMQPTimestamp) -> AMQPValue {
        let (scaled, overflow) = timestamp.millisecondsSince1970.multipliedReportingOverflow(by: 10_000)
        guard !overflow else { return .long(timestamp.millisecondsSince1970 < 0 ? 0 : Int64.max) }
        let (ticks, sumOverflow) = scaled.addingReportingOverflow(unixEpochTicks)
        return .long(sumOverflow ? Int64.max : ticks)
    }
}
