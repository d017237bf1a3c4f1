//! The data-driven part of cleaning: boilerplate lines, front-matter blocks and named HTML
//! entities. Each table is matched by code in `markup.rs` and `segment.rs`; add an entry here,
//! with a test below, when a new kind of debris turns up in the corpus.

/// Lines that are web boilerplate when they make up the whole line (compared lower-cased,
/// with surrounding punctuation and spaces trimmed).
pub const BOILERPLATE_LINES: &[&str] = &[
    "back to text",
    "back to top",
    "leave a comment",
    "leave a reply",
    "subscribe",
    "subscribe now",
    "comments",
    "share",
    "share this",
    "like this",
    "tweet",
    "print",
    "print this page",
    "email this",
    "reply",
    "read more",
    "click to share",
    "loading",
];

/// Lines that are web boilerplate when they start with one of these (lower-cased).
pub const BOILERPLATE_PREFIXES: &[&str] = &[
    "required fields are marked",
    "your email address will not be published",
    "comments are intended to be",
    "comments may be denied publication",
    "anonymous comments are not permitted",
    "atc welcomes online comments",
    "we welcome comments",
    "comment policy",
    "sign up for our newsletter",
    "subscribe to our newsletter",
    "share this:",
    "like this:",
    "click to share on",
    "this entry was posted in",
    "you must be logged in to post a comment",
];

/// Blocks of cataloguing data in a book's front matter: a short block (under
/// [`CATALOGUE_MAX_CHARS`]) containing any of these (case-sensitive) is not prose.
pub const CATALOGUE_MARKERS: &[&str] = &[
    "ISBN",
    "ISSN",
    "Cataloguing in Publication",
    "Cataloging in Publication",
    "Cataloging-in-Publication",
    "All rights reserved",
    "copyright ©",
    "Copyright ©",
];

/// Short blocks starting with one of these are imprint or cataloguing lines.
pub const CATALOGUE_PREFIXES: &[&str] = &[
    "First published",
    "Printed in",
    "Printed and bound",
    "Typeset ",
    "Designed and produced",
    "British Library",
    "Library of Congress",
];

/// Blocks longer than this are prose, whatever words they contain.
pub const CATALOGUE_MAX_CHARS: usize = 400;

/// A block that opens a cataloguing-in-publication record; everything up to a block
/// equal to [`CATALOGUE_END`] belongs to it.
pub const CATALOGUE_START: &[&str] = &[
    "Library of Congress Cataloging in Publication Data",
    "Library of Congress Cataloging-in-Publication Data",
];

/// The block that closes a CIP record.
pub const CATALOGUE_END: &str = "CIP";

/// The longest a CIP record may run, in blocks, when its end is not found.
pub const CATALOGUE_MAX_BLOCKS: usize = 25;

/// Named HTML entities and the text they stand for.
pub const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", " "),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("euro", "€"),
    ("pound", "£"),
    ("deg", "°"),
    ("middot", "·"),
    ("bull", "•"),
    ("shy", ""),
    ("eacute", "é"),
    ("egrave", "è"),
    ("ecirc", "ê"),
    ("euml", "ë"),
    ("aacute", "á"),
    ("agrave", "à"),
    ("acirc", "â"),
    ("auml", "ä"),
    ("ccedil", "ç"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iuml", "ï"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("ouml", "ö"),
    ("uacute", "ú"),
    ("ucirc", "û"),
    ("uuml", "ü"),
    ("ntilde", "ñ"),
    ("szlig", "ß"),
    ("Eacute", "É"),
    ("Agrave", "À"),
    ("Ccedil", "Ç"),
];

/// Whether a block (its lines joined) is cataloguing data rather than prose.
pub fn is_catalogue(block: &str) -> bool {
    block.len() < CATALOGUE_MAX_CHARS
        && (CATALOGUE_MARKERS.iter().any(|m| block.contains(m))
            || CATALOGUE_PREFIXES.iter().any(|p| block.starts_with(p)))
}

/// Boilerplate lines are short; longer lines are prose and are not examined.
pub const BOILERPLATE_MAX_BYTES: usize = 400;

/// The length in bytes of the longest string of a table; a `const fn`, so that callers
/// evaluate it once, at compile time (`const { longest(TABLE) }`).
pub const fn longest(table: &[&str]) -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < table.len() {
        if table[i].len() > longest {
            longest = table[i].len();
        }
        i += 1;
    }
    longest
}

/// Whether a whole line is web boilerplate.
pub fn is_boilerplate(line: &str) -> bool {
    let line = line.trim();
    if line.len() > BOILERPLATE_MAX_BYTES {
        return false;
    }
    let trimmed = line.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() {
        return false;
    }
    // Lower-case only as much as a comparison needs: the whole trimmed line when it is short
    // enough to be one of the lines (lower-casing shrinks a character at most threefold, as
    // the Kelvin sign K becomes k), and for the prefixes the first characters of the line.
    if trimmed.len() <= 3 * const { longest(BOILERPLATE_LINES) }
        && BOILERPLATE_LINES.contains(&trimmed.to_lowercase().as_str())
    {
        return true;
    }
    let start: String = line
        .chars()
        .take(const { longest(BOILERPLATE_PREFIXES) })
        .flat_map(char::to_lowercase)
        .collect();
    BOILERPLATE_PREFIXES.iter().any(|p| start.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_boilerplate_line_matches_itself() {
        for line in BOILERPLATE_LINES {
            assert!(is_boilerplate(line), "{line}");
            assert!(
                is_boilerplate(&format!("  [{}](#) ", line.to_uppercase())),
                "{line}"
            );
        }
        for prefix in BOILERPLATE_PREFIXES {
            assert!(
                is_boilerplate(&format!("{prefix} and more words")),
                "{prefix}"
            );
        }
    }

    #[test]
    fn prose_is_not_boilerplate() {
        for line in [
            "Serge refused to print lies about the Opposition.",
            "Comments on the draft were sent to Trotsky.",
            "He went back to text after text of Lenin.",
            "",
        ] {
            assert!(!is_boilerplate(line), "{line}");
        }
    }

    #[test]
    fn catalogue_blocks() {
        for block in [
            "ISBN 0-7453-0515-6",
            "First published 1994 by Pluto Press 345 Archway Road",
            "Selection and annotations copyright © D.J. Cotterill",
            "British Library Cataloguing in Publication Data A catalogue record",
            "Printed in the EC by TJ Press, Padstow",
        ] {
            assert!(is_catalogue(block), "{block}");
        }
        assert!(!is_catalogue(
            "The letters were first published in La Vie ouvrière."
        ));
        assert!(!is_catalogue(
            &"Serge wrote of the ISBN-less pamphlets. ".repeat(20)
        ));
    }

    #[test]
    fn entity_names_are_unique() {
        let mut names: Vec<_> = ENTITIES.iter().map(|e| e.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENTITIES.len());
    }
}
