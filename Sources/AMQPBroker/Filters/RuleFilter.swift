/// Any of the filters a subscription rule can hold, as one closed type (no existentials
/// needed to store rules).
public enum RuleFilter: MessageFilter, Hashable {
    case sql(SQLFilter)
    case correlation(CorrelationFilter)
    /// Matches every message (the `$Default` rule's filter).
    case `true`
    /// Matches no message.
    case `false`

    public func matches(_ input: FilterInput) -> Bool {
        switch self {
        case .sql(let filter): return filter.matches(input)
        case .correlation(let filter): return filter.matches(input)
        case .true: return true
        case .false: return false
        }
    }
}
