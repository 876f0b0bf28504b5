import CCurl
import CNcursesw
import Testing

@Suite("System libraries")
struct SystemLibraryTests {
    @Test("libcurl links, reports its version, and the typed setopt shims work")
    func curl() throws {
        let info = try #require(lc_version_info())
        let version = String(cString: info.pointee.version)
        #expect(version.split(separator: ".").count == 3, "curl version \(version)")
        // TLS and HTTP support are what the LLM and MCP clients need.
        #expect(info.pointee.features & Int32(CURL_VERSION_SSL) != 0)
        #expect(info.pointee.protocols.pointee != nil)

        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(lc_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK)
        #expect(lc_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 500) == CURLE_OK)
        #expect(lc_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        // Port 9 (discard) is closed on loopback: a real transfer attempt that fails fast and cleanly.
        let outcome = curl_easy_perform(handle)
        #expect(outcome == CURLE_COULDNT_CONNECT || outcome == CURLE_OPERATION_TIMEDOUT)
        var code = 0
        #expect(lc_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        #expect(code == 0)
    }

    @Test("ncursesw links and reports its version; the macro shims compute")
    func ncurses() {
        let version = String(cString: lc_curses_version())
        #expect(version.hasPrefix("ncurses 6"), "\(version)")
        #expect(lc_attr_bold() != lc_attr_normal())
        #expect(lc_color_pair(2) != lc_color_pair(1))
        #expect(lc_key_resize() > 255)
    }
}
