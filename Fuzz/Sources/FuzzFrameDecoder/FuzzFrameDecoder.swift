import FuzzSupport

/// libFuzzer entry point: `AMQPFrameDecoder` over a byte stream (see `RoundTrip.checkFrames`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size, RoundTrip.checkFrames)
}
