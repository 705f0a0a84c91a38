import NIOCore
import NIOHTTP1

/// What the WebSocket upgrade settled, handed to the completion once the bridge is in place.
public struct WebSocketUpgrade: Sendable {
    /// The subprotocol both sides agreed on (`AMQPWSB10` or `amqp`).
    public var subprotocol: String
    /// The request path (the server's view; the client's own request path on the client).
    public var path: String
    /// The peer's headers: the 101 response's (client side) or the request's (server side).
    /// Never logged here: they may carry credentials.
    public var headers: HTTPHeaders
}

/// Called once on the channel's event loop: with the upgrade after the bridge was added
/// (add the AMQP handler now), or with the failure (the channel is being closed). A throw
/// closes the channel.
public typealias WebSocketUpgradeCompletion = (Result<WebSocketUpgrade, WebSocketTransportError>) throws -> Void

/// Calls the completion exactly once and keeps the upgrade timer. Lives on the event loop.
final class UpgradeOutcome {
    private var completion: WebSocketUpgradeCompletion?
    private var timer: Scheduled<Void>?
    private let channel: Channel

    init(channel: Channel, completion: @escaping WebSocketUpgradeCompletion) {
        self.channel = channel
        self.completion = completion
    }

    var isFinished: Bool { completion == nil }

    /// Closes the channel with `upgradeTimeout` unless the upgrade finishes first.
    func startTimer(_ timeout: TimeAmount) {
        timer = channel.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(WebSocketTransportError(code: .upgradeTimeout))
        }
    }

    func succeed(_ upgrade: WebSocketUpgrade) {
        guard let completion = take() else { return }
        do {
            try completion(.success(upgrade))
        } catch {
            channel.close(promise: nil)
        }
    }

    /// Reports the failure, then closes the channel.
    func fail(_ error: WebSocketTransportError) {
        guard let completion = take() else { return }
        _ = try? completion(.failure(error))
        channel.close(promise: nil)
    }

    private func take() -> WebSocketUpgradeCompletion? {
        timer?.cancel()
        timer = nil
        defer { completion = nil }
        return completion
    }
}

@available(*, unavailable) extension UpgradeOutcome: Sendable {}

extension HTTPHeaders {
    /// The comma-separated tokens of every `name` header, trimmed, in order.
    func tokens(_ name: String) -> [String] {
        self[name].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
