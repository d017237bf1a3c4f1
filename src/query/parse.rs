//! The query language, parsed without touching the index: words (all must match unless `OR`
//! is written), `"phrases"`, `"phrase"~N`, `AND` / `OR` / `NOT` / `+` / `-`, parentheses,
//! `title:` `author:` `year:` `doc:` fields, and year ranges (`year:[1930 TO 1940]`,
//! `year:1930..1940`).

use crate::error::{Error, Result};
use crate::index::schema::QUERY_FIELDS;

/// A field a query may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QField {
    Title,
    Author,
    Year,
    Doc,
}

/// A leaf of the query: what one word, phrase or field clause asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// A bare word on the passage text (stemmed).
    Word(String),
    /// A quoted phrase on the passage text (exact word forms), with its slop.
    Phrase(String, u32),
    /// A word or phrase on a field; `phrase` when it was quoted.
    Field {
        field: QField,
        text: String,
        phrase: bool,
    },
    /// `year:` with an inclusive range.
    Years(i64, i64),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Leaf(Leaf),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Plus,
    Minus,
    Word(String),
    Phrase(String, u32),
    /// `field:` followed by its value token.
    Field(String),
    Range(String),
}

fn unknown_field(name: &str) -> Error {
    Error::Query(format!(
        "unknown field '{name}' in query; fields are {}",
        QUERY_FIELDS.join(", ")
    ))
}

fn lex(input: &str) -> Result<Vec<Tok>> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let at_start = |toks: &Vec<Tok>, prev: Option<char>| {
        prev.is_none_or(|c| c.is_whitespace() || c == '(')
            || matches!(toks.last(), Some(Tok::Field(_)))
    };
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|j| chars[j]);
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            '+' | '-'
                if at_start(&toks, prev)
                    && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) =>
            {
                toks.push(if c == '+' { Tok::Plus } else { Tok::Minus });
                i += 1;
            }
            '"' | '“' | '”' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&q| q == '"' || q == '”' || q == '“');
                let Some(close) = close else {
                    return Err(Error::Query(
                        "unbalanced quote in query: a phrase is opened with \" but never closed"
                            .into(),
                    ));
                };
                let text: String = chars[i + 1..i + 1 + close].iter().collect();
                i += close + 2;
                let mut slop = 0;
                if chars.get(i) == Some(&'~') {
                    let digits: String = chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    slop = digits.parse().map_err(|_| {
                        Error::Query(
                            "'~' after a phrase needs a number of words, as in \"kingdom will\"~3"
                                .into(),
                        )
                    })?;
                    i += 1 + digits.len();
                }
                toks.push(Tok::Phrase(text, slop));
            }
            '[' if matches!(toks.last(), Some(Tok::Field(_))) => {
                let close = chars[i..].iter().position(|&q| q == ']').ok_or_else(|| {
                    Error::Query("unbalanced '[' in year range; write year:[1930 TO 1940]".into())
                })?;
                toks.push(Tok::Range(chars[i + 1..i + close].iter().collect()));
                i += close + 1;
            }
            _ => {
                let name_len = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                if name_len > 0 && chars.get(i + name_len) == Some(&':') {
                    toks.push(Tok::Field(chars[i..i + name_len].iter().collect()));
                    i += name_len + 1;
                    continue;
                }
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"' | '“' | '”')
                {
                    i += 1;
                }
                toks.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// How many parentheses are open.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn or(&mut self) -> Result<Expr> {
        let mut alts = vec![self.and()?];
        while self.is_word("OR") {
            self.pos += 1;
            alts.push(self.and()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().expect("one")
        } else {
            Expr::Or(alts)
        })
    }

    fn and(&mut self) -> Result<Expr> {
        let mut items = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Close) => break,
                Some(Tok::Word(w)) if w == "OR" => break,
                Some(Tok::Word(w)) if w == "AND" => self.pos += 1,
                _ => items.push(self.unary()?),
            }
        }
        match items.len() {
            0 if self.depth > 0 && self.peek().is_none() => Err(Error::Query(
                "unbalanced parenthesis in query: a '(' is never closed".into(),
            )),
            0 => Err(Error::Query(
                "empty query or clause: write a word or a \"phrase\"".into(),
            )),
            1 => Ok(items.pop().expect("one")),
            _ => Ok(Expr::And(items)),
        }
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.is_word("NOT") || matches!(self.peek(), Some(Tok::Minus)) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if matches!(self.peek(), Some(Tok::Plus)) {
            self.pos += 1;
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        match self.next() {
            Some(Tok::Open) => {
                self.depth += 1;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Tok::Close) => Ok(inner),
                    _ => Err(Error::Query(
                        "unbalanced parenthesis in query: a '(' is never closed".into(),
                    )),
                }
            }
            Some(Tok::Close) => Err(Error::Query(
                "unbalanced parenthesis in query: a ')' has no '('".into(),
            )),
            Some(Tok::Word(w)) => Ok(Expr::Leaf(Leaf::Word(w))),
            Some(Tok::Phrase(p, slop)) => Ok(Expr::Leaf(Leaf::Phrase(p, slop))),
            Some(Tok::Field(name)) => self.field(&name),
            Some(Tok::Plus | Tok::Minus) => self.primary(),
            Some(Tok::Range(_)) | None => Err(Error::Query(
                "query ends where a word or phrase was expected".into(),
            )),
        }
    }

    fn field(&mut self, name: &str) -> Result<Expr> {
        let field = match name.to_ascii_lowercase().as_str() {
            "title" => QField::Title,
            "author" => QField::Author,
            "year" => QField::Year,
            "doc" => QField::Doc,
            _ => return Err(unknown_field(name)),
        };
        let value = self.next();
        let leaf = match (field, value) {
            (QField::Year, Some(Tok::Range(r))) => {
                let parts: Vec<&str> = r.split_whitespace().collect();
                match parts.as_slice() {
                    [a, to, b] if to.eq_ignore_ascii_case("TO") => years(a, b)?,
                    _ => return Err(bad_range(&format!("[{r}]"))),
                }
            }
            (QField::Year, Some(Tok::Word(w))) => year_value(&w)?,
            (_, Some(Tok::Word(w))) => Leaf::Field {
                field,
                text: w,
                phrase: false,
            },
            (_, Some(Tok::Phrase(p, _))) if field != QField::Year => Leaf::Field {
                field,
                text: p,
                phrase: true,
            },
            _ => {
                return Err(Error::Query(format!(
                    "'{name}:' needs a value, as in {name}:{}",
                    example(field)
                )))
            }
        };
        Ok(Expr::Leaf(leaf))
    }
}

fn example(field: QField) -> &'static str {
    match field {
        QField::Title => "memoirs",
        QField::Author => "weissman",
        QField::Year => "1938",
        QField::Doc => "003_e21166df0cc561a9",
    }
}

fn bad_range(text: &str) -> Error {
    Error::Query(format!(
        "bad year range '{text}'; write year:1938, year:1930..1940 or year:[1930 TO 1940]"
    ))
}

fn parse_year(text: &str, whole: &str) -> Result<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (-9999..=9999).contains(y))
        .ok_or_else(|| bad_range(whole))
}

fn years(a: &str, b: &str) -> Result<Leaf> {
    let whole = format!("{a}..{b}");
    let (lo, hi) = (parse_year(a, &whole)?, parse_year(b, &whole)?);
    if lo > hi {
        return Err(bad_range(&whole));
    }
    Ok(Leaf::Years(lo, hi))
}

/// Parses `1938` or `1930..1940` (as in `--year` and `year:`).
pub fn year_value(text: &str) -> Result<Leaf> {
    match text.split_once("..") {
        Some((a, b)) => years(a, b),
        None => {
            let y = parse_year(text, text)?;
            Ok(Leaf::Years(y, y))
        }
    }
}

/// Parses a query string.
pub fn parse(input: &str) -> Result<Expr> {
    let toks = lex(input)?;
    if toks.is_empty() {
        return Err(Error::Query(
            "empty query: write a word or a \"phrase\"".into(),
        ));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let expr = p.or()?;
    if p.pos < p.toks.len() {
        return Err(Error::Query(
            "unbalanced parenthesis in query: a ')' has no '('".into(),
        ));
    }
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Expr {
        Expr::Leaf(Leaf::Word(w.into()))
    }

    #[test]
    fn words_phrases_and_slop() {
        assert_eq!(parse("Kronstadt").unwrap(), word("Kronstadt"));
        assert_eq!(
            parse("old muck").unwrap(),
            Expr::And(vec![word("old"), word("muck")])
        );
        assert_eq!(
            parse("\"kingdom will\"~3").unwrap(),
            Expr::Leaf(Leaf::Phrase("kingdom will".into(), 3))
        );
        assert_eq!(
            parse("“old muck”").unwrap(),
            Expr::Leaf(Leaf::Phrase("old muck".into(), 0))
        );
    }

    #[test]
    fn boolean_operators() {
        assert_eq!(
            parse("a OR b c").unwrap(),
            Expr::Or(vec![word("a"), Expr::And(vec![word("b"), word("c")])])
        );
        assert_eq!(
            parse("a AND NOT b").unwrap(),
            Expr::And(vec![word("a"), Expr::Not(Box::new(word("b")))])
        );
        assert_eq!(
            parse("+a -b").unwrap(),
            Expr::And(vec![word("a"), Expr::Not(Box::new(word("b")))])
        );
        assert_eq!(
            parse("(a OR b) c").unwrap(),
            Expr::And(vec![Expr::Or(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(parse("1917-18").unwrap(), word("1917-18"));
    }

    #[test]
    fn fields_and_ranges() {
        assert_eq!(
            parse("author:Weissman").unwrap(),
            Expr::Leaf(Leaf::Field {
                field: QField::Author,
                text: "Weissman".into(),
                phrase: false
            })
        );
        assert_eq!(
            parse("title:\"world and ours\"").unwrap(),
            Expr::Leaf(Leaf::Field {
                field: QField::Title,
                text: "world and ours".into(),
                phrase: true
            })
        );
        assert_eq!(
            parse("year:[1930 TO 1940]").unwrap(),
            Expr::Leaf(Leaf::Years(1930, 1940))
        );
        assert_eq!(
            parse("year:1930..1940").unwrap(),
            Expr::Leaf(Leaf::Years(1930, 1940))
        );
        assert_eq!(
            parse("year:1938").unwrap(),
            Expr::Leaf(Leaf::Years(1938, 1938))
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let msg = |q: &str| parse(q).unwrap_err().to_string();
        assert_eq!(
            msg("titel:x"),
            "unknown field 'titel' in query; fields are title, author, year, doc"
        );
        assert!(msg("\"old muck").contains("unbalanced quote"));
        assert!(msg("(a b").contains("unbalanced parenthesis"));
        assert!(msg("a b)").contains("unbalanced parenthesis"));
        assert!(msg("year:[1940 TO 1930]").contains("bad year range"));
        assert!(msg("year:abc").contains("bad year range"));
        assert!(msg("year:[1930 1940]").contains("bad year range"));
        assert!(msg("").contains("empty query"));
        assert!(msg("author:").contains("needs a value"));
        assert!(msg("\"a\"~x").contains("needs a number"));
        assert!(msg("a OR").contains("empty"));
    }
}
