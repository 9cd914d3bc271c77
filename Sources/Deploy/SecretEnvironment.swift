/// The environment variables that carry credentials, in one place.
///
/// Secrets travel only in process environments, never in an argv (which every user of the machine can
/// read in `ps` or `/proc/*/cmdline`), and only to the processes that use them: the server, clients and
/// the dashboard open the coordination store; workers read and write files and get none of these.
public enum SecretEnvironment {
    /// Names whose values are credentials or point at one (the password file).
    public static let names: Set<String> = [
        "AUTOLFADS_DB_PASSWORD", "AUTOLFADS_DB_PASSWORD_FILE", "PGPASSWORD", "PGPASSFILE",
        "AUTOLFADS_DASHBOARD_TOKEN",
    ]

    /// Whether `name` carries a credential.
    public static func isSecret(_ name: String) -> Bool { names.contains(name) }

    /// `environment` without the credential variables (what a worker process gets).
    public static func removingSecrets(from environment: [String: String]) -> [String: String] {
        environment.filter { !isSecret($0.key) }
    }
}
