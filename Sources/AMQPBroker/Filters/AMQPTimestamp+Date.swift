import AMQPCore
import Foundation

extension AMQPTimestamp {
    /// The instant as a `Date`, for ``FilterInput/enqueuedTime``.
    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }
}
