//! How an error reads at the binary's edge: its message, then each cause that adds
//! something.
//!
//! A library error that both prints its source in its own message and exposes it as
//! its source (as `thiserror` errors with `{source}` in the text do) would otherwise be
//! said twice by `{:#}`: "bad gzip data: invalid gzip header: invalid gzip header".
//! Here a cause whose text the message already holds is left out.

/// `err` and its causes, each cause once.
pub(crate) fn describe(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    /// As the core's `Error::Decompress` is: its source in its text, and as its source.
    #[derive(Debug)]
    struct Decompress {
        input: String,
        source: std::io::Error,
    }

    impl std::fmt::Display for Decompress {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}: bad gzip data: {}", self.input, self.source)
        }
    }

    impl std::error::Error for Decompress {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, "invalid gzip header");
        let err = anyhow::Error::new(Decompress {
            input: "a.log.gz".into(),
            source: io,
        });
        assert_eq!(
            describe(&err),
            "a.log.gz: bad gzip data: invalid gzip header"
        );
        // Context that adds something is kept, in order.
        let err: anyhow::Error = Err::<(), _>(std::io::Error::other("disk full"))
            .context("cannot write out/a.parquet")
            .unwrap_err();
        assert_eq!(describe(&err), "cannot write out/a.parquet: disk full");
    }
}
