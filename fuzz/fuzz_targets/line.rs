//! The line parser: a format chosen by the fuzzer (or v2), then lines. The parser's
//! four ways in agree on every line: `parse_line` (fresh record), `parse_line_into`
//! (a record left dirty by earlier lines), the pipeline's `parse_line_reusing` (a
//! record only ever parsed with this format) and, for UTF-8 lines, its
//! `parse_str_reusing`. A parsed line has exactly the format's number of values, a
//! field holds a value exactly when its column is not `-`, fields outside the format
//! hold none; field-count errors count the values right.
#![no_main]

use flowpath_core::format::{Column, Field};
use flowpath_core::fuzzing::{parse_line_reusing, parse_str_reusing};
use flowpath_core::parse::{ParseErrorKind, parse_line, parse_line_into};
use flowpath_core::record::Record;
use flowpath_fuzz::{format_from, has_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 48).min(rest.len());
    let (selectors, text) = rest.split_at(n);
    let format = format_from(selectors);

    let mut dirty = Record::default();
    let mut reused = Record::default();
    let mut reused_str = Record::default();
    for raw in text.split(|&b| b == b'\n') {
        let fresh = parse_line(&format, raw);
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);

        let into = parse_line_into(&format, raw, &mut dirty);
        assert_eq!(into.map(|()| &dirty), fresh.as_ref().map_err(|e| *e));

        let reusing = parse_line_reusing(&format, line, &mut reused);
        assert_eq!(reusing.map(|()| &reused), fresh.as_ref().map_err(|e| *e));

        if let Ok(s) = std::str::from_utf8(line) {
            let by_str = parse_str_reusing(&format, s, &mut reused_str);
            assert_eq!(by_str.map(|()| &reused_str), fresh.as_ref().map_err(|e| *e));
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
