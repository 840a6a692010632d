// A simulated lab stack as the measurement tools make it: its stack file (one place for its OU and keys), the project
// it runs in, and the steps that converge it.
import * as fs from "node:fs";
import * as path from "node:path";
import { initState, wizardEnableGroupWriteback, type InitOptions } from "../simulator";
import { projectRoot, runPulumi } from "./pulumiCli";

export const LAB_OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";

/** Pulumi.<stack>.yaml for a lab stack on the simulated server in stateFile. */
export function labStackConfig(stateFile: string, connectorAccountDn: string): string {
  return [
    "config:",
    "  entra-writeback:target:",
    "    kind: simulator",
    `    stateFile: ${stateFile}`,
    `  entra-writeback:writebackOu: ${LAB_OU}`,
    `  entra-writeback:connectorAccountDn: ${connectorAccountDn}`,
    "",
  ].join("\n");
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
