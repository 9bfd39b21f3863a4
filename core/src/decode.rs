//! Turning an input stream into flow-log text: gzip is detected by its magic bytes
//! (not by the file name) and decoded with a multi-member decoder, so concatenated
//! gzip streams read to the end; anything else is passed through unchanged.

use std::io::{self, Chain, Cursor, Read};

use flate2::read::MultiGzDecoder;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A decoded input: plain bytes or gunzipped bytes.
pub enum Decoded<R: Read> {
    /// The input was not gzip.
    Plain(Chain<Cursor<Vec<u8>>, R>),
    /// The input started with the gzip magic bytes.
    Gzip(Box<MultiGzDecoder<Chain<Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Decoded<R> {
    /// Whether the input was gzip.
    pub fn is_gzip(&self) -> bool {
        matches!(self, Decoded::Gzip(_))
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Gzip(r) => r.read(buf),
        }
    }
}

/// Sniffs the first bytes of `reader` and wraps it in a gzip decoder when they are the
/// gzip magic. An empty input is plain (and yields nothing).
pub fn decode<R: Read>(mut reader: R) -> io::Result<Decoded<R>> {
    let mut head = Vec::with_capacity(2);
    while head.len() < 2 {
        let mut byte = [0u8; 2];
        let want = 2 - head.len();
        match reader.read(&mut byte[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&byte[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let gzip = head == GZIP_MAGIC;
    let stream = Cursor::new(head).chain(reader);
    Ok(if gzip {
        Decoded::Gzip(Box::new(MultiGzDecoder::new(stream)))
    } else {
        Decoded::Plain(stream)
    })
}

/// [`decode`] for a source: a read error names `input`; also whether it is gzip.
pub(crate) fn decode_input<R: Read>(
    input: &str,
    reader: R,
) -> Result<(Decoded<R>, bool), crate::error::Error> {
    let decoded = decode(reader).map_err(|source| crate::error::Error::Read {
        input: input.to_owned(),
        source,
    })?;
    let gzip = decoded.is_gzip();
    Ok((decoded, gzip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all<R: Read>(r: R) -> io::Result<(bool, Vec<u8>)> {
        let mut d = decode(r)?;
        let mut out = Vec::new();
        d.read_to_end(&mut out)?;
        Ok((d.is_gzip(), out))
    }

    #[test]
    fn plain_gzip_and_multi_member() {
        assert_eq!(
            read_all(&b"a b c\n"[..]).unwrap(),
            (false, b"a b c\n".to_vec())
        );
        assert_eq!(read_all(&b""[..]).unwrap(), (false, Vec::new()));
        assert_eq!(read_all(&b"x"[..]).unwrap(), (false, b"x".to_vec()));
        assert_eq!(
            read_all(&gz(b"hello\n")[..]).unwrap(),
            (true, b"hello\n".to_vec())
        );
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        assert_eq!(
            read_all(&two[..]).unwrap(),
            (true, b"first\nsecond\n".to_vec())
        );
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let data = gz(&b"0123456789 abcdefghij\n".repeat(1000));
        let err = read_all(&data[..data.len() / 2]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
