//! JSON Lines output: one object per hit, as the command-line contract describes.

use crate::query::Hit;
use std::io::Write;

/// Writes one hit as a line of JSON.
pub fn write_hit(out: &mut impl Write, hit: &Hit) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, hit).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
