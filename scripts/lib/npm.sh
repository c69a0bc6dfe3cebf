# Sourced by scripts/setup, scripts/build-card and scripts/test: the card's npm
# packages (frontend/package-lock.json, exact versions) in frontend/node_modules.
# `npm ci` runs only when the lock file changed since the last install.
frontend_packages() {
  command -v npm >/dev/null 2>&1 || {
    echo "The timeline card's build and tests need Node.js 20 or newer with npm." >&2
    return 1
  }
  local stamp=frontend/node_modules/.package-lock.sha want
  want=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo ">> npm ci (the timeline card's build and test tools)"
    npm ci --prefix frontend --no-audit --no-fund --loglevel=error || return 1
    echo "$want" > "$stamp"
  fi
}
