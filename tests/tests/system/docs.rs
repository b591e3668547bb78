//! The README and Makefile a newcomer follows: the webhook-verification snippet verifies
//! the service's own signatures, `make help` lists every target, and the configuration
//! table is one table naming every variable a function reads.

use app::pipeline::webhook_signature::sign;
use domain::signing::{PreviousSecret, SigningSecrets};
use domain::WebhookSecret;
use std::collections::BTreeSet;
use std::process::Command;
use time::Duration;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(xtask::local::repo_root().join(path)).unwrap()
}

/// Runs the README's `verify` (examples/verify_webhook.py) on one request.
fn python_verifies(secret: &str, headers: &[(String, String)], body: &str) -> bool {
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    let out = Command::new("python3")
        .current_dir(xtask::local::repo_root().join("examples"))
        .args([
            "-c",
            "import json, os, sys; from verify_webhook import verify; \
             sys.exit(0 if verify(os.environ['S'], json.loads(os.environ['H']), os.environ['B'].encode()) else 1)",
        ])
        .env("S", secret)
        .env("H", serde_json::Value::Object(headers).to_string())
        .env("B", body)
        .output()
        .expect("python3");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.success()
}

#[test]
fn the_readme_snippet_verifies_our_webhooks_and_refuses_tampered_foreign_or_old_ones() {
    let readme = repo_file("README.md");
    let snippet = repo_file("examples/verify_webhook.py");
    assert!(
        readme.contains(&format!("```python\n{snippet}```")),
        "the README shows examples/verify_webhook.py as it is"
    );
    let secret = WebhookSecret::generate();
    let body = r#"{"event":"session_complete","bot_id":"6a0c","transcript":"Ada: hello é"}"#;
    let only = SigningSecrets::only(secret.clone());
    let headers = sign("msg_2Qx", domain::now(), body, &only).unwrap();
    assert!(python_verifies(secret.expose(), &headers, body));
    assert!(!python_verifies(
        secret.expose(),
        &headers,
        &body.replace("hello", "hullo")
    ));
    let other = WebhookSecret::generate();
    assert!(!python_verifies(other.expose(), &headers, body));
    let old = sign(
        "msg_2Qx",
        domain::now() - Duration::minutes(10),
        body,
        &only,
    )
    .unwrap();
    assert!(!python_verifies(secret.expose(), &old, body), "a replay");
    // During a rotation's overlap the header holds both signatures: either secret verifies.
    let rotating = SigningSecrets {
        current: other.clone(),
        previous: Some(PreviousSecret {
            secret: secret.clone(),
            valid_until: domain::now() + Duration::hours(1),
        }),
    };
    let both = sign("msg_2Qx", domain::now(), body, &rotating).unwrap();
    assert!(both[2].1.contains(' '), "two signatures: {}", both[2].1);
    assert!(python_verifies(secret.expose(), &both, body));
    assert!(python_verifies(other.expose(), &both, body));
}

#[test]
fn make_help_lists_every_target() {
    let makefile = repo_file("Makefile");
    let targets: BTreeSet<String> = makefile
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, rest)| {
            !rest.starts_with('=') && name.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .map(|(name, _)| name.to_owned())
        .collect();
    assert!(targets.len() >= 20, "{targets:?}");
    let help = Command::new("make")
        .args(["-s", "help"])
        .current_dir(xtask::local::repo_root())
        .output()
        .expect("make");
    let help = String::from_utf8(help.stdout).unwrap();
    let listed: BTreeSet<String> = help
        .lines()
        .filter_map(|l| l.strip_prefix("make "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert_eq!(listed, targets, "make help:\n{help}");
}

#[test]
fn the_configuration_table_is_one_table_naming_every_variable_a_function_reads() {
    let readme = repo_file("README.md");
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let lines: Vec<&str> = section.lines().collect();
    let first = lines.iter().position(|l| l.starts_with('|')).unwrap();
    let last = lines.iter().rposition(|l| l.starts_with('|')).unwrap();
    assert!(
        lines[first..=last].iter().all(|l| l.starts_with('|')),
        "one table, no blank line or text inside it"
    );
    let table = lines[first..=last].join("\n");
    let mut read = BTreeSet::new();
    for file in ["mod.rs", "routes.rs", "credentials.rs", "env.rs"] {
        let code = repo_file(&format!("shared/adapters/src/settings/{file}"));
        for literal in code.split('"').skip(1).step_by(2) {
            if literal.len() > 3
                && literal.contains('_')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                read.insert(literal.to_owned());
            }
        }
    }
    // Refused at init (credentials belong in Secrets Manager): named in the text above.
    for refused in [
        "PIPECAT_PUBLIC_KEY",
        "PIPECAT_PRIVATE_KEY",
        "OPENAI_API_KEY",
    ] {
        assert!(read.remove(refused), "{refused}");
        assert!(section.contains(&format!("`{refused}`")));
    }
    assert!(read.len() >= 30, "{read:?}");
    for variable in read {
        assert!(
            table.contains(&format!("`{variable}`")),
            "{variable} is not in the configuration table"
        );
    }
}
