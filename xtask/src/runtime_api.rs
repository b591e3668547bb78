//! A local Lambda Runtime API (the `2018-06-01` interface a function binary polls): one
//! server per execution environment, handing out one invocation at a time, as Lambda does.
//! `make bench` starts function binaries under it to time their cold start; the event
//! source runs the pipeline function under it when the suite needs to kill the process
//! (`make chaos`), because then it can see the process die and start a new one, as Lambda
//! starts a new execution environment.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, Mutex};

/// What the function did with one invocation.
#[derive(Debug)]
pub struct Answer {
    pub id: String,
    pub at: Instant,
    /// The response body, or the error the function posted.
    pub result: Result<Value, String>,
}

struct Shared {
    events: Mutex<mpsc::Receiver<(String, Value)>>,
    first_next: std::sync::Mutex<Option<Instant>>,
    answers: mpsc::Sender<Answer>,
    function_arn: String,
    timeout: Duration,
}

async fn next(State(s): State<Arc<Shared>>) -> impl IntoResponse {
    s.first_next
        .lock()
        .unwrap()
        .get_or_insert_with(Instant::now);
    let Some((id, event)) = s.events.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let deadline = (SystemTime::now() + s.timeout)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: String| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    put("lambda-runtime-aws-request-id", id);
    put(
        "lambda-runtime-deadline-ms",
        deadline.as_millis().to_string(),
    );
    put(
        "lambda-runtime-invoked-function-arn",
        s.function_arn.clone(),
    );
    put(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000".into(),
    );
    put("content-type", "application/json".into());
    (StatusCode::OK, headers, event.to_string())
}

async fn response(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    let answer = Answer {
        id,
        at: Instant::now(),
        result: Ok(value),
    };
    let _ = s.answers.send(answer).await;
    StatusCode::ACCEPTED
}

async fn error(State(s): State<Arc<Shared>>, Path(id): Path<String>, body: String) -> StatusCode {
    let answer = Answer {
        id,
        at: Instant::now(),
        result: Err(body),
    };
    let _ = s.answers.send(answer).await;
    StatusCode::ACCEPTED
}

async fn init_error(body: String) -> StatusCode {
    eprintln!("init error: {body}");
    StatusCode::ACCEPTED
}

/// What to start: a binary (or interpreter) with arguments, in a directory.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub dir: Option<PathBuf>,
}

/// One execution environment: the Runtime API server and the function's process.
pub struct Environment {
    pub child: tokio::process::Child,
    pub started: Instant,
    events: mpsc::Sender<(String, Value)>,
    answers: mpsc::Receiver<Answer>,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// How the process is started.
pub struct Launch<'a> {
    /// The whole environment when `clean` (a benchmark's), else added to this process's.
    pub env: &'a HashMap<String, String>,
    pub clean: bool,
    pub timeout: Duration,
    /// Where the function's stderr goes: piped (read it after a failure) or inherited.
    pub pipe_stderr: bool,
}

impl Environment {
    /// Starts the server on a free loopback port, then the process pointed at it.
    pub async fn start(target: &Target, launch: Launch<'_>) -> Result<Self, String> {
        let (events_tx, events_rx) = mpsc::channel(1);
        let (answers_tx, answers_rx) = mpsc::channel(16);
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            first_next: std::sync::Mutex::new(None),
            answers: answers_tx,
            function_arn: format!(
                "arn:aws:lambda:us-east-1:123456789012:function:{}",
                target.name
            ),
            timeout: launch.timeout,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let mut command = tokio::process::Command::new(&target.program);
        command.args(&target.args);
        if launch.clean {
            command
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", std::env::var("HOME").unwrap_or_default());
        }
        command
            .envs(launch.env)
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &target.name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .kill_on_drop(true);
        if launch.clean {
            // A benchmark's function logs nothing worth keeping; others log where we do.
            command.stdout(std::process::Stdio::null());
        }
        if launch.pipe_stderr {
            command.stderr(std::process::Stdio::piped());
        }
        if let Some(dir) = &target.dir {
            command.current_dir(dir);
        }
        let started = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("start {}: {e}", target.program.display()))?;
        Ok(Self {
            child,
            started,
            events: events_tx,
            answers: answers_rx,
            shared,
            server,
        })
    }

    /// When the process first asked for an invocation (its init ended).
    pub fn first_next(&self) -> Option<Instant> {
        *self.shared.first_next.lock().unwrap()
    }

    /// One invocation: its answer, or why there is none (the process exited, or it did not
    /// answer within the timeout, after which it is killed as Lambda kills a timed-out one).
    /// After an `Err` the environment is spent: start a new one.
    pub async fn invoke(&mut self, event: Value) -> Result<Answer, String> {
        let id = uuid::Uuid::new_v4().to_string();
        let timeout = self.shared.timeout;
        self.events
            .send((id.clone(), event))
            .await
            .map_err(|_| "the runtime API stopped".to_owned())?;
        loop {
            tokio::select! {
                answer = self.answers.recv() => {
                    let answer = answer.ok_or("the runtime API stopped")?;
                    // An answer to an earlier, abandoned invocation is not this one's.
                    if answer.id == id {
                        return Ok(answer);
                    }
                }
                status = self.child.wait() => {
                    let status = status.map_err(|e| e.to_string())?;
                    return Err(format!("the function's process exited mid-invocation ({status})"));
                }
                _ = tokio::time::sleep(timeout) => {
                    let _ = self.child.kill().await;
                    return Err(format!("no answer within the function's timeout ({timeout:?}); process killed"));
                }
            }
        }
    }

    /// Stops the process and the server; the process's stderr if it was piped.
    pub async fn stop(mut self) -> String {
        let _ = self.child.kill().await;
        self.server.abort();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            use tokio::io::AsyncReadExt;
            let _ = pipe.read_to_string(&mut stderr).await;
        }
        stderr
    }
}

impl Drop for Environment {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[cfg(test)]
mod tests {
    //! Functions played by `sh` and `curl` against the real server: one that answers, one
    //! that dies holding an invocation, one that never answers.

    use super::*;
    use serde_json::json;

    const NEXT: &str = "curl -s -D /dev/stdout -o /dev/null http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next";

    fn shell(script: &str) -> Target {
        Target {
            name: "test".into(),
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            dir: None,
        }
    }

    async fn start(script: &str, timeout: Duration) -> Environment {
        let env = HashMap::new();
        let launch = Launch {
            env: &env,
            clean: false,
            timeout,
            pipe_stderr: true,
        };
        Environment::start(&shell(script), launch).await.unwrap()
    }

    #[tokio::test]
    async fn an_answer_reaches_the_invocation_it_belongs_to() {
        let script = format!(
            "id=$({NEXT} | tr -d '\\r' | sed -n 's/^lambda-runtime-aws-request-id: //p'); \
             curl -s -d '{{\"answered\":true}}' http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response; \
             sleep 30"
        );
        let mut environment = start(&script, Duration::from_secs(20)).await;
        let answer = environment.invoke(json!({"n": 1})).await.unwrap();
        assert_eq!(answer.result.unwrap(), json!({"answered": true}));
        assert!(environment.first_next().is_some());
    }

    #[tokio::test]
    async fn a_process_killed_mid_invocation_is_an_error_not_a_hang() {
        let script = format!("{NEXT} >/dev/null; kill -9 $$");
        let mut environment = start(&script, Duration::from_secs(60)).await;
        let error = environment.invoke(json!({})).await.unwrap_err();
        assert!(error.contains("exited mid-invocation"), "{error}");
    }

    #[tokio::test]
    async fn a_function_that_does_not_answer_is_killed_at_its_timeout() {
        let script = format!("{NEXT} >/dev/null; sleep 60");
        let mut environment = start(&script, Duration::from_secs(1)).await;
        let error = environment.invoke(json!({})).await.unwrap_err();
        assert!(error.contains("timeout"), "{error}");
        let status = environment.child.try_wait().unwrap();
        assert!(status.is_some(), "the timed-out process still runs");
    }
}
