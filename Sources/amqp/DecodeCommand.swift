import AMQPCore
import ArgumentParser
import Foundation
import NIOCore

extension AMQPInputLayout: ExpressibleByArgument {}

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print AMQP bytes readably: protocol headers, frames, performatives, messages, values.",
        discussion: """
            Reads a capture of an AMQP connection (or one frame, one encoded message, or encoded \
            values) and prints every protocol header, frame, field and message section by its spec \
            name. On bad input it prints what was decoded up to the error, then the error and its \
            byte offset, and exits 1.
            """
    )

    @Argument(help: "File to read; '-' or nothing reads standard input.")
    var file: String?

    @Flag(name: .long, help: "The input is hex text (whitespace ignored), not raw bytes.")
    var hex = false

    @Option(name: .customLong("as"), help: "How to read the bytes.")
    var layout: AMQPInputLayout = .auto

    @Flag(name: .long, help: "Print binary and string contents in full.")
    var full = false

    func run() throws {
        let raw = try readInput()
        let input: ByteBuffer
        if hex {
            input = try HexInput.parse(raw)
        } else {
            input = ByteBuffer(bytes: raw)
        }
        var describer = AMQPStreamDescriber(formatter: AMQPFormatter(maxBinaryBytes: full ? Int.max : 64))
        do {
            try describer.describe(input, as: layout)
            print(describer.lines.joined(separator: "\n"))
        } catch {
            if !describer.lines.isEmpty { print(describer.lines.joined(separator: "\n")) }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func readInput() throws -> [UInt8] {
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            return [UInt8](data)
        }
        return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
}

enum HexInput {
    /// Hex digits to bytes; whitespace and an optional `0x` are ignored.
    static func parse(_ text: [UInt8]) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        var high: UInt8?
        var index = 0
        while index < text.count {
            let character = text[index]
            defer { index += 1 }
            if character == UInt8(ascii: "0"), index + 1 < text.count, text[index + 1] | 0x20 == UInt8(ascii: "x"), high == nil {
                index += 1
                continue
            }
            if [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":")].contains(character) {
                continue
            }
            guard let nibble = nibble(character) else {
                throw ValidationError("not a hex digit at character \(index): \(Unicode.Scalar(character).escaped(asASCII: true))")
            }
            if let pending = high {
                buffer.writeInteger(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { throw ValidationError("odd number of hex digits") }
        return buffer
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
