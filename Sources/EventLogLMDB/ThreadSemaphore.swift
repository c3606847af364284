import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A POSIX semaphore owned by one thread, made on its first synchronous append and kept until the thread exits: what a
/// synchronous caller of the writer waits on. Each wait takes exactly one post, and a thread waits for one job at a
/// time, so the semaphore is back at zero between appends and can serve the next one.
///
/// Measured (`align-bench --only group`): a `DispatchSemaphore` made and destroyed per append showed in the profile
/// (`dispatch_semaphore_create`, `sem_destroy`, `_os_object_alloc`); this one costs a `sem_post` and a `sem_wait`.
///
/// `@unchecked Sendable`: the writer thread only posts; the owning thread only waits. `sem_t` is made for that.
final class ThreadSemaphore: @unchecked Sendable {
    private let sem: UnsafeMutablePointer<sem_t>

    private init() {
        sem = .allocate(capacity: 1)
        sem_init(sem, 0, 0)
    }

    deinit {
        sem_destroy(sem)
        sem.deallocate()
    }

    func post() { sem_post(sem) }

    func wait() {
        while sem_wait(sem) != 0 {}  // EINTR: a signal interrupted the wait; the post is still to come
    }

    /// The calling thread's semaphore.
    static var current: ThreadSemaphore {
        if let p = pthread_getspecific(key) { return Unmanaged<ThreadSemaphore>.fromOpaque(p).takeUnretainedValue() }
        let s = ThreadSemaphore()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// The thread-specific slot; its destructor releases the thread's semaphore when the thread exits.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = pthread_key_create(&k) { p in if let p { Unmanaged<ThreadSemaphore>.fromOpaque(p).release() } }
        precondition(rc == 0, "pthread_key_create failed: \(rc)")
        return k
    }()
}
