//! Printers: hits as text for a terminal (wrapped, coloured when asked) or as JSON Lines.

pub mod json;
pub mod text;
pub mod views;

/// How output is styled.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap text at this many columns (`None`: do not wrap).
    pub width: Option<usize>,
}
