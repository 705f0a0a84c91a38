extension AccessRight {
    /// `rights` with what `manage` implies (`send` and `listen`) added.
    public static func effective(_ rights: some Sequence<AccessRight>) -> Set<AccessRight> {
        let rights = Set(rights)
        return rights.contains(.manage) ? rights.union([.send, .listen]) : rights
    }
}

extension SharedAccessPolicy {
    /// ``rights`` with `manage` expanded to `send` and `listen`.
    public var effectiveRights: Set<AccessRight> { AccessRight.effective(rights) }
}
