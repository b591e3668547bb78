//! The command line of `xtask` (`--help` lists the commands, with their arguments and the
//! environment they read): each command parsed, checked and handed to its module.

use crate::event_source::{self, Runner};
use crate::{
    accounts, bench, bootstrap, demo, email_preview, fault_proxy, insights_cmd, load, local,
};
use crate::{receiver, standin};
use clap::builder::{NonEmptyStringValueParser, RangedU64ValueParser};
use clap::{Args, Parser, Subcommand};
use domain::AccountId;
use std::path::PathBuf;
use std::time::Duration;

/// Local stack and developer commands.
#[derive(Parser)]
#[command(name = "xtask", after_help = ENVIRONMENT)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const ENVIRONMENT: &str = "\
The local stack's addresses and names, from the environment:
  AWS_ENDPOINT_URL     the AWS emulator [default: http://127.0.0.1:4566]
  PAILFLOW_API_URL     the functions under cargo lambda watch [default: http://127.0.0.1:9000]
  STANDIN_ADDR         the Pipecat Cloud stand-in [default: 127.0.0.1:9100]
  RECEIVER_ADDR        the webhook receiver [default: 127.0.0.1:9200]
  TABLE_NAME           [default: pailflow-local]
  PIPELINE_QUEUE_NAME  [default: pailflow-local-pipeline]
  SES_SENDER           [default: PailFlow Bots <bots@pailflow.local>]";

#[derive(Subcommand)]
enum Command {
    /// Create the table, queues and SES sender in the emulator from infra/template.yaml
    Bootstrap {
        /// Visibility timeout of the local pipeline queue (production's is in the template)
        #[arg(
            long,
            value_name = "SECONDS",
            env = "LOCAL_VISIBILITY_TIMEOUT",
            default_value_t = 10
        )]
        visibility_timeout: u32,
    },
    /// Create an API key for the account (printed as the last line)
    ApiKey {
        /// Account name: 1-64 characters of a-z, 0-9, '-' and '_'
        #[arg(value_parser = account)]
        account: AccountId,
    },
    /// Set an account's own limits (unset ones keep the service's defaults); prints them
    AccountLimits {
        /// Account name: 1-64 characters of a-z, 0-9, '-' and '_'
        #[arg(value_parser = account)]
        account: AccountId,
        /// Bots the account may have running at once
        #[arg(long, value_name = "N")]
        active_bots: Option<u32>,
        /// Bots the account may start in one minute
        #[arg(long, value_name = "N")]
        joins_per_minute: Option<u32>,
        /// Result emails the account may have sent in one UTC day
        #[arg(long, value_name = "N")]
        emails_per_day: Option<u32>,
        /// Comma-separated domains result emails may go to; `any` removes the restriction
        #[arg(long, value_name = "DOMAINS")]
        email_domains: Option<String>,
        /// Hours a transcript and results are kept when a join does not say (1-8760)
        #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=8760))]
        retention_hours: Option<u32>,
    },
    /// Seed the local development account (fixed key) and the bots events/ names; emulator only
    SeedLocal,
    /// Print the account's webhook signing secret (last line), creating the account if needed
    WebhookSecret {
        /// Account name: 1-64 characters of a-z, 0-9, '-' and '_'
        #[arg(value_parser = account)]
        account: AccountId,
    },
    /// Run the Pipecat Cloud stand-in on $STANDIN_ADDR
    Standin,
    /// Run the webhook receiver on $RECEIVER_ADDR
    Receiver,
    /// Feed the pipeline function from the local queue, with Lambda's SQS semantics
    EventSource(EventSourceArgs),
    /// One meeting end to end on the running local stack
    Demo,
    /// One 1-hour meeting through the local stack, the time of each step (make bench)
    BenchMeeting {
        /// Log of cargo lambda watch, where the pipeline logs its step timings
        #[arg(default_value = ".local/logs/api.log")]
        log: PathBuf,
    },
    /// Cold start, memory and size of each release function vs Python+boto3 and hello-world
    BenchColdStart {
        /// Cold starts of each function
        #[arg(default_value_t = 5, value_parser = at_least_one::<usize>())]
        samples: usize,
    },
    /// The insights JSON of one transcript
    Insights {
        /// Transcript: a QMSum meeting, an exit report or an array of segments (JSON)
        file: PathBuf,
    },
    /// Summaries of every QMSum meeting in a directory, one JSON line each (benchmark input)
    InsightsBatch {
        /// Directory of QMSum meetings [default: xtask/data/qmsum/val in the repository]
        dir: Option<PathBuf>,
        /// Words per summary [default: as many as the reference summary]
        #[arg(long, value_name = "N")]
        words: Option<usize>,
    },
    /// The meeting score of every transcript in a directory, and their distribution
    InsightsScores {
        /// Directory of transcripts [default: xtask/data/qmsum/val in the repository]
        dir: Option<PathBuf>,
    },
    /// The result email of a transcript, composed as the pipeline would, in .local/email-preview
    EmailPreview {
        /// Transcript: a QMSum meeting, an exit report or an array of segments (JSON)
        /// [default: the stand-in bot's meeting, as in make demo]
        #[arg(long, value_name = "FILE")]
        transcript: Option<PathBuf>,
        /// The meeting's room URL (its name becomes the title)
        #[arg(long, value_name = "URL", default_value = email_preview::DEFAULT_ROOM)]
        room_url: String,
        /// Base of the link to the full results, as RESULTS_BASE_URL
        #[arg(
            long,
            value_name = "URL",
            env = "RESULTS_BASE_URL",
            default_value = "https://app.example.com/meetings/{bot_id}"
        )]
        results_base_url: String,
        /// Where email.html and email.txt are written [default: .local/email-preview]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Forward to an upstream, injecting 5xx, throttling, resets and delays
    FaultProxy {
        /// Address to listen on, e.g. 127.0.0.1:4567
        listen: String,
        /// Where requests go, e.g. http://127.0.0.1:4566
        upstream: String,
        /// Share of requests that get a fault, from 0 to 1
        #[arg(default_value_t = 0.1, value_parser = fault_rate)]
        rate: f64,
    },
    /// Bots joined and stopped by concurrent clients on the local stack; checks and percentiles
    Load(LoadArgs),
    /// What our part of a meeting costs on AWS: a mix of QMSum meetings through the local
    /// stack (restarted with meters in its paths, stopped at the end), every invocation,
    /// AWS request and billable unit counted and priced (make cost)
    Cost {
        /// Meetings to run
        #[arg(default_value_t = 100, value_parser = at_least_one::<usize>())]
        meetings: usize,
        /// Concurrent customers
        #[arg(default_value_t = 8, value_parser = at_least_one::<usize>())]
        clients: usize,
        /// Write the table into this file between <!-- cost:begin --> and <!-- cost:end -->
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
}

#[derive(Args)]
struct EventSourceArgs {
    /// Concurrent pollers of the queue
    #[arg(default_value_t = 2, value_parser = at_least_one::<usize>())]
    pollers: usize,
    /// Run this pipeline binary, one process per poller under the event source's own Runtime
    /// API, with the functions' environment of Cargo.toml (the kill suite of make chaos);
    /// without it, invoke the function under cargo lambda watch
    #[arg(long, value_name = "BINARY")]
    run: Option<PathBuf>,
    /// Set a variable of the binary's environment (repeatable)
    #[arg(long = "env-var", value_name = "K=V", requires = "run", value_parser = key_value)]
    env_vars: Vec<(String, String)>,
    /// Deliveries of each message, each copy after a random delay of up to 5 s
    #[arg(
        long,
        value_name = "N",
        env = "EVENT_SOURCE_COPIES",
        default_value_t = 1,
        value_parser = at_least_one::<u32>()
    )]
    copies: u32,
}

#[derive(Args)]
struct LoadArgs {
    /// Bots to join and stop
    #[arg(default_value_t = 1000, value_parser = at_least_one::<usize>())]
    bots: usize,
    /// Concurrent clients
    #[arg(default_value_t = 50, value_parser = at_least_one::<usize>())]
    clients: usize,
    /// Words each stand-in bot reports
    #[arg(default_value_t = 150)]
    words: u64,
    /// Seconds a bot may take from its stop to its last delivery
    #[arg(default_value_t = 300)]
    timeout_s: u64,
    /// Base of the webhook URLs (the receiver, or a fault proxy in front of it)
    /// [default: http://$RECEIVER_ADDR]
    #[arg(long, value_name = "URL", env = "LOAD_WEBHOOK_BASE", value_parser = NonEmptyStringValueParser::new())]
    webhook_base: Option<String>,
    /// Also write the report as JSON to this file
    #[arg(long, value_name = "FILE", env = "LOAD_REPORT_JSON")]
    report_json: Option<PathBuf>,
}

impl Cli {
    /// Runs the command.
    pub async fn run(self) -> Result<(), String> {
        match self.command {
            Command::Bootstrap { visibility_timeout } => {
                bootstrap::local_stack(visibility_timeout).await
            }
            Command::ApiKey { account } => accounts::print_api_key(&account).await,
            Command::WebhookSecret { account } => accounts::print_webhook_secret(&account).await,
            Command::SeedLocal => crate::seed::run().await,
            Command::AccountLimits {
                account,
                active_bots,
                joins_per_minute,
                emails_per_day,
                email_domains,
                retention_hours,
            } => {
                let email_domains = email_domains.map(|list| match list.trim() {
                    "any" | "" => None,
                    list => Some(
                        list.split(',')
                            .map(|d| d.trim().to_owned())
                            .filter(|d| !d.is_empty())
                            .collect(),
                    ),
                });
                let changes = accounts::LimitChanges {
                    active_bots,
                    joins_per_minute,
                    emails_per_day,
                    email_domains,
                    retention_hours,
                };
                accounts::set_limits(&account, changes).await
            }
            Command::Standin => standin::serve(&local::standin_addr()).await,
            Command::Receiver => receiver::serve(&local::receiver_addr()).await,
            Command::EventSource(args) => {
                let runner = Runner::local(args.run, args.env_vars)?;
                event_source::serve_local(args.pollers, args.copies, runner).await
            }
            Command::Demo => demo::run().await,
            Command::BenchMeeting { log } => {
                println!("{}", demo::one_hour_meeting(&log).await?);
                Ok(())
            }
            Command::BenchColdStart { samples } => {
                println!("{}", bench::run(samples).await?);
                Ok(())
            }
            Command::Insights { file } => insights_cmd::print_insights(&file),
            Command::InsightsBatch { dir, words } => {
                let dir = dir.unwrap_or_else(|| local::repo_root().join("xtask/data/qmsum/val"));
                insights_cmd::print_batch(&dir, words)
            }
            Command::InsightsScores { dir } => {
                let dir = dir.unwrap_or_else(|| local::repo_root().join("xtask/data/qmsum/val"));
                insights_cmd::print_scores(&dir)
            }
            Command::EmailPreview {
                transcript,
                room_url,
                results_base_url,
                out,
            } => {
                let out = out.unwrap_or_else(|| local::repo_root().join(".local/email-preview"));
                let html = email_preview::write(
                    transcript.as_deref(),
                    &room_url,
                    Some(&results_base_url),
                    &out,
                )?;
                println!("{}", html.display());
                Ok(())
            }
            Command::FaultProxy {
                listen,
                upstream,
                rate,
            } => fault_proxy::serve(&listen, &upstream, rate).await,
            Command::Cost {
                meetings,
                clients,
                write,
            } => {
                crate::cost::run(crate::cost::CostConfig {
                    meetings,
                    clients,
                    write_to: write,
                })
                .await
            }
            Command::Load(args) => {
                let config = load::LoadConfig {
                    bots: args.bots,
                    clients: args.clients,
                    words: args.words,
                    webhook_base: args
                        .webhook_base
                        .unwrap_or_else(|| format!("http://{}", local::receiver_addr())),
                    timeout: Duration::from_secs(args.timeout_s),
                };
                load::run_and_report(config, args.report_json.as_deref()).await
            }
        }
    }
}

fn account(s: &str) -> Result<AccountId, String> {
    AccountId::parse(s).map_err(|e| e.to_string())
}

/// A count of at least one.
fn at_least_one<T>() -> RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    RangedU64ValueParser::new().range(1..)
}

fn fault_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err("not a number from 0 to 1".into()),
    }
}

/// `K=V` of `--env-var`.
fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err("not K=V".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(args.iter().copied())).map(|c| c.command)
    }

    #[test]
    fn the_scripts_forms_parse() {
        for args in [
            &["bootstrap"][..],
            &["api-key", "fuzz"],
            &["webhook-secret", "acme"],
            &["standin"],
            &["receiver"],
            &["event-source", "2"],
            &[
                "event-source",
                "2",
                "--run",
                "target/debug/pipeline",
                "--env-var",
                "A=b=c",
                "--env-var",
                "B=1",
            ],
            &["demo"],
            &["bench-meeting", ".local/logs/api.log"],
            &["bench-cold-start", "5"],
            &["insights", "x.json"],
            &["insights-batch", "/dir", "--words", "50"],
            &["insights-scores"],
            &["email-preview"],
            &["email-preview", "--transcript", "x.json", "--out", "/tmp/p"],
            &[
                "fault-proxy",
                "127.0.0.1:4567",
                "http://127.0.0.1:4566",
                "0.1",
            ],
            &["load", "1000", "50"],
            &["load", "200", "20", "150", "600"],
        ] {
            assert!(parse(args).is_ok(), "{args:?}: {:?}", parse(args).err());
        }
    }

    #[test]
    fn env_vars_keep_their_order_and_split_at_the_first_equals_sign() {
        let Ok(Command::EventSource(args)) = parse(&[
            "event-source",
            "3",
            "--run",
            "p",
            "--env-var",
            "A=b=c",
            "--env-var",
            "B=",
        ]) else {
            panic!("not parsed");
        };
        assert_eq!(args.pollers, 3);
        assert_eq!(args.run, Some(PathBuf::from("p")));
        assert_eq!(
            args.env_vars,
            [("A".into(), "b=c".into()), ("B".into(), String::new())]
        );
    }

    #[test]
    fn environment_variables_stand_in_for_missing_flags() {
        std::env::set_var("EVENT_SOURCE_COPIES", "3");
        let from_env = parse(&["event-source", "2"]);
        let from_flag = parse(&["event-source", "2", "--copies", "4"]);
        std::env::remove_var("EVENT_SOURCE_COPIES");
        let copies = |c| match c {
            Ok(Command::EventSource(args)) => args.copies,
            _ => panic!("not parsed"),
        };
        assert_eq!(copies(from_env), 3);
        assert_eq!(copies(from_flag), 4);
    }

    #[test]
    fn bad_arguments_are_refused() {
        for args in [
            &["load", "abc"][..],
            &["load", "0"],
            &["load", "10", "5", "150", "600", "extra"],
            &["event-source", "x"],
            &["event-source", "2", "--env-var", "A=1"],
            &["event-source", "--run", "p", "--env-var", "novalue"],
            &["bench-cold-start", "many"],
            &["fault-proxy", "127.0.0.1:1", "http://x", "1.5"],
            &["api-key"],
            &["api-key", "Not An Account"],
            &["insights"],
            &["unknown"],
            &[],
        ] {
            assert!(parse(args).is_err(), "{args:?} was accepted");
        }
    }
}
