import FuzzSupport

/// libFuzzer entry point: `AMQPMessageView` and `AMQPMessage` (see `RoundTrip.checkMessage`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size, RoundTrip.checkMessage)
}
