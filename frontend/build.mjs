// Bundles the card (src/, with its own copy of Lit) into the one file the
// integration serves: custom_components/ollama_vision/frontend/.
//
//   node build.mjs           write the file
//   node build.mjs --check   fail when the committed file is not what the
//                            sources build to (scripts/test runs this)
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL(".", import.meta.url));
export const OUTPUT = fileURLToPath(
  new URL(
    "../custom_components/ollama_vision/frontend/ollama-vision-timeline-card.js",
    import.meta.url,
  ),
);

export const OPTIONS = {
  absWorkingDir: root,
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  // What Home Assistant's frontend itself asks of a browser.
  target: ["es2021"],
  minify: true,
  // Lit's licence stays with its code.
  legalComments: "eof",
  charset: "utf8",
  banner: {
    js: "// Ollama Vision timeline card. Built from frontend/ by scripts/build-card: do not edit.",
  },
  write: false,
  logLevel: "warning",
};

/** The file as the sources build it. */
export async function bundle() {
  const result = await build(OPTIONS);
  return result.outputFiles[0].contents;
}

async function main() {
  const built = await bundle();
  if (process.argv.includes("--check")) {
    const committed = await readFile(OUTPUT).catch(() => Buffer.alloc(0));
    if (!Buffer.from(built).equals(committed)) {
      console.error(
        `${OUTPUT} does not match frontend/src: run scripts/build-card and commit the result.`,
      );
      process.exit(1);
    }
    console.log("The committed card matches its sources.");
    return;
  }
  await writeFile(OUTPUT, built);
  console.log(`Wrote ${OUTPUT} (${built.length} bytes).`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
