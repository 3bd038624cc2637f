//! Bytes to text: BOM sniffing, UTF-8, UTF-16, UTF-32, and legacy code pages chosen by
//! evidence.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use super::plausibility;

/// Legacy encodings a file that is not UTF-8 may be in, most common first.
const LEGACY: [&Encoding; 7] = [
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1250,
    encoding_rs::WINDOWS_1251,
    encoding_rs::WINDOWS_1253,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1257,
    encoding_rs::MACINTOSH,
];

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DecodeError {
    /// NUL bytes outside of UTF-16: a binary file.
    Binary { offset: usize },
}

/// Text decoded from bytes, and how.
#[derive(Debug, Clone)]
pub(super) struct Decoded {
    pub text: String,
    /// The encoding the bytes were read as: "utf-8", "utf-16le", "windows-1252", ...
    pub encoding: String,
    /// Lines that were not valid UTF-8 in an otherwise UTF-8 file (1-based).
    pub transcoded_lines: Vec<usize>,
}

/// Decode `bytes` into text.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    // UTF-32 first: its little-endian BOM starts with UTF-16's (FF FE).
    if let Some((big_endian, name)) = utf32_bom(bytes) {
        return Ok(Decoded {
            text: decode_utf32(&bytes[4..], big_endian),
            encoding: name.to_string(),
            transcoded_lines: Vec::new(),
        });
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name().to_ascii_lowercase(),
            transcoded_lines: Vec::new(),
        });
    }
    if let Some(enc) = sniff_utf16(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name().to_ascii_lowercase(),
            transcoded_lines: Vec::new(),
        });
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: s.to_string(),
            encoding: UTF_8.name().to_ascii_lowercase(),
            transcoded_lines: Vec::new(),
        });
    }
    Ok(decode_mixed(bytes))
}

/// The byte order of a UTF-32 byte order mark at the start of `bytes`.
fn utf32_bom(bytes: &[u8]) -> Option<(bool, &'static str)> {
    match bytes.get(..4)? {
        [0xFF, 0xFE, 0, 0] => Some((false, "utf-32le")),
        [0, 0, 0xFE, 0xFF] => Some((true, "utf-32be")),
        _ => None,
    }
}

/// UTF-32 code units to text; a unit that is no scalar value (a surrogate, past
/// U+10FFFF) and a truncated last unit each become U+FFFD, as decoders of UTF-16 do.
fn decode_utf32(bytes: &[u8], big_endian: bool) -> String {
    let mut text = String::with_capacity(bytes.len() / 4);
    let mut units = bytes.chunks_exact(4);
    for u in units.by_ref() {
        let u = [u[0], u[1], u[2], u[3]];
        let v = if big_endian {
            u32::from_be_bytes(u)
        } else {
            u32::from_le_bytes(u)
        };
        text.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
    }
    if !units.remainder().is_empty() {
        text.push('\u{FFFD}');
    }
    text
}

/// UTF-16 without a BOM shows as NUL in every other byte of ASCII text.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let even_nul = bytes[..n].iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = bytes[1..n].iter().step_by(2).filter(|&&b| b == 0).count();
    if odd_nul * 10 >= pairs * 7 && even_nul * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 7 && odd_nul * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// A file that is not valid UTF-8: keep the lines that are, and read the others in the
/// legacy encoding that makes them most plausible.
fn decode_mixed(bytes: &[u8]) -> Decoded {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let bad: Vec<usize> = (0..lines.len())
        .filter(|&i| std::str::from_utf8(lines[i]).is_err())
        .collect();
    let utf8_lines = lines.len() - bad.len();
    let sample: Vec<u8> = bad.iter().flat_map(|&i| lines[i].iter().copied()).collect();
    let enc = best_legacy(&sample);
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 4);
    for line in &lines {
        match std::str::from_utf8(line) {
            Ok(s) if utf8_lines > 0 => text.push_str(s),
            _ => text.push_str(&enc.decode_without_bom_handling(line).0),
        }
    }
    let name = enc.name().to_ascii_lowercase();
    let mostly_utf8 = utf8_lines > 0 && bad.len() < lines.len();
    Decoded {
        text,
        encoding: if mostly_utf8 && bad.len() * 2 < lines.len() {
            format!("utf-8+{name}")
        } else {
            name
        },
        transcoded_lines: if mostly_utf8 {
            bad.iter().map(|i| i + 1).collect()
        } else {
            Vec::new()
        },
    }
}

/// The legacy encoding under which `sample` reads most like real text.
fn best_legacy(sample: &[u8]) -> &'static Encoding {
    let mut best = (f32::INFINITY, LEGACY[0]);
    for enc in LEGACY {
        let (text, _) = enc.decode_without_bom_handling(sample);
        let c = plausibility::cost(&text);
        if c < best.0 {
            best = (c, enc);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_utf16() {
        let d = decode(b"\xEF\xBB\xBFhi").unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), ("hi", "utf-8"));
        let le: Vec<u8> = "héllo\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&[&[0xFF, 0xFE][..], &le].concat()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str()),
            ("héllo\n", "utf-16le")
        );
        let d = decode(&le).unwrap();
        assert_eq!(d.text, "héllo\n", "UTF-16 without a BOM");
        let be: Vec<u8> = "ok then"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(decode(&be).unwrap().encoding, "utf-16be");
    }

    #[test]
    fn utf32_with_a_bom() {
        let text = "héllo ✅ 🚨\n";
        let le: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let d = decode(&[&[0xFF, 0xFE, 0, 0][..], &le].concat()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (text, "utf-32le"));
        let be: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let d = decode(&[&[0, 0, 0xFE, 0xFF][..], &be].concat()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (text, "utf-32be"));
        // A surrogate, a value past U+10FFFF and a cut-off last unit are replaced.
        let bad = [
            0xFF, 0xFE, 0, 0, b'a', 0, 0, 0, 0, 0xD8, 0, 0, 0, 0, 0x11, 0, b'b', 0,
        ];
        assert_eq!(decode(&bad).unwrap().text, "a\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn legacy_by_evidence() {
        let d = decode(b"caf\xE9 na\xEFve \x93quoted\x94").unwrap();
        assert_eq!(d.text, "café naïve “quoted”");
        assert_eq!(d.encoding, "windows-1252");
        let d = decode(b"\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0").unwrap();
        assert_eq!(d.text, "Привет мир");
    }

    #[test]
    fn mostly_utf8_keeps_good_lines() {
        let bytes = [
            b"ok \xE2\x9C\x85\n".as_slice(),
            b"bad \x96 dash\n",
            "fine é\n".as_bytes(),
            "more ✓\n".as_bytes(),
        ]
        .concat();
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "ok ✅\nbad – dash\nfine é\nmore ✓\n");
        assert_eq!(d.transcoded_lines, vec![2]);
        assert_eq!(d.encoding, "utf-8+windows-1252");
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err(),
            DecodeError::Binary { offset: 8 }
        );
    }
}
