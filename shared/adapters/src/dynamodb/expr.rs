//! Update and condition expressions built from named parts, every attribute name behind a
//! `#` placeholder so reserved words never matter.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::Phase;
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Expr {
    pub(super) sets: Vec<String>,
    pub(super) removes: Vec<String>,
    pub(super) names: HashMap<String, String>,
    pub(super) values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// The placeholder of attribute `attr` (`#attr`).
    pub(super) fn name(&mut self, attr: &str) -> String {
        let key = format!("#{attr}");
        self.names.insert(key.clone(), attr.to_owned());
        key
    }

    /// The placeholder of a value (`:key`).
    pub(super) fn value(&mut self, key: &str, v: AttributeValue) -> String {
        let key = format!(":{key}");
        self.values.insert(key.clone(), v);
        key
    }

    /// `SET attr = value`
    pub(super) fn set(mut self, attr: &str, v: AttributeValue) -> Self {
        let (name, value) = (self.name(attr), self.value(attr, v));
        self.sets.push(format!("{name} = {value}"));
        self
    }

    /// `SET attr = list_append(if_not_exists(attr, []), values)`: adds to the end of a list
    /// attribute, creating it if the item has none. Nothing for no values.
    pub(super) fn append(mut self, attr: &str, values: Vec<AttributeValue>) -> Self {
        if values.is_empty() {
            return self;
        }
        let name = self.name(attr);
        let empty = self.value("empty_list", AttributeValue::L(Vec::new()));
        let list = self.value(&format!("{attr}_new"), AttributeValue::L(values));
        self.sets.push(format!(
            "{name} = list_append(if_not_exists({name}, {empty}), {list})"
        ));
        self
    }

    /// `REMOVE attr`
    pub(super) fn remove(mut self, attr: &str) -> Self {
        let name = self.name(attr);
        self.removes.push(name);
        self
    }

    /// `#phase IN (:from0, :from1, ...)`
    pub(super) fn phase_in(&mut self, phases: &[Phase]) -> String {
        let name = self.name("phase");
        let values: Vec<String> = phases
            .iter()
            .enumerate()
            .map(|(i, p)| self.value(&format!("from{i}"), AttributeValue::S(p.as_str().into())))
            .collect();
        format!("{name} IN ({})", values.join(", "))
    }

    pub(super) fn update_expression(&self) -> String {
        let mut parts = Vec::new();
        if !self.sets.is_empty() {
            parts.push(format!("SET {}", self.sets.join(", ")));
        }
        if !self.removes.is_empty() {
            parts.push(format!("REMOVE {}", self.removes.join(", ")));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appending_creates_the_list_when_missing() {
        let e = Expr::default().append("status_changes", vec![AttributeValue::S("x".into())]);
        assert_eq!(
            e.update_expression(),
            "SET #status_changes = list_append(if_not_exists(#status_changes, :empty_list), :status_changes_new)"
        );
        assert!(Expr::default().append("x", Vec::new()).sets.is_empty());
    }

    #[test]
    fn removals_follow_the_sets() {
        let e = Expr::default()
            .set("a", AttributeValue::S("x".into()))
            .remove("b");
        assert_eq!(e.update_expression(), "SET #a = :a REMOVE #b");
        assert_eq!(Expr::default().remove("b").update_expression(), "REMOVE #b");
    }

    #[test]
    fn every_name_and_value_has_a_placeholder() {
        let mut e = Expr::default().set("phase", AttributeValue::S("leaving".into()));
        let condition = e.phase_in(&[Phase::Joining, Phase::InCall]);
        assert_eq!(e.update_expression(), "SET #phase = :phase");
        assert_eq!(condition, "#phase IN (:from0, :from1)");
        assert_eq!(e.names["#phase"], "phase");
        assert_eq!(e.values[":from1"], AttributeValue::S("in_call".into()));
    }
}
