//! The deployment artifacts: `<lambda-dir>/<function>/bootstrap.zip` as `cargo lambda build
//! --output-format zip` leaves them.
//!
//! The benchmark runs the very binary inside each zip (Lambda unpacks the same file), so what is
//! measured is what is deployed. The zip's central directory is read here to report the unpacked
//! size without a zip library; the one extraction the benchmark needs is left to Python's
//! `zipfile`, which the baseline requires anyway.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// End of central directory record: signature, then the central directory's size and offset.
const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;

/// Names and unpacked sizes of the entries of a zip archive.
pub fn zip_entries(bytes: &[u8]) -> Result<Vec<(String, u64)>, String> {
    // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
    let min_start = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (min_start..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| le32(bytes, i) == Some(EOCD_SIGNATURE))
        .ok_or("not a zip archive (no end of central directory)")?;
    let count = le16(bytes, eocd + 10).ok_or("truncated zip")?;
    let mut at = le32(bytes, eocd + 16).ok_or("truncated zip")? as usize;
    let mut entries = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        if le32(bytes, at) != Some(CENTRAL_SIGNATURE) {
            return Err("corrupt zip central directory".into());
        }
        let field = |off: usize| le16(bytes, at + off).map(usize::from).ok_or("truncated zip");
        let size = le32(bytes, at + 24).ok_or("truncated zip")?;
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let name = bytes.get(at + 46..at + 46 + name_len).ok_or("truncated zip")?;
        entries.push((String::from_utf8_lossy(name).into_owned(), u64::from(size)));
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The unpacked size of the `bootstrap` in a function's zip.
pub fn bootstrap_size(zip: &Path) -> Result<u64, String> {
    let bytes = std::fs::read(zip).map_err(|e| format!("cannot read {}: {e}", zip.display()))?;
    zip_entries(&bytes)
        .map_err(|e| format!("{}: {e}", zip.display()))?
        .into_iter()
        .find(|(name, _)| name == "bootstrap")
        .map(|(_, size)| size)
        .ok_or_else(|| format!("{} has no bootstrap entry", zip.display()))
}

/// The executable to run for `function`: `<dir>/<function>/bootstrap` when the binary is there,
/// else the `bootstrap` unpacked from `<dir>/<function>/bootstrap.zip` into `scratch`.
pub fn executable(dir: &Path, function: &str, scratch: &Path, python: &Path) -> Result<PathBuf, String> {
    let base = dir.join(function);
    let plain = base.join("bootstrap");
    if plain.is_file() {
        return Ok(plain);
    }
    let zip = base.join("bootstrap.zip");
    if !zip.is_file() {
        return Err(format!(
            "neither {} nor {} exists; build the functions first (make build ARCH=x86-64)",
            plain.display(),
            zip.display()
        ));
    }
    let out_dir = scratch.join(function);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let out = out_dir.join("bootstrap");
    let status = Command::new(python)
        .args([
            "-c",
            "import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('bootstrap'))",
        ])
        .arg(&zip)
        .arg(&out)
        .status()
        .map_err(|e| format!("cannot run {} to unpack {}: {e}", python.display(), zip.display()))?;
    if !status.success() {
        return Err(format!("cannot unpack the bootstrap of {} ({status})", zip.display()));
    }
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", out.display()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored (uncompressed) one-entry zip, as `zip -0` writes it.
    fn one_entry_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut z = Vec::new();
        let local = |z: &mut Vec<u8>| {
            z.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            z.extend_from_slice(&0u32.to_le_bytes()); // crc, not checked here
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(name.len() as u16).to_le_bytes());
            z.extend_from_slice(&0u16.to_le_bytes());
            z.extend_from_slice(name.as_bytes());
            z.extend_from_slice(data);
        };
        local(&mut z);
        let cd_offset = z.len() as u32;
        z.extend_from_slice(&CENTRAL_SIGNATURE.to_le_bytes());
        z.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(&(data.len() as u32).to_le_bytes());
        z.extend_from_slice(&(data.len() as u32).to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&[0; 12]);
        z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
        z.extend_from_slice(name.as_bytes());
        let cd_size = z.len() as u32 - cd_offset;
        z.extend_from_slice(&EOCD_SIGNATURE.to_le_bytes());
        z.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend_from_slice(&cd_size.to_le_bytes());
        z.extend_from_slice(&cd_offset.to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z
    }

    #[test]
    fn reads_names_and_sizes_from_the_central_directory() {
        let z = one_entry_zip("bootstrap", b"hello world");
        assert_eq!(zip_entries(&z).expect("entries"), vec![("bootstrap".to_string(), 11)]);
    }

    #[test]
    fn rejects_what_is_not_a_zip() {
        assert!(zip_entries(b"not a zip at all, just some bytes").is_err());
        let mut z = one_entry_zip("bootstrap", b"x");
        let n = z.len();
        z.truncate(n - 30);
        assert!(zip_entries(&z).is_err());
    }
}
