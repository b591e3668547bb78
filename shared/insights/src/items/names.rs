//! Participants' first names, taken from the speaker labels, so that "Maria will ..." has
//! an owner.

use crate::hash::{FastMap, WordSet};
use crate::text;

/// Participants' first names, for "Maria will ...": the first word of a speaker label, when
/// it is a name and not a role ("Project Manager") and no other label starts with it.
pub(super) struct Names {
    ids: FastMap<String, usize>,
    /// First bytes of the names: most words start with none of them and are not hashed.
    starts: [bool; 256],
}

impl Names {
    pub(super) fn new(speakers: &[String]) -> Self {
        let mut ids: FastMap<String, Option<usize>> = FastMap::default();
        for (id, label) in speakers.iter().enumerate() {
            let Some(first) = label.split_whitespace().next() else {
                continue;
            };
            if !first.starts_with(char::is_uppercase) {
                continue;
            }
            let name = text::normalize(first).into_owned();
            if name.chars().count() < 3 || text::is_stopword(&name) || ROLES.contains(&name) {
                continue;
            }
            // A first name two participants share names neither.
            ids.entry(name)
                .and_modify(|v| *v = None)
                .or_insert(Some(id));
        }
        let ids: FastMap<String, usize> = ids
            .into_iter()
            .filter_map(|(n, id)| Some((n, id?)))
            .collect();
        let mut starts = [false; 256];
        for name in ids.keys() {
            starts[usize::from(name.as_bytes()[0])] = true;
        }
        Names { ids, starts }
    }

    pub(super) fn get(&self, word: &str) -> Option<usize> {
        let first = *word.as_bytes().first()?;
        if !self.starts[usize::from(first)] {
            return None;
        }
        self.ids.get(word).copied()
    }
}

/// First words of speaker labels that are roles, not names.
static ROLES: WordSet = WordSet::new(
    "
    project marketing industrial user grad professor postdoc phd speaker chair member participant
    guest host unknown moderator interviewer interviewee presenter facilitator mr mrs ms dr hon the
    prof sir madam lady lord
    ",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_skip_roles_and_shared_first_names() {
        let speakers = [
            "Maria Lopez",
            "Project Manager",
            "Tom A",
            "Tom B",
            "Grad C",
            "ana",
        ]
        .map(String::from);
        let names = Names::new(&speakers);
        assert_eq!(names.ids.len(), 1);
        assert_eq!(names.get("maria"), Some(0));
    }
}
