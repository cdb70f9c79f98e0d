import Hummingbird
import NIOCore

/// The request context of the simulator's routes: Hummingbird's basics plus the connection, so the ambiguous
/// fault can close it without answering.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
