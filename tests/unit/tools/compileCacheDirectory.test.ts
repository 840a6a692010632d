// Node's compile cache directory is defined twice in shell (the two plugin launchers) and once in jest.config.js
// (the tests' own processes): all three must name the same directory, or the tests' processes and the plugin
// processes compile the same modules into two caches.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

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
])("the launchers and jest.config.js name the same compile cache: %s", (_label, variables, expected) => {
  const env = { PATH: process.env.PATH, ...variables };
  expect(jestDirectory(env)).toBe(expected);
  for (const launcher of LAUNCHERS) expect(launcherDirectory(launcher, env)).toBe(expected);
});
