//! The group tree of one pool as a parent map: cycle checks and walks up (ancestors, membership paths), done in
//! the domain so both databases give the same answer; walks down are a recursive query in `store::membership`.
//! Every walk is bounded by the number of groups, so bad data cannot loop.

use std::collections::HashMap;

/// Each group id mapped to its parent id.
pub struct Hierarchy {
    parents: HashMap<String, Option<String>>,
}

impl Hierarchy {
    pub fn new(pairs: impl IntoIterator<Item = (String, Option<String>)>) -> Hierarchy {
        Hierarchy {
            parents: pairs.into_iter().collect(),
        }
    }

    /// Whether making `parent` the parent of `group` would close a cycle (including `group` being its own parent).
    pub fn would_cycle(&self, group: &str, parent: &str) -> bool {
        parent == group || self.ancestors(parent).iter().any(|a| a == group)
    }

    /// The parent, grandparent, … of `group`, nearest first (not `group` itself).
    pub fn ancestors(&self, group: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = self.parents.get(group).cloned().flatten();
        while let Some(id) = current {
            if id == group || out.contains(&id) || out.len() > self.parents.len() {
                break;
            }
            current = self.parents.get(&id).cloned().flatten();
            out.push(id);
        }
        out
    }

    /// The ids from `top` down to `group`, both included, when `top` is `group` or one of its ancestors.
    pub fn path_down(&self, top: &str, group: &str) -> Option<Vec<String>> {
        let mut path = vec![group.to_owned()];
        if top != group {
            let above = self.ancestors(group);
            let at = above.iter().position(|a| a == top)?;
            path.extend(above.into_iter().take(at + 1));
        }
        path.reverse();
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::Hierarchy;

    fn tree() -> Hierarchy {
        // staff ← eu-staff ← paris ; staff ← us-staff ; loners
        let p = |c: &str, p: Option<&str>| (c.to_owned(), p.map(str::to_owned));
        Hierarchy::new([
            p("staff", None),
            p("eu-staff", Some("staff")),
            p("paris", Some("eu-staff")),
            p("us-staff", Some("staff")),
            p("loners", None),
        ])
    }

    #[test]
    fn ancestors_go_up_to_the_root() {
        assert_eq!(tree().ancestors("paris"), ["eu-staff", "staff"]);
        assert!(tree().ancestors("staff").is_empty());
    }

    #[test]
    fn cycles_are_detected() {
        let t = tree();
        assert!(t.would_cycle("staff", "paris"));
        assert!(t.would_cycle("eu-staff", "eu-staff"));
        assert!(t.would_cycle("staff", "staff"));
        assert!(!t.would_cycle("paris", "us-staff"));
        assert!(!t.would_cycle("loners", "paris"));
    }

    #[test]
    fn a_path_goes_down_from_an_ancestor_to_the_group() {
        let t = tree();
        assert_eq!(
            t.path_down("staff", "paris").unwrap(),
            ["staff", "eu-staff", "paris"]
        );
        assert_eq!(t.path_down("eu-staff", "eu-staff").unwrap(), ["eu-staff"]);
        assert!(t.path_down("us-staff", "paris").is_none());
        assert!(t.path_down("paris", "staff").is_none());
    }

    #[test]
    fn corrupt_cyclic_data_does_not_hang() {
        let t = Hierarchy::new([
            ("a".into(), Some("b".into())),
            ("b".into(), Some("a".into())),
        ]);
        assert_eq!(t.ancestors("a"), ["b"]);
        assert!(t.path_down("b", "b").is_some());
    }
}
