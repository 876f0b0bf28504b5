import CCurl
import Foundation

/// One HTTP header.
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How long a transfer may take.
public struct CurlTimeouts: Sendable, Equatable {
    /// To open the connection (and finish TLS).
    public var connect: Duration
    /// For the whole transfer, body included; nil for no limit (streams can be long).
    public var total: Duration?
    /// Between two received bytes once connected; nil for no limit.
    public var idle: Duration?

    public init(connect: Duration = .seconds(10), total: Duration? = nil, idle: Duration? = .seconds(60)) {
        self.connect = connect
        self.total = total
        self.idle = idle
    }
}

/// An HTTP request for `Curl.perform`.
public struct CurlRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [HeaderField]
    public var body: Data?
    public var timeouts: CurlTimeouts
    /// A PEM bundle of CA certificates to trust instead of the system's. TLS verification itself is never turned off.
    public var caFile: String?

    public init(
        url: String, method: String = "GET", headers: [HeaderField] = [], body: Data? = nil,
        timeouts: CurlTimeouts = CurlTimeouts(), caFile: String? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.caFile = caFile
    }
}

/// A response whose body arrives as it is received.
public struct CurlResponse: Sendable {
    public var status: Int
    public var headers: [HeaderField]
    /// The body in chunks as they arrive. Stopping the iteration aborts the transfer.
    public var body: AsyncThrowingStream<Data, any Error>

    /// The first header with this name, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Reads the whole body.
    public func collect() async throws -> Data {
        var data = Data()
        for try await chunk in body { data.append(chunk) }
        return data
    }
}

/// Why a transfer failed, in words that say what to check.
public enum CurlError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public enum TimeoutKind: String, Sendable { case connect, total, idle }

    case couldNotConnect(url: String, detail: String)
    case timedOut(TimeoutKind, url: String, after: Duration)
    case tls(url: String, detail: String)
    case transfer(url: String, code: Int, detail: String)
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .couldNotConnect(let url, let detail):
            return "Could not connect to \(url): \(detail). Check that the server runs and the address is right."
        case .timedOut(let kind, let url, let after):
            switch kind {
            case .connect: return "Connecting to \(url) took longer than \(after). Is the host reachable?"
            case .total: return "The request to \(url) took longer than \(after) in all."
            case .idle: return "\(url) sent nothing for \(after); the transfer was stopped."
            }
        case .tls(let url, let detail):
            return "TLS with \(url) failed: \(detail). If the server uses a private CA, pass its certificate file."
        case .transfer(let url, let code, let detail): return "The transfer from \(url) failed (curl \(code)): \(detail)."
        case .invalidRequest(let detail): return "Invalid request: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}

/// HTTP over libcurl. Each transfer runs on a thread of its own, never on Swift's cooperative pool, because
/// libcurl blocks while it waits for the network.
public enum Curl {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Starts a transfer and returns once the status line and headers are in; the body follows as a stream.
    /// Cancelling the calling task, or abandoning the body stream, aborts the transfer at once.
    public static func perform(_ request: CurlRequest) async throws -> CurlResponse {
        _ = globalInit
        let transfer = try Transfer(request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.start(onHead: continuation)
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// Performs a request and collects the whole body.
    public static func data(_ request: CurlRequest) async throws -> (response: CurlResponse, body: Data) {
        let response = try await perform(request)
        return (response, try await response.collect())
    }
}

/// One libcurl transfer: an easy handle driven by its own multi handle on a dedicated thread, so another thread
/// can wake it (`curl_multi_wakeup`) to abort at once.
///
/// `@unchecked Sendable` is safe because the mutable state is split by thread: the handles and the parsing state
/// are used only on the transfer thread once `start` has launched it (the callbacks run there too), and the one
/// field other threads write, `cancelRequested`, is guarded by `lock`.
private final class Transfer: @unchecked Sendable {
    let request: CurlRequest
    let easy: UnsafeMutableRawPointer
    let multi: UnsafeMutableRawPointer
    var headerList: UnsafeMutablePointer<curl_slist>?
    var onHead: CheckedContinuation<CurlResponse, any Error>?
    let body: AsyncThrowingStream<Data, any Error>
    let bodyContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    var status = 0
    var headers: [HeaderField] = []
    var lastActivity = ContinuousClock.now
    let lock = NSLock()
    var cancelRequested = false

    init(_ request: CurlRequest) throws {
        guard let easy = curl_easy_init(), let multi = curl_multi_init() else {
            throw CurlError.invalidRequest("libcurl could not create a transfer")
        }
        self.request = request
        self.easy = easy
        self.multi = multi
        (body, bodyContinuation) = AsyncThrowingStream.makeStream(of: Data.self)
        try configure()
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_multi_cleanup(multi)
        curl_easy_cleanup(easy)
    }

    private func configure() throws {
        func check(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else {
                throw CurlError.invalidRequest("\(what): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        try check(lc_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL \(request.url)")
        try check(lc_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(lc_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.timeouts.connect.milliseconds), "connect timeout")
        if let total = request.timeouts.total {
            try check(lc_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, total.milliseconds), "total timeout")
        }
        if let caFile = request.caFile { try check(lc_easy_setopt_string(easy, CURLOPT_CAINFO, caFile), "CA file \(caFile)") }
        try check(lc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "TLS verification")
        try check(lc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "TLS host verification")
        // An empty string offers every encoding libcurl can decode.
        try check(lc_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "Accept-Encoding")
        // Proxies: libcurl reads http_proxy, HTTPS_PROXY and NO_PROXY from the environment by itself.
        switch request.method.uppercased() {
        case "GET": break
        case "POST": try check(lc_easy_setopt_long(easy, CURLOPT_POST, 1), "POST")
        case "HEAD": try check(lc_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
        default: try check(lc_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method.uppercased()), "method")
        }
        if let body = request.body {
            try check(lc_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "body size")
            try body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the bytes need not outlive this call.
                try check(lc_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)), "body")
            }
        }
        for header in request.headers {
            // Checked on bytes: "\r\n" is a single Character in Swift and would slip past a Character test.
            guard !header.name.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == 0x0D || $0 == 0x0A }),
                !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
            else { throw CurlError.invalidRequest("header \(header.name) contains a line break or colon") }
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // Without this libcurl adds "Expect: 100-continue" to larger POSTs and waits for the server.
        headerList = curl_slist_append(headerList, "Expect:")
        try check(lc_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)), "headers")

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(lc_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "write data")
        try check(lc_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "header data")
        try check(lc_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, { buffer, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.received(body: UnsafeRawBufferPointer(start: buffer, count: size * count))
        }), "write callback")
        try check(lc_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, { buffer, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.received(headerLine: UnsafeRawBufferPointer(start: buffer, count: size * count))
        }), "header callback")
    }

    func start(onHead continuation: CheckedContinuation<CurlResponse, any Error>) {
        onHead = continuation
        bodyContinuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel() }
        }
        let thread = Thread { [self] in run() }
        thread.name = "ledgerchat-curl"
        thread.start()
    }

    func cancel() {
        lock.lock()
        cancelRequested = true
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelRequested
    }

    private func run() {
        curl_multi_add_handle(multi, easy)
        var running: Int32 = 1
        var outcome: (any Error)?
        while running > 0 {
            curl_multi_perform(multi, &running)
            if running == 0 { break }
            if isCancelled {
                outcome = CancellationError()
                break
            }
            if let idle = request.timeouts.idle, ContinuousClock.now - lastActivity > idle {
                outcome = CurlError.timedOut(.idle, url: request.url, after: idle)
                break
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 100, &ready)
            if isCancelled {
                outcome = CancellationError()
                break
            }
        }
        if outcome == nil {
            var pending: Int32 = 0
            while let message = curl_multi_info_read(multi, &pending) {
                if message.pointee.msg == CURLMSG_DONE {
                    outcome = error(for: message.pointee.data.result)
                }
            }
        }
        curl_multi_remove_handle(multi, easy)
        finish(outcome)
    }

    private func error(for code: CURLcode) -> (any Error)? {
        let detail = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OK: return nil
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return CurlError.couldNotConnect(url: request.url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            // Before any status line arrived it was the connection; afterwards the total limit.
            if status == 0 && request.timeouts.total.map({ $0 > request.timeouts.connect }) != false {
                return CurlError.timedOut(.connect, url: request.url, after: request.timeouts.connect)
            }
            return CurlError.timedOut(.total, url: request.url, after: request.timeouts.total ?? request.timeouts.connect)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return CurlError.tls(url: request.url, detail: detail)
        default:
            return CurlError.transfer(url: request.url, code: Int(code.rawValue), detail: detail)
        }
    }

    private func finish(_ outcome: (any Error)?) {
        if let onHead {
            self.onHead = nil
            if let outcome {
                onHead.resume(throwing: outcome)
                bodyContinuation.finish(throwing: outcome)
                return
            }
            // A response without a body (or a HEAD) completes here.
            onHead.resume(returning: CurlResponse(status: status, headers: headers, body: body))
        }
        if let outcome { bodyContinuation.finish(throwing: outcome) } else { bodyContinuation.finish() }
    }

    // MARK: Callbacks, on the transfer thread

    func received(body bytes: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        if isCancelled { return 0 }  // returning less than given aborts the transfer
        deliverHeadIfNeeded()
        bodyContinuation.yield(Data(bytes))
        return bytes.count
    }

    func received(headerLine bytes: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            // A new status line: an interim 1xx response or the real one. Keep only the last block.
            status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            headers = []
        } else if let colon = line.firstIndex(of: ":") {
            headers.append(
                HeaderField(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        } else if line.isEmpty, status >= 200 {
            deliverHeadIfNeeded()
        }
        return bytes.count
    }

    private func deliverHeadIfNeeded() {
        guard let onHead else { return }
        self.onHead = nil
        onHead.resume(returning: CurlResponse(status: status, headers: headers, body: body))
    }
}

extension Duration {
    fileprivate var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
