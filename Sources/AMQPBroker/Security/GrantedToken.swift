import Foundation

/// What a verified token grants: rights over a resource until an expiry.
public struct GrantedToken: Sendable, Hashable {
    /// The granted rights, with `manage` already expanded to `send` and `listen`.
    public let rights: Set<AccessRight>
    /// The resource the token was signed for: everything at or below it is covered.
    public let scope: ResourceURI
    /// When the token stops being valid.
    public let expiry: Date
    /// The policy that signed it.
    public let keyName: String

    public init(rights: Set<AccessRight>, scope: ResourceURI, expiry: Date, keyName: String) {
        self.rights = AccessRight.effective(rights)
        self.scope = scope
        self.expiry = expiry
        self.keyName = keyName
    }

    /// True until ``expiry``.
    public func isValid(at now: Date) -> Bool { now < expiry }

    /// True if the token grants `right` on `entityPath`.
    ///
    /// `entityPath` is relative to the namespace (`q`, `t/Subscriptions/s`,
    /// `q/$DeadLetterQueue`, `t/$management`; case-insensitive, slashes at either end
    /// ignored), or a full URI, whose host must then be the scope's. Expiry is not checked
    /// here: see ``isValid(at:)``.
    public func allows(entityPath: String, right: AccessRight) -> Bool {
        guard AccessRight.effective(rights).contains(right) else { return false }
        if entityPath.contains("://") {
            guard let uri = ResourceURI(PercentCoding.decode(entityPath) ?? entityPath) else { return false }
            return scope.covers(uri)
        }
        return ResourceURI.pathSegments(entityPath).starts(with: scope.segments)
    }

    /// Like ``allows(entityPath:right:)``, throwing ``SASError/Code-swift.struct/insufficientRights``
    /// (or `expired`) with a description that names the entity and the right.
    public func authorize(entityPath: String, right: AccessRight, now: Date) throws(SASError) {
        guard isValid(at: now) else {
            throw SASError(code: .expired, message: "token of \(keyName) for \(scope) has expired")
        }
        guard allows(entityPath: entityPath, right: right) else {
            throw SASError(code: .insufficientRights,
                           message: "token of \(keyName) for \(scope) does not grant \(right) on \(entityPath)")
        }
    }
}
