import AMQPCore
import Testing
@testable import AMQP

@Suite struct ConnectionStateMachineTests {
    static let clientConfiguration = ConnectionConfiguration(containerID: "client", hostname: "broker", maxFrameSize: 65_536,
                                                             channelMax: 255, idleTimeout: 30_000)
    static let serverConfiguration = ConnectionConfiguration(containerID: "server", maxFrameSize: 16_384, channelMax: 99,
                                                             idleTimeout: 120_000)

    /// Runs a client and a server machine against each other up to both opens.
    static func openedPair() -> (ConnectionStateMachine, ConnectionStateMachine) {
        var client = ConnectionStateMachine(role: .client, configuration: clientConfiguration)
        var server = ConnectionStateMachine(role: .server, configuration: serverConfiguration)
        guard case .sendHeaderAndOpen(let clientOpen) = client.start() else { fatalError("client did not open") }
        #expect(server.start() == .none)
        guard case .sendHeaderAndOpen(let serverOpen) = server.headerReceived(.amqp) else { fatalError("server did not open") }
        #expect(client.headerReceived(.amqp) == .none)
        guard case .opened = server.openReceived(clientOpen), case .opened = client.openReceived(serverOpen) else {
            fatalError("not opened")
        }
        return (client, server)
    }

    @Test func openNegotiatesLimitsBothWays() throws {
        let (client, server) = Self.openedPair()
        let fromClient = try #require(client.negotiated)
        #expect(fromClient.outgoingMaxFrameSize == 16_384)
        #expect(fromClient.incomingMaxFrameSize == 65_536)
        #expect(fromClient.outgoingChannelMax == 99)
        #expect(fromClient.incomingChannelMax == 255)
        #expect(fromClient.heartbeatInterval == 60_000)
        #expect(fromClient.idleTimeout == 30_000)
        #expect(fromClient.remoteOpen.containerID == "server")
        let fromServer = try #require(server.negotiated)
        #expect(fromServer.outgoingMaxFrameSize == 65_536)
        #expect(fromServer.heartbeatInterval == 15_000)
        #expect(fromServer.remoteOpen.hostname == "broker")
    }

    @Test func clientPipelinesHeaderAndOpen() {
        var client = ConnectionStateMachine(role: .client, configuration: Self.clientConfiguration)
        #expect(client.start() == .sendHeaderAndOpen(Self.clientConfiguration.open))
        #expect(client.start() == .none)
    }

    @Test func wrongHeadersAreRejected() {
        var server = ConnectionStateMachine(role: .server, configuration: Self.serverConfiguration)
        _ = server.start()
        guard case .rejectHeader(let reply, let error) = server.headerReceived(.sasl) else { Issue.record("expected a rejection"); return }
        #expect(reply == .amqp)
        #expect(error.code == .unsupportedProtocol)

        var client = ConnectionStateMachine(role: .client, configuration: Self.clientConfiguration)
        _ = client.start()
        guard case .rejectHeader(let clientReply, _) = client.headerReceived(AMQPProtocolHeader(protocolID: .amqp, major: 2)) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(clientReply == nil)
    }

    @Test func tooSmallFrameSizeIsAnInvalidField() {
        var client = ConnectionStateMachine(role: .client, configuration: Self.clientConfiguration)
        _ = client.start()
        _ = client.headerReceived(.amqp)
        guard case .sendClose(let close) = client.openReceived(Open(containerID: "s", maxFrameSize: 511)) else {
            Issue.record("expected a close")
            return
        }
        #expect(close.error?.condition == .invalidField)
        guard case .closeTransport(let error) = client.closeReceived(Close()) else { Issue.record("expected the transport to close"); return }
        #expect(error?.code == .protocolViolation)
    }

    @Test func peerClosesFirst() {
        var (client, _) = Self.openedPair()
        let remote = AMQPError(condition: .connectionForced, errorDescription: "maintenance")
        #expect(client.closeReceived(Close(error: remote))
            == .sendCloseAndCloseTransport(Close(), AMQPConnectionError(code: .closedByPeer, error: remote)))
        #expect(client.closeReceived(Close()) == .none)
        #expect(client.transportClosed() == .none)
    }

    @Test func weCloseFirstAndThePeerAnswers() {
        var (client, server) = Self.openedPair()
        guard case .sendClose(let close) = client.closeRequested() else { Issue.record("expected a close"); return }
        #expect(client.closeRequested() == .none)
        guard case .sendCloseAndCloseTransport(let answer, let error) = server.closeReceived(close) else {
            Issue.record("expected an answer")
            return
        }
        #expect(error.code == .closedByPeer)
        #expect(client.closeReceived(answer) == .closeTransport(nil))
    }

    @Test func idleTimeoutClosesWithResourceLimitExceeded() {
        var (client, _) = Self.openedPair()
        guard case .sendClose(let close) = client.idleTimeoutElapsed() else { Issue.record("expected a close"); return }
        #expect(close.error?.condition == .resourceLimitExceeded)
        guard case .closeTransport(let error) = client.closeTimeoutElapsed() else { Issue.record("expected the transport to close"); return }
        #expect(error?.code == .transportClosed)
    }

    @Test func idleTimeoutReportedWhenThePeerAnswers() {
        var (client, _) = Self.openedPair()
        _ = client.idleTimeoutElapsed()
        guard case .closeTransport(let error) = client.closeReceived(Close()) else { Issue.record("expected the transport to close"); return }
        #expect(error?.code == .idleTimeout)
    }

    @Test func protocolViolationsInEachState() {
        var beforeHeader = ConnectionStateMachine(role: .server, configuration: Self.serverConfiguration)
        _ = beforeHeader.start()
        guard case .closeTransport(let early) = beforeHeader.openReceived(Open(containerID: "x")) else {
            Issue.record("expected the transport to close")
            return
        }
        #expect(early?.error?.condition == .illegalState)

        var (opened, _) = Self.openedPair()
        guard case .sendClose(let close) = opened.openReceived(Open(containerID: "again")) else { Issue.record("expected a close"); return }
        #expect(close.error?.condition == .illegalState)
        #expect(opened.protocolViolated(.framingError, "more") == .none)

        var (framing, _) = Self.openedPair()
        guard case .sendClose(let framingClose) = framing.protocolViolated(.framingError, "bad frame") else {
            Issue.record("expected a close")
            return
        }
        #expect(framingClose.error?.condition == .framingError)
    }

    @Test func transportLossIsReported() {
        var (client, _) = Self.openedPair()
        #expect(client.transportClosed() == .closeTransport(AMQPConnectionError(code: .transportClosed)))
        var idle = ConnectionStateMachine(role: .client, configuration: Self.clientConfiguration)
        #expect(idle.closeRequested() == .closeTransport(nil))
    }

    @Test func zeroIdleTimeOutMeansNone() {
        var client = ConnectionStateMachine(role: .client, configuration: ConnectionConfiguration(containerID: "c", idleTimeout: 0))
        _ = client.start()
        _ = client.headerReceived(.amqp)
        guard case .opened(let negotiated) = client.openReceived(Open(containerID: "s", idleTimeOut: 0)) else {
            Issue.record("expected open")
            return
        }
        #expect(negotiated.heartbeatInterval == nil)
        #expect(negotiated.idleTimeout == nil)
    }
}
