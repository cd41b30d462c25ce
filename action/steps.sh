#!/usr/bin/env bash
# The shell steps of action.yml before cekura-ws runs: `bash steps.sh find-python|prepare|install`.
# Inputs arrive as environment variables and are never evaluated. Written for bash 3.2 (macOS).
set -euo pipefail

# The oldest Python cekura-ws runs on (requires-python in pyproject.toml): 3.MIN_MINOR.
MIN_MINOR=11
# What actions/setup-python sets up when the runner has no Python 3.11+ on PATH.
DEFAULT_PYTHON=3.12

# fail CODE MESSAGE: an ::error annotation, the job summary (unless the summary input is false), exit CODE.
fail() {
  local code=$1 message=$2 data text
  data=${message//%/%25}
  data=${data//$'\r'/%0D}
  data=${data//$'\n'/%0A}
  echo "::error title=cekura-ws action::$data"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ "${CEKURA_WS_SUMMARY:-}" != false ]; then
    text=$(printf '%s' "$message" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
    printf '## Cekura websocket runs: ❌ FAILED\n\n%s\n' "$text" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit "$code"
}

# shown VALUE: a value from outside, quoted on one line and cut to 40 characters.
shown() {
  local value=$1
  if [ "${#value}" -gt 40 ]; then value="${value:0:37}..."; fi
  printf '%q' "$value"
}

# version_of PYTHON: its version (3.12.4), or nothing when it does not run.
version_of() {
  "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true
}

# new_enough VERSION: 3.11 or newer.
new_enough() {
  [[ $1 =~ ^3\.([0-9]+)\. ]] && [ "${BASH_REMATCH[1]}" -ge "$MIN_MINOR" ]
}

# The runner's OS; a Python 3.11+ on PATH (output `path`), else the version for setup-python
# (output `setup-version`). Input python-version asks setup-python for that version regardless.
find_python() {
  case "${RUNNER_OS:-}" in
    Linux | macOS) ;;
    *) fail 2 "cekura-ws's action supports Linux and macOS runners, not $(shown "${RUNNER_OS:-unknown}"): use runs-on: ubuntu-latest (or a macOS runner) for this job" ;;
  esac
  local wanted=${CEKURA_WS_PYTHON_VERSION:-} candidate path version
  if [ -n "$wanted" ]; then
    if ! [[ $wanted =~ ^3\.([0-9]+)(\.[0-9]+)?$ ]] || [ "${BASH_REMATCH[1]}" -lt "$MIN_MINOR" ]; then
      fail 2 "input python-version: cekura-ws needs Python 3.$MIN_MINOR or newer, written like 3.12; got $(shown "$wanted")"
    fi
    echo "setup-version=$wanted" >>"$GITHUB_OUTPUT"
    return
  fi
  for candidate in python3 python3.14 python3.13 python3.12 python3.11; do
    path=$(command -v "$candidate") || continue
    version=$(version_of "$path")
    if new_enough "$version"; then
      echo "Using $path (Python $version)"
      echo "path=$path" >>"$GITHUB_OUTPUT"
      return
    fi
  done
  echo "No Python 3.$MIN_MINOR+ on PATH: actions/setup-python sets up $DEFAULT_PYTHON for cekura-ws alone (the job's PATH stays as it is)"
  echo "setup-version=$DEFAULT_PYTHON" >>"$GITHUB_OUTPUT"
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi
}

# The Python to use (checked), the virtual environment's folder and its cache key: the OS, the
# architecture, the Python (version and path: a venv points at its interpreter) and a hash of
# everything installed from the action (constraints.txt, pyproject.toml, the package sources).
prepare() {
  local python=${CEKURA_WS_PYTHON:-} version sources
  if [ -z "$python" ]; then
    fail 2 "no Python for cekura-ws: actions/setup-python gave no python-path"
  fi
  version=$(version_of "$python")
  if ! new_enough "$version"; then
    fail 2 "cekura-ws needs Python 3.$MIN_MINOR or newer; $(shown "$python") is ${version:-not runnable}"
  fi
  sources=$(
    cd "$GITHUB_ACTION_PATH"
    find constraints.txt pyproject.toml README.md cekura_wrapper generated -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256
  )
  {
    echo "python=$python"
    echo "dir=$RUNNER_TEMP/cekura-ws-venv"
    echo "key=cekura-ws-${RUNNER_OS}-${RUNNER_ARCH:-any}-py$version-$(printf '%s\n%s' "$python" "$sources" | sha256 | cut -c1-32)"
  } >>"$GITHUB_OUTPUT"
}

# Install cekura-ws into the virtual environment unless the cache restored it for this very key.
# Built from a copy of the sources, so nothing (build/, *.egg-info) is written into the action's
# folder; every dependency pinned by constraints.txt.
install() {
  local venv=$CEKURA_WS_VENV key=$CEKURA_WS_KEY source
  if [ -x "$venv/bin/cekura-ws" ] && [ "$(cat "$venv/.cekura-ws-key" 2>/dev/null)" = "$key" ]; then
    echo "cekura-ws is installed already (restored from the cache)"
    return
  fi
  rm -rf "$venv"
  "$CEKURA_WS_PYTHON" -m venv "$venv" || fail 3 "could not create a virtual environment with $CEKURA_WS_PYTHON"
  source=$(mktemp -d "$RUNNER_TEMP/cekura-ws-source.XXXXXX")
  cp -R "$GITHUB_ACTION_PATH/pyproject.toml" "$GITHUB_ACTION_PATH/README.md" \
    "$GITHUB_ACTION_PATH/cekura_wrapper" "$GITHUB_ACTION_PATH/generated" "$source/"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$GITHUB_ACTION_PATH/constraints.txt" "$source" ||
    fail 3 "could not install cekura-ws and its dependencies (pip's error is above)"
  rm -rf "$source"
  echo "$key" >"$venv/.cekura-ws-key"
}

case "${1:-}" in
  find-python) find_python ;;
  prepare) prepare ;;
  install) install ;;
  *)
    echo "usage: steps.sh find-python|prepare|install" >&2
    exit 2
    ;;
esac
