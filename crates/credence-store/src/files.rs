//! Files the store writes outside the database (audit keys, checkpoints, archives):
//! created readable and writable by their owner only.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for writing, mode 0600 where the platform has modes: a new file that must
/// not exist yet, or (`append`) an existing one written at its end.
pub(crate) fn create_private(path: &Path, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true).create(true);
    } else {
        options.write(true).create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
