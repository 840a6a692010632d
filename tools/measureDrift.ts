// npm run measure:drift -- [--stacks N] [--parallel P] [--rounds R]
// Wall time and CPU time of `npm run drift` over one converged lab stack, then over N (default 10), each stack with
// its own simulated server, in one temporary project: with the shared language host (the default) and with
// --separate-hosts, alternately, R times (default 1; one run's ratio moves by about ±0.3, so the medians of R rounds
// compare better). Prints each round, the medians, the ratios, and the arithmetic behind them: the CPU one stack costs, and
// the least wall time N stacks can take on 2, 4 and 8 cores (and with servers that take longer to answer than the
// simulator). Converging the stacks first takes a while (two `pulumi up` per stack); everything is removed afterwards.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { defaultParallelism, leastWallSeconds } from "./drift/pool";
import { projectRoot, pulumiEnvironment } from "./pulumiCli";
import { childrenCpuSeconds, median, roundsOption } from "./measurement";
import { convergeLabStack, createLabProject } from "./measureLab";

const PASSPHRASE = "measure-drift";

interface Run {
  wallSeconds: number;
  cpuSeconds: number;
  /** The longest of the stacks' own check times (a preview's wall time, as the report gives it). */
  previewSeconds: number;
}

function drift(projectDir: string, stacks: string[], parallel: number, separateHosts: boolean): Run {
  const json = path.join(projectDir, "reports", "measure.json");
  const cpuBefore = childrenCpuSeconds();
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      path.join(projectRoot, "dist", "tools", "drift.js"),
      ...stacks,
      "--project-dir",
      projectDir,
      "--parallel",
      String(parallel),
      "--json",
      json,
      "--junit",
      path.join(projectDir, "reports", "measure.xml"),
      ...(separateHosts ? ["--separate-hosts"] : []),
    ],
    { env: pulumiEnvironment(projectDir, { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }), encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`drift failed (exit ${run.status}): ${run.stdout}${run.stderr}`);
  const wallSeconds = (Date.now() - started) / 1000;
  const report = JSON.parse(fs.readFileSync(json, "utf8")) as { results: { durationSeconds: number }[] };
  const previewSeconds = Math.max(...report.results.map((r) => r.durationSeconds));
  return { wallSeconds, cpuSeconds: childrenCpuSeconds() - cpuBefore, previewSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stacks: { type: "string", default: "10" },
      parallel: { type: "string" },
      rounds: { type: "string", default: "1" },
    },
  });
  const count = Number(values.stacks);
  const roundCount = roundsOption(values.rounds);
  const parallel = Number(values.parallel ?? defaultParallelism());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-drift-"));
  try {
    const project = path.join(work, "project");
    createLabProject(project);
    const stacks = Array.from({ length: count }, (_, i) => `lab${String(i + 1).padStart(2, "0")}`);
    for (const stack of stacks) {
      console.error(`measure-drift: converging ${stack}...`);
      await convergeLabStack(project, stack, path.join(work, `${stack}.json`), PASSPHRASE);
    }
    // Each measurement with --separate-hosts right before the same with the shared host, so both see the same load.
    const modes = [
      { label: "drift --separate-hosts", separateHosts: true },
      { label: "drift", separateHosts: false },
    ];
    const loadBefore = os.loadavg()[0]!;
    const rounds: { ones: Run[]; alls: Run[] }[] = [];
    for (let round = 1; round <= roundCount; round++) {
      const ones = modes.map((mode) => drift(project, stacks.slice(0, 1), parallel, mode.separateHosts));
      const alls = modes.map((mode) => drift(project, stacks, parallel, mode.separateHosts));
      rounds.push({ ones, alls });
      if (roundCount > 1)
        console.log(
          `round ${round}: ` +
            modes
              .map(
                ({ label }, i) =>
                  `${label} ${alls[i]!.wallSeconds.toFixed(1)} s / ${ones[i]!.wallSeconds.toFixed(1)} s = ` +
                  `${(alls[i]!.wallSeconds / ones[i]!.wallSeconds).toFixed(2)}x`,
              )
              .join("; "),
        );
    }
    // Each figure the median of its rounds (and the ratio, of the medians; the rounds' own ratios are printed too).
    const medianRun = (runs: Run[]): Run => ({
      wallSeconds: median(runs.map((run) => run.wallSeconds)),
      cpuSeconds: median(runs.map((run) => run.cpuSeconds)),
      previewSeconds: median(runs.map((run) => run.previewSeconds)),
    });
    const ones = modes.map((_, i) => medianRun(rounds.map((round) => round.ones[i]!)));
    const alls = modes.map((_, i) => medianRun(rounds.map((round) => round.alls[i]!)));
    if (roundCount > 1) console.log(`medians of ${roundCount} rounds:`);
    const cores = os.availableParallelism();
    // The CPU of one stack's check, without the drift tool's own start (nor the shared host's: counted once in each run).
    const perStacks = modes.map((_, i) => (alls[i]!.cpuSeconds - ones[i]!.cpuSeconds) / (count - 1 || 1));
    modes.forEach(({ label }, i) => {
      const [one, all] = [ones[i]!, alls[i]!];
      console.log(
        `${label} over 1 stack: ${one.wallSeconds.toFixed(1)} s (${one.cpuSeconds.toFixed(1)} s CPU); over ${count} stacks, ` +
          `${parallel} at a time: ${all.wallSeconds.toFixed(1)} s (${all.cpuSeconds.toFixed(1)} s CPU); ` +
          `ratio ${(all.wallSeconds / one.wallSeconds).toFixed(2)}x` +
          // Each round's own ratio (its one stack and its ten, both measured in that round), their median: a round
          // slowed by other work moves both of its figures, where the ratio of the medians may pair two rounds.
          (roundCount > 1
            ? ` (median of the rounds' own ratios ${median(rounds.map((round) => round.alls[i]!.wallSeconds / round.ones[i]!.wallSeconds)).toFixed(2)}x)`
            : "") +
          `; CPU per stack ${perStacks[i]!.toFixed(2)} s`,
      );
    });
    const one = ones[1]!;
    const perStack = perStacks[1]!;
    console.log(
      `(${cores} cores, load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after.) The least wall time of ${count} stacks with the ` +
        "shared host, by arithmetic:",
    );
    for (const [label, slower] of [
      ["servers as fast as the simulator", 0],
      ["servers that take 5 s more to answer", 5],
    ] as const) {
      const [oneWall, previewWall] = [one.wallSeconds + slower, one.previewSeconds + slower];
      const estimates = [2, 4, 8].map((k) => {
        // The pool as measured on this machine (--parallel, when given), else what the tool runs on k cores.
        const least = leastWallSeconds(
          count,
          k,
          oneWall,
          perStack,
          previewWall,
          values.parallel ? parallel : undefined,
        );
        return `${k} cores ${least.toFixed(1)} s (${(least / oneWall).toFixed(1)}x)`;
      });
      console.log(
        `  ${label} (one stack ${oneWall.toFixed(1)} s, its preview ${previewWall.toFixed(1)} s): ${estimates.join(", ")}`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`measure-drift: ${(error as Error).message}`);
  process.exitCode = 1;
});
