//! The search analyzer. Text is cut into runs of letters and digits (so apostrophes of either
//! style and dashes of any length separate words alike: `Trotsky's` and `Trotsky’s` are both
//! `trotsky s`, `1917-18` and `1917–18` both `1917 18`), lower-cased, and stripped of accents
//! (`Musée` is `musee`; Cyrillic and Greek are lower-cased and lose their accents too). The
//! `serge_stem` analyzer adds English stemming for bare words; phrases use `serge`, which keeps
//! word forms exact.
//!
//! tantivy stores only the analyzer's name in the schema, so [`register`] must run every time
//! an index is opened.

use std::collections::HashMap;
use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;
use unicode_normalization::char::decompose_canonical;

/// The analyzer for phrases and exact word forms.
pub const EXACT: &str = "serge_v1";
/// The analyzer for bare words: [`EXACT`] plus English stemming.
pub const STEMMED: &str = "serge_stem_v1";
/// Tokens longer than this (in bytes, after folding) are not indexed.
pub const MAX_TOKEN_BYTES: usize = 80;

/// Appends the folded form of `c` (lower case, no accents) to `out`.
#[inline]
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        'ø' | 'Ø' => out.push('o'),
        'ł' | 'Ł' => out.push('l'),
        'đ' | 'Đ' => out.push('d'),
        'ı' => out.push('i'),
        'þ' | 'Þ' => out.push_str("th"),
        _ => {
            for lower in c.to_lowercase() {
                decompose_canonical(lower, |d| {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                });
            }
        }
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Folds a whole string the way the analyzer folds a token.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Whether the character at byte `i` (a UTF-8 lead byte) is in U+2000–U+203F, General
/// Punctuation: typographic quotes, dashes, ellipsis, special spaces. None of them belongs to a
/// word, and they are the most frequent non-ASCII characters of the corpus, so they are
/// recognised from their bytes (E2 80 xx) without decoding.
#[inline]
fn general_punctuation(bytes: &[u8], i: usize) -> bool {
    bytes[i] == 0xE2 && bytes.get(i + 1) == Some(&0x80)
}

/// Whether `c` belongs to a word.
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The tokenizer behind both analyzers.
#[derive(Clone, Default)]
pub struct FoldingTokenizer {
    token: Token,
}

/// The token stream of [`FoldingTokenizer`].
pub struct FoldingTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    token: &'a mut Token,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingTokenStream<'a> {
        self.token.reset();
        FoldingTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for FoldingTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some((from, to, ascii)) = next_word(self.text, self.cursor) else {
                self.cursor = self.text.len();
                return false;
            };
            self.cursor = to;
            self.token.text.clear();
            if ascii {
                self.token.text.push_str(&self.text[from..to]);
                self.token.text.make_ascii_lowercase();
            } else {
                for c in self.text[from..to].chars() {
                    fold_char(c, &mut self.token.text);
                }
            }
            if self.token.text.len() > MAX_TOKEN_BYTES {
                continue;
            }
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.position = self.token.position.wrapping_add(1);
            self.token.position_length = 1;
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The next word of `text` at or after byte `cursor`: its byte range and whether it is all
/// ASCII. ASCII bytes and General Punctuation are tested from their bytes; other characters
/// are decoded only when met. The one definition of a word's boundaries, shared by the
/// analyzer's token stream and [`for_each_word`].
fn next_word(text: &str, cursor: usize) -> Option<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut from = cursor;
    loop {
        match bytes.get(from)? {
            b if b.is_ascii_alphanumeric() => break,
            b if b.is_ascii() => from += 1,
            _ if general_punctuation(bytes, from) => from += 3,
            _ => {
                let c = text[from..].chars().next().expect("a char at a boundary");
                if is_word_char(c) {
                    break;
                }
                from += c.len_utf8();
            }
        }
    }
    let mut to = from;
    let mut ascii = true;
    while let Some(&b) = bytes.get(to) {
        if b.is_ascii_alphanumeric() {
            to += 1;
        } else if b.is_ascii() || general_punctuation(bytes, to) {
            break;
        } else {
            let c = text[to..].chars().next().expect("a char at a boundary");
            if !is_word_char(c) {
                break;
            }
            ascii = false;
            to += c.len_utf8();
        }
    }
    Some((from, to, ascii))
}

/// Calls `f(from, to, raw, folded)` for each word of `text` exactly as the exact analyzer
/// cuts and folds it (same boundaries, same skipped over-long words), without building a
/// token: `folded` is `None` for an ASCII word, whose folded form is `raw` in lower case, and
/// the folded text otherwise (built in `scratch`). Used by the highlighter, which compares
/// words against a few targets and need not lower-case every word.
pub fn for_each_word(
    text: &str,
    scratch: &mut String,
    mut f: impl FnMut(usize, usize, &str, Option<&str>),
) {
    let mut cursor = 0;
    while let Some((from, to, ascii)) = next_word(text, cursor) {
        cursor = to;
        let raw = &text[from..to];
        if ascii {
            if raw.len() <= MAX_TOKEN_BYTES {
                f(from, to, raw, None);
            }
        } else {
            scratch.clear();
            for c in raw.chars() {
                fold_char(c, scratch);
            }
            if scratch.len() <= MAX_TOKEN_BYTES {
                f(from, to, raw, Some(scratch));
            }
        }
    }
}

/// Whether a word as [`for_each_word`] gives it folds to `target`.
#[inline]
pub fn word_is(raw: &str, folded: Option<&str>, target: &str) -> bool {
    match folded {
        None => raw.len() == target.len() && raw.eq_ignore_ascii_case(target),
        Some(f) => f == target,
    }
}

/// The exact analyzer.
pub fn exact() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default()).build()
}

/// The stemming analyzer.
pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(CachedStemmer)
        .build()
}

/// Distinct words whose stems a [`CachedStemmer`] keeps before starting afresh.
pub const STEM_CACHE_WORDS: usize = 100_000;

/// English stemming (tantivy's Snowball stemmer) with a cache of the stems already computed:
/// a corpus uses a small vocabulary over and over, and stemming each occurrence was a sixth of
/// the indexing time. Each clone of an analyzer (one per indexing thread) has its own cache.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemFilter<T> {
        CachedStemFilter {
            inner: tokenizer,
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            cache: WordMap::default(),
        }
    }
}

/// The stem cache: FNV-1a is fast on short words (its keys come from the corpus being
/// indexed, not from an adversary).
type WordMap = HashMap<String, String, std::hash::BuildHasherDefault<crate::hash::Fnv>>;

/// The tokenizer a [`CachedStemmer`] wraps around.
#[derive(Clone)]
pub struct CachedStemFilter<T> {
    inner: T,
    stemmer: TextAnalyzer,
    cache: WordMap,
}

impl<T: Tokenizer> Tokenizer for CachedStemFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemStream {
            inner: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            cache: &mut self.cache,
        }
    }
}

/// The token stream of a [`CachedStemFilter`].
pub struct CachedStemStream<'a, S> {
    inner: S,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut WordMap,
}

impl<S: TokenStream> TokenStream for CachedStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            stream.next().map(|t| t.text.clone())
        };
        if let Some(stem) = stem {
            if self.cache.len() >= STEM_CACHE_WORDS {
                self.cache.clear();
            }
            let word = std::mem::replace(&mut token.text, stem);
            self.cache.insert(word, token.text.clone());
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Registers both analyzers with an index; needed every time an index is opened.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(EXACT, exact());
    manager.register(STEMMED, stemmed());
}

/// Runs an analyzer over text and returns (term, byte range) for each token.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn folds_case_accents_quotes_and_dashes() {
        let mut a = exact();
        assert_eq!(terms(&mut a, "Musée Sociale"), ["musee", "sociale"]);
        assert_eq!(terms(&mut a, "Trotsky’s"), terms(&mut a, "Trotsky's"));
        assert_eq!(terms(&mut a, "1917–18"), terms(&mut a, "1917-18"));
        assert_eq!(
            terms(&mut a, "Johnny-come-latelys — ‘old muck’"),
            ["johnny", "come", "latelys", "old", "muck"]
        );
        assert_eq!(
            terms(&mut a, "Виктор Серж, Ελλάδα, Straße, Łódź"),
            ["виктор", "серж", "ελλαδα", "strasse", "lodz"]
        );
    }

    #[test]
    fn offsets_point_into_the_original() {
        let mut a = exact();
        let text = "the ‘old muck’ rises";
        let toks = tokens(&mut a, text);
        assert_eq!(&text[toks[1].1..toks[1].2], "old");
        assert_eq!(&text[toks[2].1..toks[2].2], "muck");
    }

    #[test]
    fn stemming_only_in_the_stemmed_analyzer() {
        assert_eq!(
            terms(&mut stemmed(), "revolutions anarchists"),
            ["revolut", "anarchist"]
        );
        assert_eq!(terms(&mut exact(), "revolutions"), ["revolutions"]);
    }

    #[test]
    fn cached_stems_equal_the_stemmer() {
        let plain = || {
            TextAnalyzer::builder(FoldingTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build()
        };
        let text = "Revolutions revolutionary anarchists anarchism running ran runs Musée running revolutions";
        let mut cached = stemmed();
        // Twice, so that the second pass is served from the cache.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut plain(), text));
        }
    }

    #[test]
    fn general_punctuation_is_never_part_of_a_word() {
        for c in '\u{2000}'..='\u{203F}' {
            assert!(!is_word_char(c), "{c:?}");
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            assert!(general_punctuation(s.as_bytes(), 0), "{c:?}");
        }
        assert!(!general_punctuation("\u{2040}".as_bytes(), 0));
        assert!(!general_punctuation("é".as_bytes(), 0));
    }

    #[test]
    fn for_each_word_cuts_and_folds_like_the_analyzer() {
        let long = "y".repeat(100);
        let text = format!(
            "The ‘old muck’, Musée Sociale; Trotsky’s 1917–18 {long} Виктор Серж, ÉCOLE straße x"
        );
        let mut expected = tokens(&mut exact(), &text).into_iter();
        let mut scratch = String::new();
        let mut n = 0;
        for_each_word(&text, &mut scratch, |from, to, raw, folded| {
            let (term, a, b) = expected.next().expect("as many words as tokens");
            assert_eq!((from, to), (a, b));
            assert!(word_is(raw, folded, &term), "{raw} vs {term}");
            n += 1;
        });
        assert!(expected.next().is_none());
        assert_eq!(n, 14, "the over-long word is skipped");
    }

    #[test]
    fn long_tokens_skipped() {
        let long = "x".repeat(200);
        assert_eq!(terms(&mut exact(), &format!("a {long} b")), ["a", "b"]);
    }
}
