//! Errors as causes: the boxed forms every layer wraps, and the one way to print an error
//! with everything that caused it (for logs; customers see stable codes and messages).

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Any error, kept as the cause of one of ours.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// A cause that can be cloned with the error holding it (scripted test doubles clone them).
pub type SharedError = Arc<dyn Error + Send + Sync>;

/// Displays an error followed by each of its sources: `finish session failed: service
/// error: ThrottlingException: Rate exceeded`.
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("finish session failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_shows_every_cause() {
        let e = Outer(std::io::Error::other("throttled"));
        assert_eq!(Chain(&e).to_string(), "finish session failed: throttled");
    }
}
