/// Komet's `status` field, decoded leniently: `1`, `"1"` and `true` mean success; `0`, `"0"` and `false` failure.
/// Anything else fails to decode.
enum KometResponseStatus: Sendable, Hashable, Decodable {
    case success
    case failure

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            switch number {
            case 1: self = .success; return
            case 0: self = .failure; return
            default: break
            }
        } else if let flag = try? container.decode(Bool.self) {
            self = flag ? .success : .failure
            return
        } else if let text = try? container.decode(String.self) {
            switch text.trimmingCharacters(in: .whitespaces) {
            case "1": self = .success; return
            case "0": self = .failure; return
            default: break
            }
        }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "status is not 1, \"1\", true, 0, \"0\" or false")
    }
}
