import NIOCore

/// A connection's event loop as a `TaskExecutor`. A task that prefers it
///
///     try await withTaskExecutorPreference(connection.taskExecutor) { … }
///
/// runs on the connection's own thread: its calls to the connection, and the wake-ups for
/// deliveries and outcomes, cost no thread switch (no futex, no cache traffic). Right for a
/// consumer or producer doing little work per message, which then shares that thread with
/// the connection's I/O (as a single-threaded client does); wrong for heavy work per message,
/// which would hold up the connection.
public final class AMQPEventLoopExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension AMQPConnection {
    /// This connection's event loop as a `TaskExecutor` (see `AMQPEventLoopExecutor`).
    public nonisolated var taskExecutor: AMQPEventLoopExecutor { AMQPEventLoopExecutor(eventLoop: eventLoop) }
}
