//! `cargo run -p xtask -- <command>`: see `usage()`; the Makefile wraps each command.

use adapters::dynamodb::DynamoStore;
use domain::AccountId;
use xtask::event_source::{self, EventSource};
use xtask::{bootstrap, demo, local, receiver, standin};

fn usage() -> &'static str {
    "usage: xtask <command>
  bootstrap                 create the table, queues and SES sender in the emulator from infra/template.yaml
  api-key <account>         create an API key for the account (prints it as the last line)
  webhook-secret <account>  print the account's webhook signing secret (last line)
  standin                   run the Pipecat Cloud stand-in on $STANDIN_ADDR (127.0.0.1:9100)
  receiver                  run the webhook receiver on $RECEIVER_ADDR (127.0.0.1:9200)
  event-source [pollers] [--run <binary> [--env-var K=V]...]
                            feed the pipeline function from the queue through cargo lambda watch,
                            or run the binary itself, one process per poller (the kill suite)
  demo                      one meeting end to end on the running local stack
  bench-cold-start [samples] cold start, memory and size of each release function vs Python+boto3 and hello-world
  insights <file>
           the insights JSON of one transcript (QMSum or exit-report format)
  insights-batch [dir] [--words N]
                            summaries of every QMSum meeting in dir, one JSON line each (benchmark input)
  fault-proxy <listen> <upstream-url> [rate]

                            forward to upstream, injecting 5xx, throttling, resets and delays
  load [bots] [clients] [words] [timeout_s]

                            bots joined and stopped by concurrent clients; checks and percentiles"
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = run(&args).await;
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn account_store(account: Option<&String>) -> Result<(DynamoStore, AccountId), String> {
    let account = account.ok_or_else(|| usage().to_owned())?;
    let account = AccountId::parse(account).map_err(|e| e.to_string())?;
    let aws = local::aws().await;
    Ok((DynamoStore::from_config(&aws, local::table_name()), account))
}

async fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("bootstrap") => {
            let aws = local::aws().await;
            let defs = bootstrap::read_template(&bootstrap::template_path())?;
            let visibility = local::env_or("LOCAL_VISIBILITY_TIMEOUT", "10")
                .parse::<u32>()
                .map_err(|e| e.to_string())?;
            let names = bootstrap::Names::local();
            let url = bootstrap::create(&aws, &defs, &names, visibility).await?;
            bootstrap::verify_sender(&aws, &local::ses_sender()).await?;
            println!("table {} and queue {url} ready", names.table);
            Ok(())
        }
        Some("api-key") => {
            let (store, account) = account_store(args.get(1)).await?;
            let key = store
                .create_api_key(&account)
                .await
                .map_err(|e| e.to_string())?;
            println!("API key for account '{account}' (shown once; only its SHA-256 is stored):");
            println!("{}", key.expose());
            Ok(())
        }
        Some("webhook-secret") => {
            let (store, account) = account_store(args.get(1)).await?;
            let secret = store
                .ensure_account(&account)
                .await
                .map_err(|e| e.to_string())?;
            println!("Webhook signing secret for account '{account}' (Standard Webhooks):");
            println!("{}", secret.expose());
            Ok(())
        }
        Some("standin") => standin::serve(&local::standin_addr()).await,
        Some("receiver") => receiver::serve(&local::receiver_addr()).await,
        Some("event-source") => {
            let pollers: Option<usize> = args.get(1).and_then(|p| p.parse().ok());
            let runner = event_source_runner(&args[1 + usize::from(pollers.is_some())..])?;
            let pollers = pollers.unwrap_or(2);
            let aws = local::aws().await;
            let mut source = EventSource::new(&aws, &local::queue_name(), runner).await?;
            source.copies = local::env_or("EVENT_SOURCE_COPIES", "1")
                .parse()
                .map_err(|_| "EVENT_SOURCE_COPIES must be a number")?;
            println!(
                "event source polling {} with {pollers} pollers, {} deliveries per message",
                local::queue_name(),
                source.copies
            );

            source.run(pollers).await
        }
        Some("demo") => demo::run().await,
        Some("bench-meeting") => {
            let log = std::path::PathBuf::from(
                args.get(1)
                    .map(String::as_str)
                    .unwrap_or(".local/logs/api.log"),
            );
            println!("{}", xtask::demo::one_hour_meeting(&log).await?);
            Ok(())
        }
        Some("bench-cold-start") => {
            let samples = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
            println!("{}", xtask::bench::run(samples).await?);
            Ok(())
        }

        Some("insights") => {
            let file = args.get(1).ok_or_else(|| usage().to_owned())?;
            xtask::insights_cmd::print_insights(std::path::Path::new(file))
        }
        Some("insights-batch") => {
            let dir = args.get(1).map_or_else(
                || local::repo_root().join("xtask/data/qmsum/val"),
                std::path::PathBuf::from,
            );
            let words = args
                .iter()
                .position(|a| a == "--words")
                .and_then(|i| args.get(i + 1))
                .and_then(|w| w.parse().ok());
            xtask::insights_cmd::print_batch(&dir, words)
        }

        Some("fault-proxy") => {
            let (Some(listen), Some(upstream)) = (args.get(1), args.get(2)) else {
                return Err(usage().to_owned());
            };
            let rate = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(0.1);
            xtask::fault_proxy::serve(listen, upstream, rate).await
        }

        Some("load") => {
            let number = |i: usize, default: usize| {
                args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default)
            };
            let config = xtask::load::LoadConfig {
                bots: number(1, 1000),
                clients: number(2, 50),
                words: number(3, 150) as u64,
                webhook_base: local::env_or(
                    "LOAD_WEBHOOK_BASE",
                    &format!("http://{}", local::receiver_addr()),
                ),
                timeout: std::time::Duration::from_secs(number(4, 300) as u64),
            };
            let report = xtask::load::run(config).await?;
            println!("{}", report.text);
            if let Ok(path) = std::env::var("LOAD_REPORT_JSON") {
                std::fs::write(
                    &path,
                    serde_json::to_string_pretty(&report.json).unwrap_or_default(),
                )
                .map_err(|e| e.to_string())?;
            }
            if report.ok {
                Ok(())
            } else {
                Err("the load run did not meet its goals (see above)".into())
            }
        }

        _ => Err(usage().to_owned()),
    }
}

/// `--run <binary> [--env-var K=V]...`: the pipeline binary under the event source's own
/// Runtime API, with the environment `cargo lambda watch` gives it (Cargo.toml) plus the
/// overrides; otherwise the function under `cargo lambda watch`.
fn event_source_runner(flags: &[String]) -> Result<event_source::Runner, String> {
    let mut program = None;
    let mut overrides = Vec::new();
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        let value = flags.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--run" => program = Some(std::path::PathBuf::from(value)),
            "--env-var" => {
                let (k, v) = value.split_once('=').ok_or("--env-var takes K=V")?;
                overrides.push((k.to_owned(), v.to_owned()));
            }
            other => return Err(format!("unknown flag {other}\n{}", usage())),
        }
    }
    let Some(program) = program else {
        let url = format!(
            "{}/2015-03-31/functions/pipeline/invocations",
            local::api_url()
        );
        return Ok(event_source::Runner::Watch(url));
    };
    let root = local::repo_root();
    let mut env = local::watch_env(&root.join("Cargo.toml"))?;
    env.extend(overrides);
    let timeout = bootstrap::function_timeout(&bootstrap::template_path(), "PipelineFunction")?;
    Ok(event_source::Runner::Direct {
        target: xtask::runtime_api::Target {
            name: "pipeline".into(),
            program,
            args: Vec::new(),
            dir: None,
        },
        env,
        timeout,
    })
}
