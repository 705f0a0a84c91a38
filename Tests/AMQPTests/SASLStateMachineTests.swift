import AMQPCore
import NIOCore
import Testing
@testable import AMQP

@Suite struct SASLClientStateMachineTests {
    @Test func plainHandshake() {
        var machine = SASLClientStateMachine(
            credentials: [.plain(username: "guest", password: "secret"), .anonymous()], hostname: "broker")
        #expect(machine.start() == .sendHeader)
        #expect(machine.headerReceived(.sasl) == .none)
        let action = machine.frameReceived(.mechanisms(SASLMechanisms(saslServerMechanisms: ["AMQPLAIN", "PLAIN", "ANONYMOUS"])))
        var response = ByteBuffer()
        response.writeBytes([0] + Array("guest".utf8) + [0] + Array("secret".utf8))
        #expect(action == .sendInit(SASLInit(mechanism: "PLAIN", initialResponse: response, hostname: "broker")))
        #expect(machine.frameReceived(.outcome(SASLOutcome(code: .ok))) == .authenticated(mechanism: "PLAIN"))
    }

    @Test func fallsBackToTheNextCredentialTheServerOffers() {
        var machine = SASLClientStateMachine(credentials: [.external(), .plain(username: "u", password: "p"), .anonymous()])
        _ = machine.start()
        _ = machine.headerReceived(.sasl)
        guard case .sendInit(let initiate) = machine.frameReceived(.mechanisms(SASLMechanisms(saslServerMechanisms: ["ANONYMOUS"]))) else {
            Issue.record("expected sasl-init")
            return
        }
        #expect(initiate.mechanism == "ANONYMOUS")
    }

    @Test func noCommonMechanismFailsWithoutNamingSecrets() {
        var machine = SASLClientStateMachine(credentials: [.plain(username: "u", password: "hunter2")])
        _ = machine.start()
        _ = machine.headerReceived(.sasl)
        guard case .fail(let error) = machine.frameReceived(.mechanisms(SASLMechanisms(saslServerMechanisms: ["MSSBCBS"]))) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .noCommonMechanism)
        #expect(error.description.contains("MSSBCBS"))
        #expect(!error.description.contains("hunter2"))
        #expect(!"\(SASLCredentials.plain(username: "u", password: "hunter2"))".contains("hunter2"))
    }

    @Test(arguments: [SASLCode.auth, .sys, .sysPerm, .sysTemp])
    func failedOutcomesAreTypedErrors(_ code: SASLCode) {
        var machine = SASLClientStateMachine(credentials: [.anonymous()])
        _ = machine.start()
        _ = machine.headerReceived(.sasl)
        _ = machine.frameReceived(.mechanisms(SASLMechanisms(saslServerMechanisms: ["ANONYMOUS"])))
        #expect(machine.frameReceived(.outcome(SASLOutcome(code: code)))
            == .fail(SASLError(code: .authenticationFailed, outcome: code, detail: "mechanism ANONYMOUS")))
        // Anything after a failure is ignored.
        #expect(machine.frameReceived(.outcome(SASLOutcome(code: .ok))) == .none)
    }

    @Test func protocolViolationsFail() {
        var amqpHeader = SASLClientStateMachine(credentials: [.anonymous()])
        _ = amqpHeader.start()
        guard case .fail(let error) = amqpHeader.headerReceived(.amqp) else { Issue.record("expected a failure"); return }
        #expect(error.code == .unexpectedHeader)

        var earlyOutcome = SASLClientStateMachine(credentials: [.anonymous()])
        _ = earlyOutcome.start()
        _ = earlyOutcome.headerReceived(.sasl)
        guard case .fail(let early) = earlyOutcome.frameReceived(.outcome(SASLOutcome(code: .ok))) else {
            Issue.record("expected a failure")
            return
        }
        #expect(early.code == .unexpectedFrame)

        var challenged = SASLClientStateMachine(credentials: [.anonymous()])
        _ = challenged.start()
        _ = challenged.headerReceived(.sasl)
        _ = challenged.frameReceived(.mechanisms(SASLMechanisms(saslServerMechanisms: ["ANONYMOUS"])))
        guard case .fail(let challenge) = challenged.frameReceived(.challenge(SASLChallenge(challenge: ByteBuffer()))) else {
            Issue.record("expected a failure")
            return
        }
        #expect(challenge.code == .unexpectedFrame)
    }
}

@Suite struct SASLServerStateMachineTests {
    @Test func plainHandshakeAcceptedAndRejected() {
        for accepted in [true, false] {
            var machine = SASLServerStateMachine(mechanisms: ["PLAIN", "ANONYMOUS"])
            #expect(machine.headerReceived(.sasl) == .sendHeaderAndMechanisms(SASLMechanisms(saslServerMechanisms: ["PLAIN", "ANONYMOUS"])))
            var response = ByteBuffer()
            response.writeBytes(Array("admin".utf8) + [0] + Array("guest".utf8) + [0] + Array("pw".utf8))
            let presented = SASLPresented.plain(authorizationID: "admin", username: "guest", password: "pw")
            #expect(machine.frameReceived(.initiate(SASLInit(mechanism: "PLAIN", initialResponse: response, hostname: "vh")))
                == .verify(presented, hostname: "vh"))
            if accepted {
                #expect(machine.verified(true) == .succeed(SASLOutcome(code: .ok), identity: presented))
            } else {
                guard case .reject(let outcome, let error) = machine.verified(false) else { Issue.record("expected a rejection"); return }
                #expect(outcome == SASLOutcome(code: .auth))
                #expect(error.code == .authenticationFailed)
                #expect(!error.description.contains("pw"))
            }
        }
    }

    @Test func unofferedMechanismsAndMalformedResponsesAreRejected() {
        var unoffered = SASLServerStateMachine(mechanisms: ["ANONYMOUS"])
        _ = unoffered.headerReceived(.sasl)
        #expect(unoffered.frameReceived(.initiate(SASLInit(mechanism: "PLAIN")))
            == .reject(SASLOutcome(code: .auth), SASLError(code: .unsupportedMechanism, outcome: .auth, detail: "PLAIN")))

        var malformed = SASLServerStateMachine(mechanisms: ["PLAIN"])
        _ = malformed.headerReceived(.sasl)
        guard case .reject(_, let error) = malformed.frameReceived(.initiate(SASLInit(mechanism: "PLAIN", initialResponse: ByteBuffer(string: "no-nuls")))) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func aClientThatSkipsSASLGetsTheSASLHeaderBack() {
        var machine = SASLServerStateMachine(mechanisms: ["ANONYMOUS"])
        #expect(machine.headerReceived(.amqp) == .rejectHeader(reply: .sasl))
    }

    @Test func anonymousAndExternalIdentities() {
        var anonymous = SASLServerStateMachine(mechanisms: ["ANONYMOUS"])
        _ = anonymous.headerReceived(.sasl)
        #expect(anonymous.frameReceived(.initiate(SASLInit(mechanism: "ANONYMOUS", initialResponse: ByteBuffer(string: "anonymous"))))
            == .verify(.anonymous(trace: "anonymous"), hostname: nil))
        var external = SASLServerStateMachine(mechanisms: ["EXTERNAL"])
        _ = external.headerReceived(.sasl)
        #expect(external.frameReceived(.initiate(SASLInit(mechanism: "EXTERNAL"))) == .verify(.external(authorizationID: ""), hostname: nil))
    }

    @Test func clientAndServerMachinesTalkToEachOther() {
        var client = SASLClientStateMachine(credentials: [.plain(username: "a", password: "b")])
        var server = SASLServerStateMachine(mechanisms: ["ANONYMOUS", "PLAIN"])
        #expect(client.start() == .sendHeader)
        guard case .sendHeaderAndMechanisms(let mechanisms) = server.headerReceived(.sasl) else { Issue.record("no mechanisms"); return }
        _ = client.headerReceived(.sasl)
        guard case .sendInit(let initiate) = client.frameReceived(.mechanisms(mechanisms)) else { Issue.record("no init"); return }
        guard case .verify(let presented, _) = server.frameReceived(.initiate(initiate)) else { Issue.record("no verify"); return }
        #expect(presented == .plain(authorizationID: "", username: "a", password: "b"))
        guard case .succeed(let outcome, _) = server.verified(true) else { Issue.record("no success"); return }
        #expect(client.frameReceived(.outcome(outcome)) == .authenticated(mechanism: "PLAIN"))
    }
}
