import Hummingbird

/// The pages' script and stylesheet, compiled into the binary (the installed `align` is one static file with no
/// resource bundle): `/static/align.js`, `/static/live.js`, `/static/align.css`, each with the security headers.
enum StaticFiles {
    static let files: [(path: String, contentType: String, text: String)] = [
        ("/static/align.js", "text/javascript; charset=utf-8", identityScript),
        ("/static/live.js", "text/javascript; charset=utf-8", liveScript),
        ("/static/align.css", "text/css; charset=utf-8", stylesheet),
    ]

    static func add(to router: Router<BasicRequestContext>) {
        for f in files {
            router.get(RouterPath(stringLiteral: f.path)) { _, _ in WebResponse.file(f.text, contentType: f.contentType) }
        }
    }
}
