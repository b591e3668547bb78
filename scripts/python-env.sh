# Sourced by every script that runs a Python tool (moto, cargo-lambda, sam, cfn-lint,
# schemathesis, the OpenAPI check, the benchmarks): the project's own virtual environment
# `.venv` (ignored by git), made from the pinned scripts/requirements.lock and remade when
# the lock changes. Nothing is ever installed into the machine's global Python.
# After sourcing, `python3` and the tools on PATH are the environment's.

_pf_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PF_VENV=${PF_VENV:-$_pf_root/.venv}
_pf_lock=$_pf_root/scripts/requirements.lock

_pf_venv_ready() {
  [ -x "$PF_VENV/bin/python3" ] &&
    [ "$(cat "$PF_VENV/.lock-sha256" 2>/dev/null)" = "$(sha256sum "$_pf_lock" | cut -d' ' -f1)" ]
}

if ! _pf_venv_ready; then
  mkdir -p "$(dirname "$PF_VENV")"
  (
    set -o pipefail
    # One installer at a time, even if several scripts start together.
    flock 9
    if ! _pf_venv_ready; then
      echo "python tools: building $PF_VENV from scripts/requirements.lock (first run: about a minute)" >&2
      rm -rf "$PF_VENV"
      python3 -m venv "$PF_VENV"
      "$PF_VENV/bin/python3" -m pip install --disable-pip-version-check --no-input \
        --progress-bar off -r "$_pf_lock" 2>&1 |
        awk '/^Collecting/ { n++; if (n % 10 == 1) { print "  pip: " $0; fflush() } }
             /^ERROR/ { print "  pip: " $0; fflush() }
             /^Successfully installed/ { print "  pip: installed " NF - 2 " packages"; fflush() }' >&2
      "$PF_VENV/bin/python3" -m pip check --disable-pip-version-check >/dev/null ||
        { echo "python tools: the environment is inconsistent (pip check)" >&2; exit 1; }
      sha256sum "$_pf_lock" | cut -d' ' -f1 >"$PF_VENV/.lock-sha256"
      echo "python tools: ready" >&2
    fi
  ) 9>"$PF_VENV.lock" || { echo "python tools: could not build $PF_VENV" >&2; return 1 2>/dev/null || exit 1; }
fi
export PATH="$PF_VENV/bin:$PATH"
export VIRTUAL_ENV=$PF_VENV
unset _pf_root _pf_lock
