// The card's unit tests: each test/*.test.ts bundled for Node (Lit's browser
// build, as the card ships it), then run by Node's own test runner in a
// happy-dom window. Also type-checks everything first.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}.test-build`;
const tests = readdirSync(`${root}test`).filter((name) => name.endsWith(".test.ts"));

execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "--noEmit", "-p", root], {
  stdio: "inherit",
});

rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: tests.map((name) => `test/${name}`),
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "node",
  // Lit's browser build: the one the card ships.
  conditions: ["browser"],
  external: ["esbuild", "happy-dom", "@happy-dom/*", "../build.mjs"],
  logLevel: "warning",
});
const result = spawnSync(
  process.execPath,
  ["--import", `${root}test/dom.mjs`, "--test", "--test-force-exit", "--test-reporter=spec", ...tests.map((name) => `${out}/${name.replace(/\.ts$/, ".mjs")}`)],
  { stdio: "inherit", cwd: root },
);
process.exit(result.status ?? 1);
