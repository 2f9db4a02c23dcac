//! A VFS for the event writer's connection that gathers its WAL writes. SQLite writes each
//! WAL frame with two `pwrite`s (a 24-byte header, then the page), so a commit that touches
//! a page per student in each per-student index (a batch from a full room: about 2,500
//! pages) made about 5,000 system calls. Here the frames of a transaction are gathered in
//! a buffer and written in a few large writes, and always before SQLite marks the
//! transaction committed, so that readers and crash recovery see exactly what SQLite's own
//! writes would have left.
//!
//! Every file other than the WAL is SQLite's own platform file, unchanged.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The name the writer opens its connection with.
pub(super) const NAME: &str = "lectern-wal";
/// [`NAME`] as SQLite keeps it.
const C_NAME: &CStr = c"lectern-wal";

/// Bytes gathered before they are written. SQLite's Unix file writes at most 128 KiB
/// less one byte per call (a longer write is cut short, and reported as a full disk), so
/// this is the largest multiple of 4 KiB below that.
const CAPACITY: usize = 124 * 1024;

/// A WAL frame's header (SQLite's `WAL_FRAME_HDRSIZE`); bytes 4-8 hold the database's size
/// in pages on the frame that commits a transaction, and zero on every other frame.
const FRAME_HEADER: usize = 24;

/// Registers the VFS (once, process-wide); `false` when SQLite has no default VFS to wrap,
/// in which case the writer opens its connection with the default one.
pub(super) fn register() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find only reads SQLite's VFS list; a null name asks for the
        // default, which lives as long as the process.
        let base = unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) };
        if base.is_null() {
            return false;
        }
        // SAFETY: `base` is a registered VFS, never freed.
        let base_ref = unsafe { &*base };
        let vfs = Box::leak(Box::new(ffi::sqlite3_vfs {
            iVersion: 2,
            szOsFile: (std::mem::size_of::<WalFile>() as c_int) + base_ref.szOsFile,
            mxPathname: base_ref.mxPathname,
            pNext: std::ptr::null_mut(),
            zName: C_NAME.as_ptr(),
            pAppData: base.cast(),
            xOpen: Some(open),
            xDelete: Some(delete),
            xAccess: Some(access),
            xFullPathname: Some(full_pathname),
            // Extensions are never loaded through the writer's connection (SQLite refuses
            // before asking the VFS unless a connection enables them).
            xDlOpen: None,
            xDlError: None,
            xDlSym: None,
            xDlClose: None,
            xRandomness: Some(randomness),
            xSleep: Some(sleep),
            xCurrentTime: Some(current_time),
            xGetLastError: Some(last_error),
            xCurrentTimeInt64: Some(current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        }));
        // SAFETY: `vfs` is leaked, so it outlives every connection; 0: not the default.
        unsafe { ffi::sqlite3_vfs_register(vfs, 0) == ffi::SQLITE_OK }
    })
}

/// The VFS this one wraps.
///
/// # Safety
/// `vfs` must be the VFS registered by [`register`].
unsafe fn base(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    // SAFETY: the caller passes our VFS, whose app data is the wrapped VFS.
    unsafe { (*vfs).pAppData.cast() }
}

/// An open WAL file: SQLite's view (`base`, with this module's methods), the gathered
/// bytes, and the platform file right after it in the same allocation.
#[repr(C)]
struct WalFile {
    base: ffi::sqlite3_file,
    pending: *mut Pending,
}

/// Bytes not yet written, and where they go.
struct Pending {
    bytes: Vec<u8>,
    /// The file offset of `bytes[0]`.
    start: i64,
    /// Where the page of a committing frame starts, once its header was written: that
    /// page is the transaction's last write before SQLite publishes the commit.
    commit_page_at: Option<i64>,
}

/// The platform file inside a [`WalFile`].
///
/// # Safety
/// `file` must point at a `WalFile` allocated with this VFS's `szOsFile`.
unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY: the platform file follows the WalFile header, within szOsFile.
    unsafe { file.cast::<u8>().add(std::mem::size_of::<WalFile>()).cast() }
}

/// The platform file's methods.
///
/// # Safety
/// As [`inner`]; the platform file must be open.
unsafe fn methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    // SAFETY: an open platform file has methods that live as long as its VFS.
    unsafe { &*(*inner(file)).pMethods }
}

/// Writes what is pending; on failure it is dropped (the transaction it belongs to fails).
///
/// # Safety
/// As [`methods`].
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: an open WalFile owns its Pending until close.
    let pending = unsafe { &mut *(*file.cast::<WalFile>()).pending };
    pending.commit_page_at = None;
    if pending.bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    let Some(write) = (unsafe { methods(file) }).xWrite else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    let Ok(length) = c_int::try_from(pending.bytes.len()) else {
        return ffi::SQLITE_IOERR_WRITE;
    };
    // SAFETY: the buffer is valid for `length` bytes; the platform file is open.
    let rc = unsafe {
        write(
            inner(file),
            pending.bytes.as_ptr().cast(),
            length,
            pending.start,
        )
    };
    pending.bytes.clear();
    rc
}

unsafe extern "C" fn open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite passes our VFS, and a file of our szOsFile.
    unsafe {
        let base = base(vfs);
        let Some(base_open) = (*base).xOpen else {
            return ffi::SQLITE_CANTOPEN;
        };
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            // Any other file is the platform's own: its methods replace ours.
            return base_open(base, name, file, flags, out_flags);
        }
        let rc = base_open(base, name, inner(file), flags, out_flags);
        if rc != ffi::SQLITE_OK {
            (*file).pMethods = std::ptr::null();
            return rc;
        }
        let pending = Box::new(Pending {
            bytes: Vec::with_capacity(CAPACITY),
            start: 0,
            commit_page_at: None,
        });
        file.cast::<WalFile>().write(WalFile {
            base: ffi::sqlite3_file {
                pMethods: &WAL_METHODS,
            },
            pending: Box::into_raw(pending),
        });
        ffi::SQLITE_OK
    }
}

/// Gathers a write when it continues the pending bytes; flushes once the page of a
/// committing frame is in.
unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite passes an open WalFile and `amount` readable bytes at `data`.
    unsafe {
        let Ok(length) = usize::try_from(amount) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), length);
        let pending = &mut *(*file.cast::<WalFile>()).pending;
        let commits = pending.commit_page_at == Some(offset);
        let follows = !pending.bytes.is_empty()
            && pending.start + pending.bytes.len() as i64 == offset
            && pending.bytes.len() + length <= CAPACITY;
        if !follows {
            let rc = flush(file);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        let pending = &mut *(*file.cast::<WalFile>()).pending;
        let committing_header = length == FRAME_HEADER && bytes[4..8] != [0; 4];
        if pending.bytes.is_empty() && (length == FRAME_HEADER || length > CAPACITY) {
            // A header that starts nothing (a commit's first frame, or SQLite rewriting
            // checksums in place) or a write too large to gather goes straight out.
            let Some(write) = methods(file).xWrite else {
                return ffi::SQLITE_IOERR_WRITE;
            };
            let rc = write(inner(file), data, amount, offset);
            if rc == ffi::SQLITE_OK && committing_header {
                pending.commit_page_at = Some(offset + FRAME_HEADER as i64);
            }
            return rc;
        }
        if pending.bytes.is_empty() {
            pending.start = offset;
        }
        pending.bytes.extend_from_slice(bytes);
        if committing_header {
            pending.commit_page_at = Some(offset + FRAME_HEADER as i64);
            return ffi::SQLITE_OK;
        }
        if commits {
            return flush(file);
        }
        ffi::SQLITE_OK
    }
}

/// Defines a WAL-file method that writes what is pending, then calls the platform's.
macro_rules! flushed {
    ($name:ident, $field:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file, $($arg: $ty),*) -> c_int {
            // SAFETY: SQLite passes an open WalFile; the platform file takes the same
            // arguments.
            unsafe {
                let rc = flush(file);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                match methods(file).$field {
                    Some(method) => method(inner(file), $($arg),*),
                    None => ffi::SQLITE_IOERR,
                }
            }
        }
    };
}

flushed!(read, xRead, (data: *mut c_void, amount: c_int, offset: i64));
flushed!(truncate, xTruncate, (size: i64));
flushed!(sync, xSync, (flags: c_int));
flushed!(file_size, xFileSize, (size: *mut i64));
flushed!(lock, xLock, (level: c_int));
flushed!(unlock, xUnlock, (level: c_int));
flushed!(check_reserved_lock, xCheckReservedLock, (out: *mut c_int));
flushed!(file_control, xFileControl, (op: c_int, arg: *mut c_void));

/// Writes what is pending, closes the platform file and frees the buffer.
unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes an open WalFile and never uses it after this call.
    unsafe {
        let flushed = flush(file);
        let closed = match methods(file).xClose {
            Some(close) => close(inner(file)),
            None => ffi::SQLITE_OK,
        };
        let wal = &mut *file.cast::<WalFile>();
        drop(Box::from_raw(wal.pending));
        wal.pending = std::ptr::null_mut();
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            closed
        }
    }
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes an open WalFile.
    unsafe {
        methods(file)
            .xSectorSize
            .map_or(4096, |method| method(inner(file)))
    }
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes an open WalFile.
    unsafe {
        methods(file)
            .xDeviceCharacteristics
            .map_or(0, |method| method(inner(file)))
    }
}

/// The WAL file's methods: version 1, as a WAL file has no shared memory or mapping.
static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

/// Defines a VFS method that calls the wrapped VFS's.
macro_rules! forwarded {
    ($name:ident, $field:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty, $missing:expr) => {
        unsafe extern "C" fn $name(vfs: *mut ffi::sqlite3_vfs, $($arg: $ty),*) -> $ret {
            // SAFETY: SQLite passes our VFS; the wrapped one takes the same arguments.
            unsafe {
                let base = base(vfs);
                match (*base).$field {
                    Some(method) => method(base, $($arg),*),
                    None => $missing,
                }
            }
        }
    };
}

forwarded!(delete, xDelete, (name: *const c_char, sync_dir: c_int) -> c_int, ffi::SQLITE_IOERR_DELETE);
forwarded!(access, xAccess, (name: *const c_char, flags: c_int, out: *mut c_int) -> c_int, ffi::SQLITE_IOERR_ACCESS);
forwarded!(full_pathname, xFullPathname, (name: *const c_char, size: c_int, out: *mut c_char) -> c_int, ffi::SQLITE_CANTOPEN);
forwarded!(randomness, xRandomness, (size: c_int, out: *mut c_char) -> c_int, 0);
forwarded!(sleep, xSleep, (microseconds: c_int) -> c_int, 0);
forwarded!(current_time, xCurrentTime, (out: *mut f64) -> c_int, ffi::SQLITE_ERROR);
forwarded!(current_time_int64, xCurrentTimeInt64, (out: *mut i64) -> c_int, ffi::SQLITE_ERROR);
forwarded!(last_error, xGetLastError, (size: c_int, out: *mut c_char) -> c_int, 0);

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, OpenFlags};

    /// Opens `path` as the writer does (through this VFS, in WAL mode, with no sync at a
    /// commit, which would write what is pending anyway), with a cache small enough that
    /// a large transaction spills pages into the WAL before it commits.
    fn gathering(path: &std::path::Path) -> Connection {
        assert!(super::register());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let connection = Connection::open_with_flags_and_vfs(path, flags, super::NAME).unwrap();
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = 20;",
            )
            .unwrap();
        let synchronous: i64 = connection
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap();
        assert_eq!(
            synchronous, 1,
            "a sync at each commit would hide a missing write"
        );
        connection
    }

    /// Every committed row is visible to another connection at once, and survives a crash:
    /// the WAL copied before any checkpoint is recovered whole, which SQLite does only when
    /// every frame and its checksum are where its own writes would have put them.
    #[test]
    fn commits_are_read_back_and_recovered_whole() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("events.db");
        let writer = gathering(&path);
        writer
            .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v TEXT); CREATE INDEX t_k ON t (k);")
            .unwrap();
        let reader = Connection::open(&path).unwrap();
        let mut expected = 0;
        // Small commits, and ones far larger than the buffer and the cache (spilling,
        // then rewriting spilled pages and their checksums).
        for rows in [1, 10, 3_000, 1, 20_000, 7] {
            let tx = writer.unchecked_transaction().unwrap();
            for n in 0..rows {
                tx.execute(
                    "INSERT INTO t (k, v) VALUES (?1, ?2)",
                    rusqlite::params![(n * 7919) % 1_000, "x".repeat(100)],
                )
                .unwrap();
            }
            tx.execute("UPDATE t SET v = 'changed' WHERE id = 1", [])
                .unwrap();
            tx.commit().unwrap();
            expected += rows;
            let seen: i64 = reader
                .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
                .unwrap();
            assert_eq!(seen, expected);
        }

        let copy = folder.path().join("copy.db");
        std::fs::copy(&path, &copy).unwrap();
        std::fs::copy(
            folder.path().join("events.db-wal"),
            folder.path().join("copy.db-wal"),
        )
        .unwrap();
        let recovered = Connection::open(&copy).unwrap();
        let (count, changed): (i64, String) = recovered
            .query_row(
                "SELECT (SELECT COUNT(*) FROM t), (SELECT v FROM t WHERE id = 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((count, changed.as_str()), (expected, "changed"));
        let check: String = recovered
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
