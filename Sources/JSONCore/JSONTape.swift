/// One value of a scanned JSON text (see `_JSONParser.scan`): its kind and byte range, and the tape index just past
/// its subtree. An object's members follow it on the tape as key (a string node), value subtree, key, value...;
/// an array's elements as subtrees. Offsets fit in 32 bits: texts of 4 GiB or more are refused.
@usableFromInline
struct _JSONNode: Sendable {
    /// The value's first byte (a string's opening quote).
    @usableFromInline var start: UInt32
    /// Just past the value's last byte (a string's closing quote, a container's closing bracket).
    @usableFromInline var end: UInt32
    /// The tape index just past this value and everything inside it: its next sibling.
    @usableFromInline var next: UInt32
    @usableFromInline var kind: UInt8
    /// For strings, `_JSONParser.escaped` and `_JSONParser.nonASCII`; for objects, `sortedPlainKeys`.
    @usableFromInline var flags: UInt8

    @usableFromInline static let object: UInt8 = 1
    @usableFromInline static let array: UInt8 = 2
    @usableFromInline static let string: UInt8 = 3
    @usableFromInline static let number: UInt8 = 4
    @usableFromInline static let `true`: UInt8 = 5
    @usableFromInline static let `false`: UInt8 = 6
    @usableFromInline static let null: UInt8 = 7

    /// An object flag: its keys are plain (ASCII, no escapes) and strictly increasing, as canonical JSON has them.
    @usableFromInline static let sortedPlainKeys: UInt8 = 1

    @inlinable init(start: Int, end: Int, next: Int, kind: UInt8, flags: UInt8 = 0) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.end = UInt32(truncatingIfNeeded: end)
        self.next = UInt32(truncatingIfNeeded: next)
        self.kind = kind
        self.flags = flags
    }
}

/// The nodes of a scanned text, in manually managed memory (appending is on the hot path of every decode), with
/// room after them for a copy of the text (`keep`), so that a `_JSONDocument` holds both in one allocation.
/// Whoever scans into it deallocates it, or hands it to a `_JSONDocument` that does.
@usableFromInline
struct _JSONTape {
    @usableFromInline var base: UnsafeMutablePointer<_JSONNode>
    @usableFromInline var count = 0
    var capacity: Int
    /// The length of the text to keep after the nodes.
    let textCount: Int
    /// Whether `base` was allocated here (and is freed by `deallocate`), rather than lent by `withScratch`.
    var owned = true

    init(capacity: Int, textCount: Int) {
        self.textCount = textCount
        self.capacity = max(capacity, 4)
        base = Self.allocate(capacity: self.capacity, textCount: textCount)
    }

    /// A tape in stack memory for scanning a text of `count` bytes that is read and then dropped (canonical
    /// checks, `JSONValue.parse`), so that small texts allocate no tape: the heap is used only if it outgrows it.
    static func withScratch<R>(for count: Int, _ body: (inout _JSONTape) -> R) -> R {
        withUnsafeTemporaryAllocation(of: _JSONNode.self, capacity: min(count / 8 + 8, 256)) { buffer in
            var tape = _JSONTape(lent: buffer)
            defer { tape.deallocate() }
            return body(&tape)
        }
    }

    /// A tape over `buffer`, which it does not own.
    private init(lent buffer: UnsafeMutableBufferPointer<_JSONNode>) {
        textCount = 0
        capacity = buffer.count
        base = buffer.baseAddress.unsafelyUnwrapped
        owned = false
    }

    static func allocate(capacity: Int, textCount: Int) -> UnsafeMutablePointer<_JSONNode> {
        let stride = MemoryLayout<_JSONNode>.stride
        return UnsafeMutableRawPointer.allocate(byteCount: capacity * stride + textCount, alignment: MemoryLayout<_JSONNode>.alignment)
            .bindMemory(to: _JSONNode.self, capacity: capacity)
    }

    @inline(__always)
    mutating func append(_ node: _JSONNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    mutating func grow() {
        let bigger = Self.allocate(capacity: capacity * 2, textCount: textCount)
        bigger.moveInitialize(from: base, count: count)
        deallocate()
        base = bigger
        owned = true
        capacity *= 2
    }

    @inlinable
    subscript(_ i: Int) -> _JSONNode {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// Copies `text` (of `textCount` bytes) after the nodes and returns where it is.
    func keep(_ text: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
        let at = UnsafeMutableRawPointer(base + capacity)
        if let source = text.baseAddress { at.copyMemory(from: source, byteCount: textCount) }
        return UnsafePointer(at.bindMemory(to: UInt8.self, capacity: textCount))
    }

    /// Frees the nodes' memory, if the tape owns it.
    func deallocate() {
        if owned { UnsafeMutableRawPointer(base).deallocate() }
    }
}
