//! WhatsApp content rules and the opt-out / opt-in keywords.
//!
//! Limits are the platform's (text ≤ 4096 characters; media types and sizes per kind), checked
//! before anything is stored or sent. Keywords match the *whole* message, case- and
//! whitespace-insensitively, so "please don't stop" never unsubscribes anyone.

use serde::{Deserialize, Serialize};

pub const MAX_TEXT_CHARS: usize = 4096;

/// The media kinds WhatsApp accepts, with their MIME types and size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

const MB: u64 = 1024 * 1024;

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Image => 5 * MB,
            MediaKind::Video | MediaKind::Audio => 16 * MB,
            MediaKind::Document => 100 * MB,
            // Animated stickers may be 500 KB; static ones 100 KB. Outbound accepts the larger.
            MediaKind::Sticker => 500 * 1024,
        }
    }

    pub fn accepts(self, mime: &str) -> bool {
        let m = mime.trim().to_ascii_lowercase();
        let allowed: &[&str] = match self {
            MediaKind::Image => &["image/jpeg", "image/png"],
            MediaKind::Video => &["video/mp4", "video/3gpp"],
            MediaKind::Audio => &["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"],
            MediaKind::Document => &[
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ],
            MediaKind::Sticker => &["image/webp"],
        };
        let base = m.split(';').next().unwrap_or("").trim();
        allowed.contains(&base)
    }

    /// The kind a MIME type belongs to, if WhatsApp takes it at all.
    pub fn for_mime(mime: &str) -> Option<MediaKind> {
        [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Audio,
            MediaKind::Document,
            MediaKind::Sticker,
        ]
        .into_iter()
        .find(|k| k.accepts(mime))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("type {0} is not accepted by WhatsApp")]
    UnsupportedType(String),
    #[error("is {size} bytes; WhatsApp accepts at most {max} bytes for {kind}")]
    TooLarge { size: u64, max: u64, kind: &'static str },
    #[error("is empty")]
    Empty,
}

/// Checks a media file for sending; returns its kind.
pub fn check_media(mime: &str, size: u64) -> Result<MediaKind, MediaError> {
    let kind = MediaKind::for_mime(mime).ok_or_else(|| MediaError::UnsupportedType(mime.to_string()))?;
    if size == 0 {
        return Err(MediaError::Empty);
    }
    if size > kind.max_bytes() {
        return Err(MediaError::TooLarge {
            size,
            max: kind.max_bytes(),
            kind: kind.as_str(),
        });
    }
    Ok(kind)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long ({0} characters, at most 4096)")]
    TooLong(usize),
}

/// A free-form WhatsApp text body: 1–4096 characters of any Unicode.
pub fn check_text(text: &str) -> Result<(), TextError> {
    let n = text.chars().count();
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if n > MAX_TEXT_CHARS {
        return Err(TextError::TooLong(n));
    }
    Ok(())
}

/// What an inbound text asks for, consent-wise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
}

/// Opt-out words: the English industry set plus Hindi (Devanagari) and Hinglish equivalents:
/// "band karo" / "band" (stop), "बंद करो" / "बंद", "ruko" / "रुको" (stop), "nahi chahiye" /
/// "नहीं चाहिए" (don't want it).
pub const OPT_OUT_KEYWORDS: &[&str] = &[
    "stop",
    "stop all",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "band",
    "band karo",
    "बंद",
    "बंद करो",
    "ruko",
    "रुको",
    "nahi chahiye",
    "नहीं चाहिए",
];

/// Opt-in words: "start", "unstop", "subscribe", and Hinglish/Hindi "shuru" / "शुरू" (start).
pub const OPT_IN_KEYWORDS: &[&str] = &["start", "unstop", "subscribe", "shuru", "शुरू", "shuru karo", "शुरू करो"];

/// Whole-message, case- and whitespace-insensitive keyword match (trailing `.`/`!` ignored).
pub fn keyword(text: &str) -> Option<Keyword> {
    let normalized: String = text
        .trim()
        .trim_end_matches(['.', '!', '।'])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if OPT_OUT_KEYWORDS.contains(&normalized.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN_KEYWORDS.contains(&normalized.as_str()) {
        Some(Keyword::OptIn)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keywords_match_the_whole_message_only() {
        assert_eq!(keyword("STOP"), Some(Keyword::OptOut));
        assert_eq!(keyword("  Stop   All "), Some(Keyword::OptOut));
        assert_eq!(keyword("unsubscribe."), Some(Keyword::OptOut));
        assert_eq!(keyword("बंद करो"), Some(Keyword::OptOut));
        assert_eq!(keyword("Band Karo!"), Some(Keyword::OptOut));
        assert_eq!(keyword("start"), Some(Keyword::OptIn));
        assert_eq!(keyword("please don't stop"), None);
        assert_eq!(keyword("stop sending me offers"), None);
        assert_eq!(keyword("starting soon"), None);
    }

    #[test]
    fn media_types_and_sizes_follow_whatsapp_limits() {
        assert_eq!(check_media("image/jpeg", 1000), Ok(MediaKind::Image));
        assert_eq!(check_media("application/pdf", 50 * MB), Ok(MediaKind::Document));
        assert!(matches!(
            check_media("image/png", 6 * MB),
            Err(MediaError::TooLarge { .. })
        ));
        assert!(matches!(
            check_media("image/gif", 10),
            Err(MediaError::UnsupportedType(_))
        ));
        assert_eq!(check_media("video/mp4", 0), Err(MediaError::Empty));
    }

    #[test]
    fn text_is_one_to_4096_characters_of_any_unicode() {
        assert!(check_text(&"न".repeat(4096)).is_ok());
        assert_eq!(check_text(&"न".repeat(4097)), Err(TextError::TooLong(4097)));
        assert_eq!(check_text("   "), Err(TextError::Empty));
    }

    proptest! {
        #[test]
        fn a_keyword_inside_a_longer_sentence_never_matches(prefix in "[a-z]{1,8}", kw in prop::sample::select(OPT_OUT_KEYWORDS.to_vec())) {
            // No keyword is another keyword with a Latin word in front of it, so this is never one.
            prop_assert_eq!(keyword(&format!("{prefix} {kw}")), None);
        }

        #[test]
        fn keywords_ignore_case_and_surrounding_whitespace(kw in prop::sample::select(OPT_OUT_KEYWORDS.to_vec()), pad in " {0,3}") {
            let shouted = format!("{pad}{}{pad}", kw.to_uppercase());
            prop_assert_eq!(keyword(&shouted), Some(Keyword::OptOut));
        }
    }
}
