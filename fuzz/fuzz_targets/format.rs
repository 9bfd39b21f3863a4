//! Format strings and header lines. A header line that reads as a format is the
//! format its text parses to (and an error it gives is the same error); a format
//! that parses renders (`${field}` syntax) back to itself, its plain-name header reads
//! back as the same format, underscore spellings of its known names give the same
//! format, it has a slot for each known column where that column is, and it is v2
//! exactly when its columns are v2's.
#![no_main]

use flowpath_core::format::{Column, Field, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let header = Format::from_header(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert_eq!(header, None, "a header is UTF-8");
        return;
    };
    let parsed = Format::parse(text);
    if let Some(h) = &header {
        assert_eq!(h, &parsed, "a header is the format its text parses to");
    }
    let Ok(format) = parsed else {
        return;
    };

    assert!(!format.is_empty());
    assert_eq!(format.len(), format.columns().len());
    assert_eq!(
        format.len(),
        text.split_ascii_whitespace().count(),
        "one column a name"
    );
    for (i, column) in format.columns().iter().enumerate() {
        if let Column::Known(f) = column {
            assert_eq!(format.slot(*f), Some(i));
        }
    }
    let known = format
        .columns()
        .iter()
        .filter(|c| matches!(c, Column::Known(_)))
        .count();
    assert_eq!(Field::ALL.iter().filter(|&&f| format.has(f)).count(), known);
    assert_eq!(format.unknown_names().count(), format.len() - known);
    assert_eq!(format.is_v2(), format.columns() == Format::v2().columns());
    assert!((2..=8).contains(&format.version()));
    assert_eq!(
        Format::from_columns(format.columns().to_vec()).as_ref(),
        Ok(&format)
    );

    // Rendered, re-read.
    let rendered = format.to_string();
    assert_eq!(Format::parse(&rendered).as_ref(), Ok(&format), "{rendered}");
    let names: Vec<&str> = format
        .columns()
        .iter()
        .map(|c| match c {
            Column::Known(f) => f.name(),
            Column::Unknown(n) => n.as_str(),
        })
        .collect();
    let plain = names.join(" ");
    let as_header = Format::from_header(plain.as_bytes());
    if known > 0 {
        assert_eq!(as_header.as_ref(), Some(&Ok(format.clone())), "{plain}");
    } else {
        assert_eq!(as_header, None, "a header names a known field: {plain}");
    }
    let underscored: Vec<String> = format
        .columns()
        .iter()
        .map(|c| match c {
            Column::Known(f) => f.name().replace('-', "_"),
            Column::Unknown(n) => n.clone(),
        })
        .collect();
    assert_eq!(Format::parse(&underscored.join("\t")).as_ref(), Ok(&format));
});
