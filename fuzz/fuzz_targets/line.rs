//! The line parser: a format chosen by the fuzzer (or v2), then lines. The parser's
//! ways in agree on every line: `parse_line` (fresh record) and a `ReusedRecord`
//! parsed into line after line, as the text source does, as bytes and, for UTF-8
//! lines, as `str`. A parsed line has exactly the format's number of values, a
//! field holds a value exactly when its column is not `-`, fields outside the format
//! hold none; field-count errors count the values right.
#![no_main]

use flowpath_core::format::{Column, Field};
use flowpath_core::parse::{ParseErrorKind, ReusedRecord, parse_line};
use flowpath_fuzz::{format_from, has_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 48).min(rest.len());
    let (selectors, text) = rest.split_at(n);
    let format = format_from(selectors);

    let mut reused = ReusedRecord::new(&format);
    let mut reused_str = ReusedRecord::new(&format);
    for raw in text.split(|&b| b == b'\n') {
        let fresh = parse_line(&format, raw);
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);

        let reusing = reused.parse_bytes(line);
        assert_eq!(
            reusing.map(|()| reused.record()),
            fresh.as_ref().map_err(|e| *e)
        );

        if let Ok(s) = std::str::from_utf8(line) {
            let by_str = reused_str.parse_str(s);
            assert_eq!(
                by_str.map(|()| reused_str.record()),
                fresh.as_ref().map_err(|e| *e)
            );
        }

        let values: Vec<&[u8]> = line
            .split(|&b| b == b' ')
            .filter(|v| !v.is_empty())
            .collect();
        match &fresh {
            Ok(rec) => {
                assert_eq!(values.len(), format.len(), "a parsed line has every value");
                for (column, value) in format.columns().iter().zip(&values) {
                    if let Column::Known(field) = column {
                        assert_eq!(
                            has_value(rec, *field),
                            *value != b"-",
                            "field {field}: value {value:?}"
                        );
                    }
                }
                for field in Field::ALL {
                    if !format.has(field) {
                        assert!(!has_value(rec, field), "{field} is not in the format");
                    }
                }
            }
            Err(e) => match e.kind {
                ParseErrorKind::TooFewFields { expected, found } => {
                    assert_eq!((expected, found), (format.len(), values.len()));
                    assert!(found < expected);
                    assert_eq!(e.field, None);
                }
                ParseErrorKind::TooManyFields { expected } => {
                    assert_eq!(expected, format.len());
                    assert!(values.len() > expected);
                    assert_eq!(e.field, None);
                }
                _ => {
                    let field = e.field.expect("a value error names its field");
                    assert!(format.has(field));
                    let slot = format.slot(field).expect("its slot");
                    let value = values.get(slot).expect("the bad value is on the line");
                    assert_ne!(*value, b"-", "`-` is never a bad value");
                }
            },
        }
    }
});
