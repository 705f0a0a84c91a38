import AMQPCore
import Testing
@testable import AMQP

@Suite struct SessionStateMachineTests {
    /// A session we began, mapped by the peer's answering begin.
    static func mapped(incomingWindow: UInt32 = 10, peerIncomingWindow: UInt32 = 3, peerHandleMax: UInt32 = 7)
        -> SessionStateMachine
    {
        var session = SessionStateMachine(configuration: SessionConfiguration(incomingWindow: incomingWindow, handleMax: 15))
        guard case .sendBegin(let begin) = session.beginRequested() else { fatalError("no begin") }
        #expect(begin.remoteChannel == nil)
        #expect(begin.incomingWindow == incomingWindow)
        #expect(session.beginReceived(Begin(remoteChannel: 0, nextOutgoingID: 100, incomingWindow: peerIncomingWindow,
                                            outgoingWindow: 50, handleMax: peerHandleMax)) == .mapped)
        return session
    }

    @Test func answeringThePeersBegin() {
        var session = SessionStateMachine()
        #expect(session.beginReceived(Begin(nextOutgoingID: 1, incomingWindow: 5, outgoingWindow: 5)) == .none)
        guard case .sendBegin(let begin) = session.beginRequested(answering: 4) else { Issue.record("no begin"); return }
        #expect(begin.remoteChannel == 4)
        #expect(session.canSendTransfer)
    }

    @Test func outgoingWindowIsExhaustedAndReopenedByFlow() {
        var session = Self.mapped(peerIncomingWindow: 2)
        #expect(session.transferSent() == 0)
        #expect(session.transferSent() == 1)
        #expect(!session.canSendTransfer)
        // The peer has received both (next-incoming-id 2) and opens 5 more.
        #expect(session.flowReceived(Flow(nextIncomingID: 2, incomingWindow: 5, nextOutgoingID: 100, outgoingWindow: 50)) == .none)
        #expect(session.remoteIncomingWindow == 5)
        // A flow that has not caught up with our last transfers counts them as in flight.
        #expect(session.flowReceived(Flow(nextIncomingID: 1, incomingWindow: 5, nextOutgoingID: 100, outgoingWindow: 50)) == .none)
        #expect(session.remoteIncomingWindow == 4)
    }

    @Test func flowWithoutNextIncomingIDUsesOurInitialTransferID() {
        var session = Self.mapped(peerIncomingWindow: 0)
        #expect(session.flowReceived(Flow(incomingWindow: 8, nextOutgoingID: 100, outgoingWindow: 50)) == .none)
        #expect(session.remoteIncomingWindow == 8)
    }

    @Test func theIncomingWindowReopensAfterAReadOnceHalfIsUsed() {
        var session = Self.mapped(incomingWindow: 4)
        #expect(session.attachReceived(handle: 0) == .none)
        #expect(session.transferReceived(handle: 0) == .none)
        #expect(session.readCompleted() == .none)  // 3 of 4 left
        #expect(session.transferReceived(handle: 0) == .none)
        guard case .sendFlow(let flow) = session.readCompleted() else { Issue.record("expected a flow"); return }
        #expect(flow.incomingWindow == 4)
        #expect(flow.nextIncomingID == 102)
        #expect(flow.handle == nil)
    }

    @Test func transfersBeyondTheWindowInOneReadEndTheSession() {
        var session = Self.mapped(incomingWindow: 2)
        _ = session.attachReceived(handle: 0)
        #expect(session.transferReceived(handle: 0) == .none)
        #expect(session.transferReceived(handle: 0) == .none)
        guard case .sendEnd(let end) = session.transferReceived(handle: 0) else { Issue.record("expected end"); return }
        #expect(end.error?.condition == .windowViolation)
    }

    @Test func unattachedHandlesAndHandlesInUse() {
        var session = Self.mapped()
        guard case .sendEnd(let end) = session.transferReceived(handle: 3) else { Issue.record("expected end"); return }
        #expect(end.error?.condition == .unattachedHandle)

        var inUse = Self.mapped()
        #expect(inUse.attachReceived(handle: 1) == .none)
        guard case .sendEnd(let again) = inUse.attachReceived(handle: 1) else { Issue.record("expected end"); return }
        #expect(again.error?.condition == .handleInUse)

        var flowOnUnknown = Self.mapped()
        guard case .sendEnd(let flowEnd) = flowOnUnknown.flowReceived(Flow(incomingWindow: 1, nextOutgoingID: 0, outgoingWindow: 1, handle: 9)) else {
            Issue.record("expected end")
            return
        }
        #expect(flowEnd.error?.condition == .unattachedHandle)

        var detachUnknown = Self.mapped()
        guard case .sendEnd(let detachEnd) = detachUnknown.detachReceived(handle: 2) else { Issue.record("expected end"); return }
        #expect(detachEnd.error?.condition == .unattachedHandle)
        // The session then waits for the peer's end and reports the violation.
        guard case .released(let reason) = detachUnknown.endReceived(End()) else { Issue.record("expected release"); return }
        #expect(reason?.code == .protocolViolation)
    }

    @Test func handleAboveHandleMaxClosesTheConnection() {
        var session = Self.mapped()
        guard case .closeConnection(let condition, _) = session.attachReceived(handle: 16) else {
            Issue.record("expected the connection to close")
            return
        }
        #expect(condition == .framingError)
    }

    @Test func freeHandlesRespectThePeersHandleMax() {
        var session = Self.mapped(peerHandleMax: 1)
        #expect(session.freeHandle() == 0)
        session.linkAttachRequested(handle: 0)
        #expect(session.freeHandle() == 1)
        session.linkAttachRequested(handle: 1)
        #expect(session.freeHandle() == nil)
        session.linkDetachSent(handle: 0)
        #expect(session.freeHandle() == 0)
    }

    @Test func transferIDsWrapAround() {
        var session = SessionStateMachine()
        _ = session.beginRequested()
        _ = session.beginReceived(Begin(remoteChannel: 0, nextOutgoingID: .max, incomingWindow: 10, outgoingWindow: 10))
        _ = session.attachReceived(handle: 0)
        _ = session.transferReceived(handle: 0)
        #expect(session.nextIncomingID == 0)
        _ = session.transferReceived(handle: 0)
        #expect(session.nextIncomingID == 1)
    }

    @Test func echoIsAnswered() {
        var session = Self.mapped()
        guard case .sendFlow(let flow) = session.flowReceived(Flow(nextIncomingID: 0, incomingWindow: 5, nextOutgoingID: 100,
                                                                    outgoingWindow: 50, echo: true)) else {
            Issue.record("expected a flow")
            return
        }
        #expect(flow.handle == nil)
        #expect(flow.nextIncomingID == 100)
    }

    @Test func endInBothDirections() {
        var ours = Self.mapped()
        #expect(ours.endRequested() == .sendEnd(End()))
        #expect(ours.endReceived(End()) == .released(nil))

        var theirs = Self.mapped()
        let error = AMQPError(condition: .resourceLimitExceeded)
        #expect(theirs.endReceived(End(error: error)) == .sendEndAndRelease(End(), AMQPSessionError(code: .endedByPeer, error: error)))
        guard case .closeConnection = theirs.endReceived(End()) else { Issue.record("a second end is an error"); return }
    }
}
