# Sourced by scripts/setup and scripts/e2e-deps: pip, quietly, into .venv (or
# into the environment of $PIP_PYTHON).
#
# This machine's pip configuration may name package folders that do not exist;
# pip's warnings about them are noise, so they are dropped (other messages stay).
pip_install() {
  "${PIP_PYTHON:-.venv/bin/python}" -m pip install -q --disable-pip-version-check "$@" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
