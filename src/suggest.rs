//! "Did you mean": the known name closest to a mistyped one, for lint codes, rule ids
//! and the like.

/// The name among `known` nearest to `typed` by edit distance, if it is close: at most
/// three edits, or a quarter of the name's length for long names.
pub(crate) fn closest<'a>(
    typed: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(typed, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_only() {
        let known = ["no-rsync-delete", "require-dist-worker-js"];
        assert_eq!(closest("no-rsync-delet", known), Some("no-rsync-delete"));
        assert_eq!(closest("something-else-entirely", known), None);
    }
}
