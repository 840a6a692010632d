// npm run measure:drift -- [--stacks N] [--parallel P]
// Wall time of `npm run drift` over one converged lab stack, then over N (default 10), each stack with its own
// simulated server, in one temporary project. Prints both and the ratio. Converging the stacks first takes a
// while (two `pulumi up` per stack); everything is removed afterwards.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { initState, wizardEnableGroupWriteback } from "../simulator";
import { LAB_OU, labStackConfig } from "./labStackFile";
import { defaultParallelism } from "./drift/pool";
import { projectRoot, pulumiEnvironment, runPulumi } from "./pulumiCli";

const PASSPHRASE = { PULUMI_CONFIG_PASSPHRASE: "measure-drift" };

async function pulumiOk(args: string[], projectDir: string, allowFailure = false): Promise<void> {
  const run = await runPulumi(args, { projectDir, env: PASSPHRASE });
  if (run.exitCode !== 0 && !allowFailure)
    throw new Error(`pulumi ${args.join(" ")} failed: ${run.stderr.trim() || run.stdout.trim()}`);
}

function drift(projectDir: string, stacks: string[], parallel: number): number {
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
    ],
    { env: { ...pulumiEnvironment(projectDir, PASSPHRASE) }, encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`drift failed (exit ${run.status}): ${run.stdout}${run.stderr}`);
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stacks: { type: "string", default: "10" }, parallel: { type: "string" } },
  });
  const count = Number(values.stacks);
  const parallel = Number(values.parallel ?? defaultParallelism());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-drift-"));
  try {
    const project = path.join(work, "project");
    fs.mkdirSync(path.join(project, "stacks"), { recursive: true });
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      `name: entra-writeback\nruntime: nodejs\nmain: ${projectRoot}\nstackConfigDir: stacks\n`,
    );
    const stacks = Array.from({ length: count }, (_, i) => `lab${String(i + 1).padStart(2, "0")}`);
    for (const stack of stacks) {
      console.error(`measure-drift: converging ${stack}...`);
      const stateFile = path.join(work, `${stack}.json`);
      const summary = await initState(stateFile, { clock: "simulated" });
      fs.writeFileSync(
        path.join(project, "stacks", `Pulumi.${stack}.yaml`),
        labStackConfig(stateFile, summary.connectorAccountDn),
      );
      await pulumiOk(["stack", "init", stack], project);
      await pulumiOk(["up", "--yes", "--stack", stack], project, true); // stops at the wizard step
      await wizardEnableGroupWriteback(stateFile, { ou: LAB_OU });
      await pulumiOk(["up", "--yes", "--stack", stack], project);
    }
    const one = drift(project, stacks.slice(0, 1), parallel);
    const all = drift(project, stacks, parallel);
    console.log(
      `drift over 1 stack: ${one.toFixed(1)} s; over ${count} stacks, ${parallel} at a time: ${all.toFixed(1)} s; ` +
        `ratio ${(all / one).toFixed(2)}x (${os.availableParallelism()} cores, load average ${os.loadavg()[0]?.toFixed(1)})`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`measure-drift: ${(error as Error).message}`);
  process.exitCode = 1;
});
