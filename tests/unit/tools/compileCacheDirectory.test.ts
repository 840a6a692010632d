// Node's compile cache directory is defined twice in shell (the two plugin launchers) and once in jest.config.js
// (the tests' own processes): all three must name the same directory, or the tests' processes and the plugin
// processes compile the same modules into two caches.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const LAUNCHERS = ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

/** What a launcher's `export NODE_COMPILE_CACHE=...` line sets, run by sh in the given environment. */
function launcherDirectory(launcher: string, env: NodeJS.ProcessEnv): string {
  const lines = fs
    .readFileSync(path.join(ROOT, "tools", "plugins", launcher), "utf8")
    .split("\n")
    .filter((line) => /^\s*export NODE_COMPILE_CACHE=/.test(line));
  expect(lines).toHaveLength(1);
  const run = spawnSync("sh", ["-c", `${lines[0]!.trim()}\nprintf %s "$NODE_COMPILE_CACHE"`], {
    env,
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  return run.stdout;
}

/** What jest.config.js sets, loaded in a fresh Node process with the given environment. */
function jestDirectory(env: NodeJS.ProcessEnv): string {
  const run = spawnSync(
    process.execPath,
    [
      "-e",
      `require(${JSON.stringify(path.join(ROOT, "jest.config.js"))}); process.stdout.write(process.env.NODE_COMPILE_CACHE)`,
    ],
    { env, encoding: "utf8" },
  );
  expect(run.status).toBe(0);
  return run.stdout;
}

test.each([
  ["HOME only", { HOME: "/home/someone" }, "/home/someone/.cache/entra-writeback/node-compile-cache"],
  [
    "XDG_CACHE_HOME",
    { HOME: "/home/someone", XDG_CACHE_HOME: "/var/cache/x" },
    "/var/cache/x/entra-writeback/node-compile-cache",
  ],
  [
    "an empty XDG_CACHE_HOME",
    { HOME: "/home/someone", XDG_CACHE_HOME: "" },
    "/home/someone/.cache/entra-writeback/node-compile-cache",
  ],
  [
    "NODE_COMPILE_CACHE already set",
    { HOME: "/home/someone", NODE_COMPILE_CACHE: "/elsewhere" },
    "/elsewhere",
  ],
  [
    "an empty NODE_COMPILE_CACHE",
    { HOME: "/home/someone", NODE_COMPILE_CACHE: "" },
    "/home/someone/.cache/entra-writeback/node-compile-cache",
  ],
])("the launchers and jest.config.js name the same compile cache: %s", (_label, variables, expected) => {
  const env = { PATH: process.env.PATH, ...variables };
  expect(jestDirectory(env)).toBe(expected);
  for (const launcher of LAUNCHERS) expect(launcherDirectory(launcher, env)).toBe(expected);
});
