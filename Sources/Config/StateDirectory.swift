import Foundation

/// Where ledgerchat keeps what it writes for itself (traces, logs, input history, compare runs):
/// `$XDG_STATE_HOME/ledgerchat`, or `~/.local/state/ledgerchat` when that is unset or empty.
public enum StateDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return (base as NSString).appendingPathComponent("ledgerchat")
    }

    /// `name` inside the state directory.
    public static func file(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (path(environment: environment) as NSString).appendingPathComponent(name)
    }
}
