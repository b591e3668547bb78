//! The markdown table of the runs (medians) and the comparisons under it.

use super::cold_start::Run;
use super::init::InitRow;

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// One line of the table: a function's cold starts and the size of its zip.
pub(super) struct Row {
    pub name: String,
    pub runs: Vec<Run>,
    pub zip: Option<u64>,
}

impl Row {
    fn line(&self) -> String {
        let mut init: Vec<f64> = self.runs.iter().map(|r| r.init_ms).collect();
        let mut first: Vec<f64> = self.runs.iter().map(|r| r.first_answer_ms).collect();
        let mut warm: Vec<f64> = self.runs.iter().flat_map(|r| r.warm_ms.clone()).collect();
        let rss = self.runs.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0) as f64 / 1024.0;
        let zip = self
            .zip
            .map(|z| format!("{:.2}", z as f64 / 1_048_576.0))
            .unwrap_or_else(|| "-".into());
        // A function run once per start (ping) has no warm invocations.
        let warm = match median(&mut warm) {
            ms if ms.is_nan() => "-".to_owned(),
            ms => format!("{ms:.2}"),
        };
        format!(
            "| {:<22} | {:>9.1} | {:>11.1} | {:>8} | {:>8.1} | {:>7} |",
            self.name,
            median(&mut init),
            median(&mut first),
            warm,
            rss,
            zip
        )
    }

    fn median_init(&self) -> f64 {
        median(&mut self.runs.iter().map(|r| r.init_ms).collect::<Vec<_>>())
    }

    fn median_first(&self) -> f64 {
        median(
            &mut self
                .runs
                .iter()
                .map(|r| r.first_answer_ms)
                .collect::<Vec<_>>(),
        )
    }
}

/// Every row measured, each against its baseline.
pub(super) struct Rows {
    /// The Rust functions, by name: join, status, stop, report, pipeline, then the others.
    pub functions: Vec<Row>,
    pub python_status: Row,
    pub python_stop: Row,
    pub hello: Row,
    /// status again with other CA stores.
    pub ca_stores: Vec<Row>,
    /// Init alone, many starts: hello-world first, then every function.
    pub init: Vec<InitRow>,
    pub init_starts: usize,
}

/// The table, then each comparison in a sentence.
pub(super) fn table(samples: usize, rows: &Rows) -> String {
    let Rows {
        functions,
        python_status: py_status,
        python_stop: py_stop,
        hello,
        ca_stores,
        init,
        init_starts,
    } = rows;
    let mut out = format!(
        "Cold start under a local Runtime API stub ({samples} cold starts each, medians; warm = later invocations in the same process; \
         one CA bundle file, as on provided.al2023, unless the row says otherwise).\n\n\
         | function               | init (ms) | first (ms)  | warm (ms)| peak MB  | zip MB  |\n\
         |------------------------|-----------|-------------|----------|----------|---------|\n"
    );
    for row in functions
        .iter()
        .chain([py_status, py_stop, hello])
        .chain(ca_stores)
    {
        out.push_str(&row.line());
        out.push('\n');
    }
    let find = |n: &str| functions.iter().find(|r| r.name == n).expect("row");
    out.push_str(&format!(
        "\ninit: status {:.1}x faster than Python+boto3 ({:.1} vs {:.1} ms), stop {:.1}x ({:.1} vs {:.1} ms)\n",
        py_status.median_init() / find("status").median_init(),
        find("status").median_init(),
        py_status.median_init(),
        py_stop.median_init() / find("stop").median_init(),
        find("stop").median_init(),
        py_stop.median_init()
    ));
    out.push_str(&format!(
        "first answered invocation: status {:.1}x faster than Python+boto3 ({:.1} vs {:.1} ms), stop {:.1}x ({:.1} vs {:.1} ms)\n",
        py_status.median_first() / find("status").median_first(),
        find("status").median_first(),
        py_status.median_first(),
        py_stop.median_first() / find("stop").median_first(),
        find("stop").median_first(),
        py_stop.median_first()
    ));
    for row in ca_stores {
        out.push_str(&format!(
            "init with {}: {:.1} ms = {:.2}x hello-world\n",
            row.name.trim_start_matches("status, "),
            row.median_init(),
            row.median_init() / hello.median_init()
        ));
    }
    out.push_str(&init_table(
        init,
        *init_starts,
        py_status.median_init().min(py_stop.median_init()),
    ));
    out
}

/// Init alone over many starts, each binary against hello-world, and the slowest against
/// the faster Python handler's init (`python_ms`, from the workload above).
fn init_table(init: &[InitRow], starts: usize, python_ms: f64) -> String {
    let Some((hello, functions)) = init.split_first() else {
        return String::new();
    };
    let mut out = format!(
        "\nInit alone, {starts} starts of each binary (exec to the first /next; one CA bundle file):\n\n\
         | binary                 | median (ms) | p90 (ms) | x hello-world |\n\
         |------------------------|-------------|----------|---------------|\n"
    );
    for row in init {
        out.push_str(&format!(
            "| {:<22} | {:>11.2} | {:>8.2} | {:>13.2} |\n",
            row.name,
            row.median_ms,
            row.p90_ms,
            row.median_ms / hello.median_ms
        ));
    }
    let slowest = functions
        .iter()
        .max_by(|a, b| a.median_ms.total_cmp(&b.median_ms))
        .expect("functions");
    let over: Vec<&str> = functions
        .iter()
        .filter(|r| r.median_ms > 2.0 * hello.median_ms)
        .map(|r| r.name.as_str())
        .collect();
    out.push_str(&format!(
        "\ninit vs hello-world: slowest function {} {:.2} ms = {:.2}x hello-world's {:.2} ms; over 2x: {}\n",
        slowest.name,
        slowest.median_ms,
        slowest.median_ms / hello.median_ms,
        hello.median_ms,
        if over.is_empty() { "none".to_owned() } else { over.join(", ") }
    ));
    out.push_str(&format!(
        "init vs Python+boto3: slowest function {:.1}x faster than the faster Python handler ({:.2} vs {:.1} ms)\n",
        python_ms / slowest.median_ms,
        slowest.median_ms,
        python_ms
    ));
    out
}
