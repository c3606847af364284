import Foundation
import PackagePlugin

/// Generates `BuildCommit.swift` (the git commit the tool is built from, `git rev-parse --short HEAD`, or "unknown"
/// outside a git checkout) into the plugin's work directory before every build; nothing generated is committed.
/// The file is rewritten only when the commit changed, so an unchanged checkout recompiles nothing.
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            mkdir -p "$2" || exit 1
            hash=$(git -C "$1" rev-parse --short HEAD 2>/dev/null) || hash=unknown
            [ -n "$hash" ] || hash=unknown
            text="enum BuildCommit { static let hash = \\"$hash\\" }"
            [ "$(cat "$2/BuildCommit.swift" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$2/BuildCommit.swift"
            """
        return [.prebuildCommand(displayName: "Recording the git commit of \(target.name)",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
