//! SMS segmentation: how many parts a text costs, exactly as carriers count it.
//!
//! A message is GSM-7 if every character is in the GSM 03.38 basic set or its extension table
//! (extension characters `^ { } \ [ ] ~ | €` and form feed take two septets); otherwise the whole
//! message is UCS-2 and counts UTF-16 code units (an emoji is two). A single part holds 160
//! septets or 70 units; a multipart message holds 153 or 67 per part because of the UDH, and an
//! escape pair or a surrogate pair is never split across parts. Rate limiting charges one token
//! per part, and the console shows the count live, so it must be exact.

use serde::Serialize;

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "^{}\\[]~|€\u{000C}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SmsEncoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl SmsEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "GSM-7",
            SmsEncoding::Ucs2 => "UCS-2",
        }
    }
}

/// The cost of one SMS body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsSegments {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

impl SmsSegments {
    pub fn of(text: &str) -> SmsSegments {
        let gsm: Option<Vec<usize>> = text
            .chars()
            .map(|c| {
                if GSM_BASIC.contains(c) {
                    Some(1)
                } else if GSM_EXTENSION.contains(c) {
                    Some(2)
                } else {
                    None
                }
            })
            .collect();
        match gsm {
            Some(costs) => Self::count(SmsEncoding::Gsm7, &costs, 160, 153),
            None => {
                let costs: Vec<usize> = text.chars().map(char::len_utf16).collect();
                Self::count(SmsEncoding::Ucs2, &costs, 70, 67)
            }
        }
    }

    /// Fills parts greedily without splitting a character's units across two parts.
    fn count(encoding: SmsEncoding, costs: &[usize], single: usize, per_part: usize) -> SmsSegments {
        let units: usize = costs.iter().sum();
        if units == 0 {
            return SmsSegments {
                encoding,
                units,
                segments: 0,
            };
        }
        if units <= single {
            return SmsSegments {
                encoding,
                units,
                segments: 1,
            };
        }
        let (mut segments, mut used) = (1, 0);
        for &c in costs {
            if used + c > per_part {
                segments += 1;
                used = 0;
            }
            used += c;
        }
        SmsSegments {
            encoding,
            units,
            segments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seg(s: &str) -> (SmsEncoding, usize, usize) {
        let r = SmsSegments::of(s);
        (r.encoding, r.units, r.segments)
    }

    #[test]
    fn gsm_messages_fit_160_in_one_part_and_153_per_part_after() {
        assert_eq!(seg(&"a".repeat(160)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(seg(&"a".repeat(161)), (SmsEncoding::Gsm7, 161, 2));
        assert_eq!(seg(&"a".repeat(306)), (SmsEncoding::Gsm7, 306, 2));
        assert_eq!(seg(&"a".repeat(307)), (SmsEncoding::Gsm7, 307, 3));
    }

    #[test]
    fn ucs2_messages_fit_70_in_one_part_and_67_per_part_after() {
        assert_eq!(seg(&"अ".repeat(70)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(seg(&"अ".repeat(71)), (SmsEncoding::Ucs2, 71, 2));
        assert_eq!(seg(&"अ".repeat(134)), (SmsEncoding::Ucs2, 134, 2));
        assert_eq!(seg(&"अ".repeat(135)), (SmsEncoding::Ucs2, 135, 3));
    }

    #[test]
    fn an_emoji_makes_the_message_ucs2_and_costs_two_units() {
        assert_eq!(seg("hi 👋"), (SmsEncoding::Ucs2, 5, 1));
        assert_eq!(seg(&"👋".repeat(35)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(seg(&"👋".repeat(36)), (SmsEncoding::Ucs2, 72, 2));
    }

    #[test]
    fn extension_characters_cost_two_septets_and_keep_gsm() {
        assert_eq!(seg("€"), (SmsEncoding::Gsm7, 2, 1));
        assert_eq!(seg(&"€".repeat(80)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(seg(&format!("{}€", "a".repeat(159))), (SmsEncoding::Gsm7, 161, 2));
        // 152 septets then an escape pair: the pair moves whole to the second part.
        assert_eq!(seg(&format!("{}{{{}", "a".repeat(152), "a".repeat(152))).2, 3);
    }

    #[test]
    fn accented_latin_outside_the_gsm_table_forces_ucs2() {
        assert_eq!(seg("café").0, SmsEncoding::Gsm7);
        assert_eq!(seg("çava").0, SmsEncoding::Ucs2, "lower-case ç is not in GSM 03.38");
        assert_eq!(seg("").2, 0);
    }

    proptest! {
        #[test]
        fn segments_never_undercount_the_capacity_of_the_parts(s in "\\PC{0,400}") {
            let r = SmsSegments::of(&s);
            let (single, per) = match r.encoding { SmsEncoding::Gsm7 => (160, 153), SmsEncoding::Ucs2 => (70, 67) };
            if r.units == 0 { prop_assert_eq!(r.segments, 0); }
            else if r.units <= single { prop_assert_eq!(r.segments, 1); }
            else {
                prop_assert!(r.segments * per >= r.units);
                prop_assert!(r.segments <= r.units.div_ceil(per) + r.units / per);
            }
        }

        #[test]
        fn plain_ascii_letters_are_gsm_with_one_septet_each(s in "[A-Za-z0-9 .,!?]{0,500}") {
            let r = SmsSegments::of(&s);
            prop_assert_eq!(r.encoding, SmsEncoding::Gsm7);
            prop_assert_eq!(r.units, s.len());
        }
    }
}
