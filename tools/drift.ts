// npm run drift -- [stack ...] [--project-dir DIR] [--json FILE] [--junit FILE] [--parallel N] [--separate-hosts]
// Runs `pulumi preview --refresh --expect-no-changes` for every stack (or the ones named), a bounded number
// at a time, prints a table (in the order the stacks were named or listed, whatever order they finish in),
// writes JSON and JUnit XML reports, and exits 1 when any stack drifted or failed (2 on bad usage).
// The programs of all stacks run in one language host in this process (drift/sharedHost.ts), each preview
// connecting to it with --client; --separate-hosts lets each preview start its own, as `pulumi preview` does.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { classifyPreview, type StackDriftResult } from "./drift/classify";
import { defaultParallelism, mapWithConcurrency } from "./drift/pool";
import { renderJson, renderJunit, renderTable } from "./drift/render";
import type { SharedLanguageHost } from "./drift/sharedHost";
import { projectRoot, runPulumi } from "./pulumiCli";

const options = z.strictObject({
  projectDir: z.string().min(1),
  json: z.string().min(1),
  junit: z.string().min(1),
  stacks: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "a stack name (letters, digits, _ . -)")),
  parallel: z.coerce
    .number({ message: "--parallel: a whole number of stacks from 1 to 64" })
    .int("--parallel: a whole number of stacks from 1 to 64")
    .min(1, "--parallel: a whole number of stacks from 1 to 64")
    .max(64, "--parallel: a whole number of stacks from 1 to 64"),
  separateHosts: z.boolean(),
});

const USAGE =
  "usage: npm run drift -- [stack ...] [--project-dir DIR] [--json FILE] [--junit FILE] [--parallel N] [--separate-hosts]";

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "project-dir": { type: "string" },
      json: { type: "string" },
      junit: { type: "string" },
      parallel: { type: "string", short: "j" },
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
    separateHosts: values["separate-hosts"] ?? false,
  });
  if (!parsed.success)
    throw new Error(
      parsed.error.issues
        .map((i) => (i.path[0] === "parallel" ? i.message : `${i.path.join(".")}: ${i.message}`))
        .join("; "),
    );
  return parsed.data;
}

async function allStacks(projectDir: string): Promise<string[]> {
  const listed = await runPulumi(["stack", "ls", "--json"], { projectDir });
  if (listed.exitCode !== 0) throw new Error(`pulumi stack ls failed: ${listed.stderr.trim()}`);
  return (JSON.parse(listed.stdout) as { name: string }[]).map((s) => s.name.split("/").at(-1)!);
}

/** With a shared host, `--client=ADDRESS`: the preview runs its program there and starts no language host. */
async function checkStack(stack: string, projectDir: string, client?: string): Promise<StackDriftResult> {
  const started = Date.now();
  const clientFlag = client ? [`--client=${client}`] : [];
  const run = await runPulumi(
    ["preview", "--refresh", "--expect-no-changes", "--json", "--stack", stack, ...clientFlag],
    { projectDir },
  );
  return classifyPreview(stack, run, (Date.now() - started) / 1000);
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
  const stacks = settings.stacks.length > 0 ? settings.stacks : await allStacks(settings.projectDir);
  if (stacks.length === 0) {
    console.error(`drift: no stacks in ${settings.projectDir}; name them or create one first`);
    return 2;
  }
  const parallel = Math.min(settings.parallel, stacks.length);
  console.error(
    `drift: checking ${stacks.length} stack(s), ${parallel} at a time (preview --refresh --expect-no-changes)...`,
  );
  const host = settings.separateHosts ? undefined : await sharedHost(settings.projectDir);
  let finished = 0;
  const results = await mapWithConcurrency(stacks, parallel, async (stack) => {
    const result = await checkStack(stack, settings.projectDir, host?.address);
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
