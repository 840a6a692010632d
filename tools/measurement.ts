// What the measure: and bench scripts share: the median of their measurements, their --rounds option, the CPU time of
// the processes they ran, and the converged lab stacks the measure: scripts run the CLI on.
import * as fs from "node:fs";
import * as path from "node:path";
import { initState, wizardEnableGroupWriteback, type InitOptions } from "../simulator";
import { LAB_OU, labStackConfig } from "./labStackFile";
import { projectRoot, runPulumi } from "./pulumiCli";

/** The median of the measurements (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value of --rounds: a positive whole number, else an error that says so. */
export function roundsOption(value: string | undefined): number {
  const rounds = Number(value);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds: a positive whole number, got "${value}"`);
  return rounds;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ on Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) of this process's finished children and their descendants, from /proc (Linux). */
export function childrenCpuSeconds(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND; // cutime, cstime
}

/** The CLI in projectDir with the measurement's passphrase; a failure throws with what the CLI said, unless allowed. */
export async function pulumiOk(
  args: string[],
  projectDir: string,
  passphrase: string,
  allowFailure = false,
): Promise<void> {
  const run = await runPulumi(args, { projectDir, env: { PULUMI_CONFIG_PASSPHRASE: passphrase } });
  if (run.exitCode !== 0 && !allowFailure)
    throw new Error(`pulumi ${args.join(" ")} failed: ${run.stderr.trim() || run.stdout.trim()}`);
}

/** A project directory that runs this project's program, its stack files in stacks/. */
export function createLabProject(projectDir: string): void {
  fs.mkdirSync(path.join(projectDir, "stacks"), { recursive: true });
  fs.writeFileSync(
    path.join(projectDir, "Pulumi.yaml"),
    `name: entra-writeback\nruntime: nodejs\nmain: ${projectRoot}\nstackConfigDir: stacks\n`,
  );
}

/**
 * A converged lab stack in a project of createLabProject: a simulated server in stateFile (on a simulated clock), the
 * lab's configuration, `pulumi up` up to the wizard step, the wizard, `pulumi up` again.
 */
export async function convergeLabStack(
  projectDir: string,
  stack: string,
  stateFile: string,
  passphrase: string,
  tenant: Omit<InitOptions, "clock"> = {},
): Promise<void> {
  const summary = await initState(stateFile, { ...tenant, clock: "simulated" });
  fs.writeFileSync(
    path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
    labStackConfig(stateFile, summary.connectorAccountDn),
  );
  await pulumiOk(["stack", "init", stack], projectDir, passphrase);
  await pulumiOk(["up", "--yes", "--stack", stack], projectDir, passphrase, true); // stops at the wizard step
  await wizardEnableGroupWriteback(stateFile, { ou: LAB_OU });
  await pulumiOk(["up", "--yes", "--stack", stack], projectDir, passphrase);
}
