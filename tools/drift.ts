// npm run drift -- [stack ...] [--project-dir DIR] [--json FILE] [--junit FILE] [--parallel N] [--timeout SECONDS]
//                   [--separate-hosts]
// Runs `pulumi preview --refresh --expect-no-changes` for every stack (or the ones named), a bounded number
// at a time, prints a table (in the order the stacks were named or listed, whatever order they finish in),
// writes JSON and JUnit XML reports, and exits 1 when any stack drifted or failed (2 on bad usage, no stacks, no CLI,
// or a failed stack listing).
// The programs of all stacks run in one language host in this process (drift/sharedHost.ts), each preview
// connecting to it with --client; --separate-hosts lets each preview start its own, as `pulumi preview` does. A
// preview that outlives --timeout is stopped (its process tree killed) and its stack fails. When a stack's program
// may be holding up the others in the shared host (its preview ended or timed out while its program still ran), the
// stacks not checked yet are checked again, each with a language host of its own.
import "./compileCacheOn"; // first: the modules below compile through Node's compile cache
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { classifyPreview, type StackDriftResult } from "./drift/classify";
import { defaultParallelism, mapWithConcurrency } from "./drift/pool";
import { renderJson, renderJunit, renderTable } from "./drift/render";
import type { SharedLanguageHost } from "./drift/sharedHost";
import { projectRoot, resolvePulumiCli, runPulumi } from "./pulumiCli";

/** Seconds one preview may take by default: against real servers each call may take callTimeoutSeconds (300 s). */
const DEFAULT_TIMEOUT_SECONDS = 1800;
const TIMEOUT_RANGE = "--timeout: a whole number of seconds from 1 to 86400";

/** A whole number from min to max, refused with one message that names the option (printed as it is). */
const wholeNumber = (min: number, max: number, message: string) =>
  z.coerce.number({ message }).int(message).min(min, message).max(max, message);

const options = z.strictObject({
  projectDir: z.string().min(1),
  json: z.string().min(1),
  junit: z.string().min(1),
  stacks: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "a stack name (letters, digits, _ . -)")),
  parallel: wholeNumber(1, 64, "--parallel: a whole number of stacks from 1 to 64"),
  timeout: wholeNumber(1, 86_400, TIMEOUT_RANGE),
  separateHosts: z.boolean(),
});

const USAGE =
  "usage: npm run drift -- [stack ...] [--project-dir DIR] [--json FILE] [--junit FILE] [--parallel N] " +
  "[--timeout SECONDS] [--separate-hosts]";

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "project-dir": { type: "string" },
      json: { type: "string" },
      junit: { type: "string" },
      parallel: { type: "string", short: "j" },
      timeout: { type: "string" },
      "separate-hosts": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    console.log(
      `  --parallel N, -j N  stacks checked at once (default ${defaultParallelism()} on this machine: twice the cores, 2 to 8)`,
    );
    console.log(
      `  --timeout SECONDS   a preview still running after this is stopped and its stack failed (default ${DEFAULT_TIMEOUT_SECONDS})`,
    );
    console.log(
      "  --separate-hosts    each preview starts its own language host (by default one in this process runs every program)",
    );
    process.exit(0);
  }
  const projectDir = path.resolve(values["project-dir"] ?? projectRoot);
  const parsed = options.safeParse({
    projectDir,
    json: values.json ?? path.join(projectDir, "reports", "drift.json"),
    junit: values.junit ?? path.join(projectDir, "reports", "drift.xml"),
    stacks: positionals,
    parallel: values.parallel ?? defaultParallelism(),
    timeout: values.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    separateHosts: values["separate-hosts"] ?? false,
  });
  if (!parsed.success)
    throw new Error(
      parsed.error.issues
        .map((i) => (i.message.startsWith("--") ? i.message : `${i.path.join(".")}: ${i.message}`))
        .join("; "),
    );
  return parsed.data;
}

async function allStacks(projectDir: string): Promise<string[]> {
  const listed = await runPulumi(["stack", "ls", "--json"], { projectDir });
  if (listed.exitCode !== 0) throw new Error(`pulumi stack ls failed: ${listed.stderr.trim()}`);
  return (JSON.parse(listed.stdout) as { name: string }[]).map((s) => s.name.split("/").at(-1)!);
}

/** A preview's end: its stack's result, or that it was stopped for another reason than its own timeout. */
type Check = { result: StackDriftResult; timedOut: boolean } | { cancelled: true };

/**
 * One stack's preview. With a shared host, `--client=ADDRESS`: the preview runs its program there and starts no
 * language host. Stopped (the CLI's process tree killed) after `timeoutSeconds`, or when `cancel` is aborted.
 */
async function checkStack(
  stack: string,
  projectDir: string,
  timeoutSeconds: number,
  client: string | undefined,
  cancel: AbortSignal,
): Promise<Check> {
  const started = Date.now();
  const clientFlag = client ? [`--client=${client}`] : [];
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const run = await runPulumi(
    ["preview", "--refresh", "--expect-no-changes", "--json", "--stack", stack, ...clientFlag],
    { projectDir, signal: AbortSignal.any([timeout, cancel]) },
  );
  const durationSeconds = (Date.now() - started) / 1000;
  if (run.killed && !timeout.aborted) return { cancelled: true };
  if (run.killed)
    return {
      result: {
        stack,
        status: "failed",
        changes: [],
        error: `timed out after ${timeoutSeconds} s (its preview was stopped; npm run drift -- --timeout SECONDS allows more)`,
        durationSeconds,
      },
      timedOut: true,
    };
  return { result: classifyPreview(stack, run, durationSeconds), timedOut: false };
}

const warn = (message: string) => console.error(`drift: ${message}`);

/** The shared language host, or none (each preview starts its own) when it cannot start, with the reason. */
async function sharedHost(projectDir: string): Promise<SharedLanguageHost | undefined> {
  try {
    // Loaded only here: --separate-hosts never loads the SDK into this process.
    const { startSharedLanguageHost } = require("./drift/sharedHost") as typeof import("./drift/sharedHost");
    return await startSharedLanguageHost(projectDir, warn);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    warn(
      `cannot run the programs in one shared language host (${reason}); each preview starts its own, as with ` +
        "--separate-hosts",
    );
    return undefined;
  }
}

async function main(): Promise<number> {
  let settings: ReturnType<typeof parseOptions>;
  try {
    settings = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`drift: ${(error as Error).message}`);
    return 2;
  }
  // Every preview running, to stop them if this process is interrupted (each CLI is in a process group of its own);
  // an interruption before the first preview ends the run the same way (what the lookup and the listing started is in
  // this process's group).
  const running = new Set<AbortController>();
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      for (const controller of running) controller.abort();
      process.exit(130);
    });
  // The CLI is looked up (tools/ensure-pulumi-cli.sh: about 0.25 s of CPU in processes of its own) while this process
  // loads the shared host, and the stacks are listed as soon as it is found; both are awaited before the first preview,
  // so that a stack's time and --timeout are its preview's alone.
  // A CLI that cannot be found or built ends the run here (exit 2; the script said why on stderr).
  const cli = resolvePulumiCli();
  const listing =
    settings.stacks.length > 0 ? Promise.resolve(settings.stacks) : allStacks(settings.projectDir);
  for (const pending of [cli, listing]) pending.catch(() => undefined); // awaited below
  const host = settings.separateHosts ? undefined : await sharedHost(settings.projectDir);
  await cli;
  const stacks = await listing;
  if (stacks.length === 0) {
    await host?.close();
    console.error(`drift: no stacks in ${settings.projectDir}; name them or create one first`);
    return 2;
  }
  const parallel = Math.min(settings.parallel, stacks.length);
  console.error(
    `drift: checking ${stacks.length} stack(s), ${parallel} at a time (preview --refresh --expect-no-changes)...`,
  );
  // The previews running in the shared host, and whether it may still be given any.
  const inShared = new Set<AbortController>();
  let sharedUsable = host !== undefined;
  const giveUpShared = (reason: string) => {
    if (!sharedUsable) return;
    sharedUsable = false;
    warn(
      `${reason}: the stacks not checked yet are checked again, each with a language host of its own (as with ` +
        "--separate-hosts)",
    );
    for (const controller of inShared) controller.abort();
  };
  const check = async (stack: string): Promise<StackDriftResult> => {
    for (;;) {
      const client = sharedUsable ? host?.address : undefined;
      const controller = new AbortController();
      running.add(controller);
      if (client) inShared.add(controller);
      const outcome = await checkStack(
        stack,
        settings.projectDir,
        settings.timeout,
        client,
        controller.signal,
      );
      running.delete(controller);
      inShared.delete(controller);
      // Stopped because the shared host was given up: again, with a language host of its own.
      if ("cancelled" in outcome) continue;
      if (client && host) {
        const reason = outcome.timedOut
          ? `${stack}'s preview timed out with its program in the shared language host, where it may hold up the others`
          : await host.compromisedAfter(stack);
        if (reason) giveUpShared(reason);
      }
      return outcome.result;
    }
  };
  let finished = 0;
  const results = await mapWithConcurrency(stacks, parallel, async (stack) => {
    const result = await check(stack);
    finished++;
    console.error(
      `  [${finished}/${stacks.length}] ${stack}: ${result.status} (${result.durationSeconds.toFixed(1)} s)`,
    );
    return result;
  });
  await host?.close();
  console.log(renderTable(results));
  for (const [file, content] of [
    [settings.json, renderJson(results, new Date())],
    [settings.junit, renderJunit(results)],
  ] as const) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  console.error(`drift: reports written to ${settings.json} and ${settings.junit}`);
  return results.every((r) => r.status === "in-sync") ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`drift: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
