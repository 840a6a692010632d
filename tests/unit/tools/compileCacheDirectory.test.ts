// Node's compile cache directory is defined twice in shell (the two plugin launchers), once in jest.config.js
// (the tests' own processes) and once in tools/compileCache.ts (the drift tool): all must name the same directory,
// or these processes compile the same modules into separate caches.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compileCacheDirectory } from "../../../tools/compileCache";
import { ensureBuilt } from "../simulator/testSupport";

const ROOT = path.join(__dirname, "..", "..", "..");
const LAUNCHERS = ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

/** What a command prints, checked to succeed. */
function printed(command: string, args: string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync(command, args, { env, encoding: "utf8" });
  expect(run.status).toBe(0);
  return run.stdout;
}

/** What a launcher's `export NODE_COMPILE_CACHE=...` line sets, run by sh in the given environment. */
function launcherDirectory(launcher: string, env: NodeJS.ProcessEnv): string {
  const lines = fs
    .readFileSync(path.join(ROOT, "tools", "plugins", launcher), "utf8")
    .split("\n")
    .filter((line) => /^\s*export NODE_COMPILE_CACHE=/.test(line));
  expect(lines).toHaveLength(1);
  return printed("sh", ["-c", `${lines[0]!.trim()}\nprintf %s "$NODE_COMPILE_CACHE"`], env);
}

/** What jest.config.js sets, loaded in a fresh Node process with the given environment. */
function jestDirectory(env: NodeJS.ProcessEnv): string {
  const config = JSON.stringify(path.join(ROOT, "jest.config.js"));
  return printed(
    process.execPath,
    ["-e", `require(${config}); process.stdout.write(process.env.NODE_COMPILE_CACHE)`],
    env,
  );
}

const HOME = "/home/someone";
const BESIDE_HOME = `${HOME}/.cache/entra-writeback/node-compile-cache`;

test.each([
  ["HOME only", { HOME }, BESIDE_HOME],
  [
    "XDG_CACHE_HOME",
    { HOME, XDG_CACHE_HOME: "/var/cache/x" },
    "/var/cache/x/entra-writeback/node-compile-cache",
  ],
  ["an empty XDG_CACHE_HOME", { HOME, XDG_CACHE_HOME: "" }, BESIDE_HOME],
  ["NODE_COMPILE_CACHE already set", { HOME, NODE_COMPILE_CACHE: "/elsewhere" }, "/elsewhere"],
  ["an empty NODE_COMPILE_CACHE", { HOME, NODE_COMPILE_CACHE: "" }, BESIDE_HOME],
])(
  "the launchers, jest.config.js and the drift tool name the same compile cache: %s",
  (_label, variables, expected) => {
    const env = { PATH: process.env.PATH, ...variables };
    expect(jestDirectory(env)).toBe(expected);
    expect(compileCacheDirectory(env)).toBe(expected);
    for (const launcher of LAUNCHERS) expect(launcherDirectory(launcher, env)).toBe(expected);
  },
);

test("enableCompileCache compiles the modules loaded after it into that directory, in a process started without NODE_COMPILE_CACHE", async () => {
  await ensureBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-home-"));
  try {
    const helper = JSON.stringify(path.join(ROOT, "dist", "tools", "compileCache.js"));
    const zod = JSON.stringify(require.resolve("zod"));
    const env = { PATH: process.env.PATH, HOME: home };
    const enabled = printed(
      process.execPath,
      [
        "-e",
        `const m = require("node:module"); const before = m.getCompileCacheDir(); require(${helper}).enableCompileCache(); ` +
          `require(${zod}); process.stdout.write(JSON.stringify([before ?? null, m.getCompileCacheDir()]))`,
      ],
      env,
    );
    const directory = `${home}/.cache/entra-writeback/node-compile-cache`;
    const [before, after] = JSON.parse(enabled) as [string | null, string];
    expect(before).toBeNull();
    expect(after.startsWith(`${directory}/`)).toBe(true); // Node keeps one subdirectory per version: v24...
    // What was compiled after it was written there when the process ended (Node makes the directory when the cache is
    // enabled, so the files are counted).
    const files = fs.readdirSync(after, { withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(0);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}, 180_000);
