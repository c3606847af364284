/// The version and the commit this build came from.
enum BuildInfo {
    static let version = "0.1.0"
    static var description: String { "\(version) (commit \(BuildCommit.hash))" }
}
