import AMQPCore

/// What this side of a connection advertises in its open (spec 2.7.1).
public struct ConnectionConfiguration: Sendable, Hashable {
    public var containerID: String
    /// The virtual host the client asks for (the server's DNS name by default).
    public var hostname: String?
    /// The largest frame this side accepts; at least 512 (spec 2.7.1, `MIN-MAX-FRAME-SIZE`).
    public var maxFrameSize: UInt32
    /// The highest channel number the peer may begin a session on.
    public var channelMax: UInt16
    /// Close the connection when nothing arrives for this long (milliseconds); the peer is
    /// told and sends heartbeats at least twice as often. nil: no limit.
    public var idleTimeout: UInt32?
    public var offeredCapabilities: [AMQPSymbol]
    public var desiredCapabilities: [AMQPSymbol]
    public var properties: AMQPMap?

    public init(
        containerID: String,
        hostname: String? = nil,
        maxFrameSize: UInt32 = 1024 * 1024,
        channelMax: UInt16 = 1023,
        idleTimeout: UInt32? = 60_000,
        offeredCapabilities: [AMQPSymbol] = [],
        desiredCapabilities: [AMQPSymbol] = [],
        properties: AMQPMap? = nil
    ) {
        self.containerID = containerID
        self.hostname = hostname
        self.maxFrameSize = max(maxFrameSize, AMQPFrameLayout.minimumMaxFrameSize)
        self.channelMax = channelMax
        self.idleTimeout = idleTimeout
        self.offeredCapabilities = offeredCapabilities
        self.desiredCapabilities = desiredCapabilities
        self.properties = properties
    }

    var open: Open {
        Open(containerID: containerID, hostname: hostname, maxFrameSize: maxFrameSize, channelMax: channelMax,
             idleTimeOut: idleTimeout, offeredCapabilities: offeredCapabilities,
             desiredCapabilities: desiredCapabilities, properties: properties)
    }
}

/// The limits both sides agreed on once both opens are exchanged (spec 2.4.1, 2.7.1).
public struct NegotiatedConnection: Sendable, Hashable {
    /// The peer's open, as received.
    public var remoteOpen: Open
    /// Frames we send must not be larger than this (the peer's max-frame-size).
    public var outgoingMaxFrameSize: UInt32
    /// Frames we accept (our own max-frame-size).
    public var incomingMaxFrameSize: UInt32
    /// The highest channel we may begin a session on (the peer's channel-max).
    public var outgoingChannelMax: UInt16
    /// The highest channel the peer may begin a session on (ours).
    public var incomingChannelMax: UInt16
    /// Send something at least this often (half the peer's idle-time-out), in milliseconds;
    /// nil when the peer set no idle-time-out.
    public var heartbeatInterval: UInt32?
    /// Close when nothing arrives for this long (our idle-time-out), in milliseconds.
    public var idleTimeout: UInt32?
}
