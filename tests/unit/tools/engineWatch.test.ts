// tools/plugins/engine-watch.js on its own: a process that loaded it stops soon after the process that started
// it is killed, after letting its ENGINE_GONE listeners finish their work.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENGINE_GONE_EVENT } from "../../../powershell/engineGone";
import { exists, until } from "../../support/processes";

const WATCH = path.join(__dirname, "..", "..", "..", "tools", "plugins", "engine-watch.js");

test("a plugin whose engine is killed runs its stop work, then exits within a few seconds", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "engine-watch-"));
  const stopped = path.join(directory, "stopped");
  const ready = path.join(directory, "ready");
  // The plugin: says it is ready (after --require loaded the watch), waits forever, and on ENGINE_GONE records that
  // its stop work ran.
  const plugin =
    `require("fs").writeFileSync(${JSON.stringify(ready)}, "");` +
    `process.on(${JSON.stringify(ENGINE_GONE_EVENT)}, (waitFor) => waitFor(new Promise((done) => ` +
    `setTimeout(() => { require("fs").writeFileSync(${JSON.stringify(stopped)}, "stopped"); done(); }, 100))));` +
    "setInterval(() => undefined, 1000);";
  // The engine: starts the plugin, prints its pid, and waits to be killed.
  const engine =
    `const child = require("child_process").spawn(process.execPath, ["--require", ${JSON.stringify(WATCH)}, "-e", ${JSON.stringify(plugin)}], { stdio: "ignore" });` +
    "console.log(child.pid); setInterval(() => undefined, 1000);";
  const engineProcess = spawn(process.execPath, ["-e", engine], { stdio: ["ignore", "pipe", "inherit"] });
  let pluginPid: number | undefined;
  try {
    pluginPid = await new Promise<number>((resolve) =>
      engineProcess.stdout.once("data", (text: Buffer) => resolve(Number(text.toString().trim()))),
    );
    // Killing the engine before the plugin loaded the watch would test nothing (its parent would already be init).
    expect(await until(() => fs.existsSync(ready), 20_000)).toBe(true);
    expect(exists(pluginPid)).toBe(true); // the filter below can see it alive

    engineProcess.kill("SIGKILL");
    expect(await until(() => !exists(pluginPid!), 15_000)).toBe(true);
    expect(fs.readFileSync(stopped, "utf8")).toBe("stopped");
  } finally {
    engineProcess.kill("SIGKILL");
    if (pluginPid !== undefined && exists(pluginPid)) process.kill(pluginPid, "SIGKILL"); // a failed run's plugin
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("a plugin told which parent to watch (ENTRA_WRITEBACK_WATCH_PARENT, as the provider's Go front does) stops when that one is gone already, and does not pass the variable on", async () => {
  // What the plugin's own children see of the variable, and a plugin that waits forever.
  const plugin =
    'console.log(JSON.stringify(require("child_process").execFileSync(process.execPath, ["-p", "process.env.ENTRA_WRITEBACK_WATCH_PARENT ?? null"], { encoding: "utf8" }).trim()));' +
    "setInterval(() => undefined, 1000);";
  const start = (watchParent: number) =>
    spawn(process.execPath, ["--require", WATCH, "-e", plugin], {
      env: { ...process.env, ENTRA_WRITEBACK_WATCH_PARENT: String(watchParent) },
      stdio: ["ignore", "pipe", "inherit"],
    });
  // A window long enough for a stop on a loaded machine (the watch polls every 200 ms), short for a plugin that runs on.
  const outcome = async (child: ReturnType<typeof start>, windowMs: number) => {
    const seen = await new Promise<string>((resolve) =>
      child.stdout.once("data", (text: Buffer) => resolve(text.toString().trim())),
    );
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still running"), windowMs))),
    ]);
    clearTimeout(timer);
    child.kill("SIGKILL");
    return { seen, exit };
  };
  // Its parent (this process) as the one to watch: it keeps running, as the filter below can tell.
  expect(await outcome(start(process.pid), 2_000)).toEqual({ seen: '"null"', exit: "still running" });
  // A parent that is not its parent (the front already gone when the plugin started): it stops.
  const gone = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => gone.on("exit", resolve));
  expect(await outcome(start(gone.pid!), 10_000)).toEqual({ seen: '"null"', exit: 70 });
}, 30_000);
