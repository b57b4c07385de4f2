//! Reads how many rows each table of a SQLite database file holds, from the file format
//! itself (<https://www.sqlite.org/fileformat.html>): the schema table's b-tree on page 1
//! names every table and its root page; a table's rows are the cells of its b-tree's leaf
//! pages. Nothing is executed and no library is linked; a file that does not follow the
//! format, or pages that point outside it or back at themselves, give `None` or stop the
//! count: the reader never panics and visits each page at most once.

use std::collections::HashSet;
use std::path::Path;

/// Files above this size are not read (their row count is not needed to judge them).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One table of the database and the rows its b-tree holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRows {
    pub name: String,
    pub rows: u64,
}

/// The tables of the SQLite file at `path` with their row counts; `None` when the file is
/// larger than [`MAX_BYTES`], unreadable, or not a SQLite database.
pub fn table_rows(path: &Path) -> Option<Vec<TableRows>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    tables_in(&bytes)
}

/// [`table_rows`] over the bytes of a database file.
pub fn tables_in(bytes: &[u8]) -> Option<Vec<TableRows>> {
    let db = Db::new(bytes)?;
    let mut schema = Vec::new();
    db.walk_table(1, &mut |cell| {
        if let Some(entry) = db.schema_entry(cell) {
            schema.push(entry);
        }
    });
    let mut out = Vec::new();
    for (name, root) in schema {
        let mut rows = 0u64;
        db.walk_table(root, &mut |_| rows += 1);
        out.push(TableRows { name, rows });
    }
    Some(out)
}

struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    usable: usize,
}

/// A leaf cell of a table b-tree: its payload's total size and the part on the page.
struct Cell<'a> {
    payload_len: u64,
    local: &'a [u8],
}

impl<'a> Db<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        if bytes.len() < 100 || &bytes[..16] != b"SQLite format 3\0" {
            return None;
        }
        let raw = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
        let page_size = if raw == 1 { 65536 } else { raw };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return None;
        }
        let usable = page_size.checked_sub(bytes[20] as usize)?;
        if usable < 480 {
            return None;
        }
        Some(Self {
            bytes,
            page_size,
            usable,
        })
    }

    fn page(&self, number: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(number.checked_sub(1)?)
            .ok()?
            .checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }

    /// Calls `leaf` for every cell of the table b-tree rooted at `root`.
    fn walk_table(&self, root: u64, leaf: &mut dyn FnMut(Cell<'a>)) {
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(number) = stack.pop() {
            if !seen.insert(number) {
                continue;
            }
            let Some(page) = self.page(number) else {
                continue;
            };
            // Page 1 starts with the 100-byte file header.
            let header = if number == 1 { 100 } else { 0 };
            let Some(&kind) = page.get(header) else {
                continue;
            };
            let cells = be16(page, header + 3).unwrap_or(0);
            match kind {
                // Interior table page: a left child per cell, and the right-most pointer.
                0x05 => {
                    if let Some(right) = be32(page, header + 8) {
                        stack.push(u64::from(right));
                    }
                    for k in 0..cells {
                        let Some(at) = be16(page, header + 12 + 2 * k) else {
                            break;
                        };
                        if let Some(child) = be32(page, at) {
                            stack.push(u64::from(child));
                        }
                    }
                }
                // Leaf table page: one row per cell.
                0x0D => {
                    for k in 0..cells {
                        let Some(at) = be16(page, header + 8 + 2 * k) else {
                            break;
                        };
                        let Some((payload_len, n1)) = varint(page, at) else {
                            continue;
                        };
                        let Some((_rowid, n2)) = varint(page, at + n1) else {
                            continue;
                        };
                        let start = at + n1 + n2;
                        let on_page = self.local_size(payload_len);
                        let end = start.saturating_add(on_page).min(page.len());
                        let local = page.get(start..end).unwrap_or(&[]);
                        leaf(Cell { payload_len, local });
                    }
                }
                _ => {}
            }
        }
    }

    /// How much of a table leaf cell's payload sits on its page (the rest overflows).
    fn local_size(&self, payload_len: u64) -> usize {
        let u = self.usable as u64;
        let max_local = u - 35;
        if payload_len <= max_local {
            return payload_len as usize;
        }
        let min_local = ((u - 12) * 32 / 255) - 23;
        let k = min_local + (payload_len - min_local) % (u - 4);
        (if k <= max_local { k } else { min_local }) as usize
    }

    /// `(name, root page)` of a schema row that describes a table.
    fn schema_entry(&self, cell: Cell<'a>) -> Option<(String, u64)> {
        let _ = cell.payload_len;
        let columns = record(cell.local, 4)?;
        let kind = columns.first()?.as_text()?;
        if kind != "table" {
            return None;
        }
        let name = columns.get(1)?.as_text()?.to_string();
        let root = columns.get(3)?.as_int()?;
        (root > 0).then_some((name, root as u64))
    }
}

enum Value<'a> {
    Int(i64),
    Text(&'a str),
    Other,
}

impl<'a> Value<'a> {
    fn as_text(&self) -> Option<&'a str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
    fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

/// The first `want` columns of a record.
fn record(payload: &[u8], want: usize) -> Option<Vec<Value<'_>>> {
    let (header_len, mut at) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut body = header_len;
    let mut out = Vec::new();
    while at < header_len && out.len() < want {
        let (serial, n) = varint(payload, at)?;
        at += n;
        let size = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            n if n >= 12 => usize::try_from((n - 12) / 2).ok()?,
            _ => return None,
        };
        let bytes = payload.get(body..body.checked_add(size)?)?;
        out.push(match serial {
            1..=6 => {
                let mut v: i64 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
                for b in bytes {
                    v = (v << 8) | i64::from(*b);
                }
                Value::Int(v)
            }
            8 => Value::Int(0),
            9 => Value::Int(1),
            n if n >= 13 && n % 2 == 1 => Value::Text(std::str::from_utf8(bytes).ok()?),
            _ => Value::Other,
        });
        body += size;
    }
    Some(out)
}

fn be16(page: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*page.get(at)?, *page.get(at + 1)?]) as usize)
}

fn be32(page: &[u8], at: usize) -> Option<u32> {
    let b = page.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// A SQLite varint at `at`: its value and length (1 to 9 bytes).
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let b = *bytes.get(at + i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_sqlite_or_truncated_is_none() {
        assert!(tables_in(b"hello").is_none());
        let mut header = b"SQLite format 3\0".to_vec();
        header.resize(100, 0);
        assert!(tables_in(&header).is_none());
    }

    #[test]
    fn counts_rows_of_every_table() {
        // Written by Python's sqlite3 for the rule's fixture: 300 users over several
        // leaf pages (an interior root), 40 orders, one bookkeeping row.
        let db = include_bytes!(
            "../../flightcheck_rules/src/rules/data/database_committed/fixtures/flagged_bot_database_and_empty_schema/data/bot.db"
        );
        let tables = tables_in(db).unwrap_or_default();
        let rows = |name: &str| tables.iter().find(|t| t.name == name).map(|t| t.rows);
        assert_eq!(rows("users"), Some(300));
        assert_eq!(rows("orders"), Some(40));
        assert_eq!(rows("alembic_version"), Some(1));
        assert_eq!(rows("sqlite_sequence"), Some(2));
        // Truncated: pages past the end are skipped, never read out of bounds.
        let cut = tables_in(&db[..4096]).unwrap_or_default();
        assert!(cut.iter().all(|t| t.rows <= 300));
    }

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0x81], 0), None);
    }
}
