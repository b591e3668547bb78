//! DynamoDB on-demand request units, computed from the items as DynamoDB bills them (the
//! emulator reports a constant instead): a write is one unit per started KB of the larger of
//! the item before and after it, a read one unit per started 4 KB (half for an eventually
//! consistent read, summed over a query's items), a transaction twice that, and every
//! global secondary index the item is in takes a write of its own.

use serde_json::Value;

/// The size DynamoDB bills of an item in its wire format (`{"name": {"S": "…"}, …}`):
/// each attribute's name in UTF-8 bytes plus its value's size.
pub fn item_size(item: &Value) -> usize {
    item.as_object()
        .map(|attrs| attrs.iter().map(|(k, v)| k.len() + value_size(v)).sum())
        .unwrap_or(0)
}

fn value_size(v: &Value) -> usize {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    match kind.as_str() {
        "S" => inner.as_str().map_or(0, str::len),
        "N" => inner.as_str().map_or(0, number_size),
        "B" => inner.as_str().map_or(0, base64_len),
        "BOOL" | "NULL" => 1,
        "SS" => list(inner)
            .iter()
            .filter_map(Value::as_str)
            .map(str::len)
            .sum(),
        "NS" => list(inner)
            .iter()
            .filter_map(Value::as_str)
            .map(number_size)
            .sum(),
        "BS" => list(inner)
            .iter()
            .filter_map(Value::as_str)
            .map(base64_len)
            .sum(),
        "L" => 3 + list(inner).iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        "M" => {
            3 + inner.as_object().map_or(0, |m| {
                m.iter().map(|(k, e)| k.len() + 1 + value_size(e)).sum()
            })
        }
        _ => 0,
    }
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A number: about one byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits = n
        .trim_start_matches('-')
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    significant.max(1).div_ceil(2) + 1
}

fn base64_len(s: &str) -> usize {
    let padding = s.bytes().rev().take_while(|b| *b == b'=').count();
    (s.len() / 4 * 3).saturating_sub(padding)
}

/// Write units of one write: the larger image, per started KB, at least one.
pub fn write_units(before: usize, after: usize) -> f64 {
    before.max(after).div_ceil(1024).max(1) as f64
}

/// Read units of one read returning `bytes` (an item, or a query's items together).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_follow_dynamodb_rules() {
        // "pk" (2) + "ACCOUNT#acme" (12), "n" (1) + 12345 (3 digit-pairs + 1 = 4)
        let item = json!({"pk": {"S": "ACCOUNT#acme"}, "n": {"N": "12345"}});
        assert_eq!(item_size(&item), 2 + 12 + 1 + 4);
        // "b" + 3 bytes of base64 "AAEC", "t" + BOOL, "l" + list of one "ab"
        let item = json!({"b": {"B": "AAEC"}, "t": {"BOOL": true}, "l": {"L": [{"S": "ab"}]}});
        assert_eq!(item_size(&item), (1 + 3) + (1 + 1) + (1 + 3 + 1 + 2));
        let item = json!({"m": {"M": {"k": {"S": "v"}}}});
        assert_eq!(item_size(&item), 1 + 3 + 1 + 1 + 1);
        assert_eq!(item_size(&json!({"é": {"S": "ü"}})), 2 + 2, "UTF-8 bytes");
    }

    #[test]
    fn units_round_up_per_kb_and_per_4kb() {
        assert_eq!(write_units(0, 10), 1.0);
        assert_eq!(write_units(1024, 10), 1.0);
        assert_eq!(write_units(1025, 10), 2.0, "the larger image counts");
        assert_eq!(write_units(10, 3000), 3.0);
        assert_eq!(read_units(0, true), 1.0, "a miss still reads");
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(read_units(100, false), 0.5);
    }
}
