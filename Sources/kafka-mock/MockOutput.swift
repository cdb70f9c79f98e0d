import Foundation

/// Writes answer lines to stdout unbuffered (one write(2) per line): the reader is another process.
enum MockOutput {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
