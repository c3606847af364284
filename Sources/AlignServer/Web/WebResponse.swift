import Hummingbird

/// The headers every page and static file carries, and the responses the web pages answer with.
///
/// Any script on a page can sign with the key the browser keeps, so the pages allow only their own scripts and
/// styles (no inline script, no inline handler, no inline style), load nothing from elsewhere, cannot be framed, and
/// send no referrer (a URL may hold a lead's id).
enum WebResponse {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    private static let csp = HTTPFields.Element.Name("Content-Security-Policy")
    private static let noSniff = HTTPFields.Element.Name("X-Content-Type-Options")
    private static let referrer = HTTPFields.Element.Name("Referrer-Policy")

    /// The security headers, with `contentType` and `cacheControl`.
    static func headers(contentType: String, cacheControl: String = "no-store") -> HTTPFields {
        var h: HTTPFields = [.contentType: contentType, .cacheControl: cacheControl]
        if let csp { h[csp] = contentSecurityPolicy }
        if let noSniff { h[noSniff] = "nosniff" }
        if let referrer { h[referrer] = "no-referrer" }
        return h
    }

    /// A page (never cached: it holds people's work).
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        body(Array(html.text.utf8), status: status, headers: headers(contentType: "text/html; charset=utf-8"))
    }

    /// A static file compiled into the binary.
    static func file(_ text: String, contentType: String) -> Response {
        body(Array(text.utf8), status: .ok, headers: headers(contentType: contentType, cacheControl: "no-cache"))
    }

    /// 303 to `location` (a page of this server), with the security headers.
    static func redirect(to location: String) -> Response {
        var h = headers(contentType: "text/html; charset=utf-8")
        h[.location] = location
        return body(Array("<!doctype html><title>See other</title><a href=\"\(HTML.escape(location))\">Continue</a>\n".utf8), status: .seeOther, headers: h)
    }

    private static func body(_ bytes: [UInt8], status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
