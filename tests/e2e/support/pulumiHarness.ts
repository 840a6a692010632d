// Drives the real Pulumi engine for end-to-end tests: the project's CLI, a throwaway local file
// backend, passphrase secrets, and the project directory as the program's working directory (so the
// dynamic provider process resolves the project's node_modules and compiled runtime).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  type ConfigMap,
  LocalWorkspace,
  PulumiCommand,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";
import { ensurePulumiCli, projectRoot } from "../../../tools/pulumiCli";

export { projectRoot };

export function pulumiCliPath(): string {
  return ensurePulumiCli();
}

/**
 * Environment for every CLI call of a test: the project's Node first on PATH, the test's own state
 * directory as backend and Pulumi home, a fixed passphrase, no update check.
 */
export function pulumiEnvironment(stateDir: string): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    PATH: `${path.join(projectRoot, "node_modules", ".bin")}:${path.dirname(pulumiCliPath())}:${process.env.PATH ?? ""}`,
    PULUMI_CONFIG_PASSPHRASE: "entra-writeback-tests",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: path.join(stateDir, ".pulumi-home"),
  };
}

export interface TestStack {
  readonly stack: Stack;
  readonly stateDir: string;
  cleanup(): Promise<void>;
}

export async function createTestStack(options: {
  stackName: string;
  program: PulumiFn;
  config?: ConfigMap;
  /** Extra environment for the CLI and so for the dynamic provider process. */
  env?: Record<string, string>;
}): Promise<TestStack> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-e2e-"));
  const envVars = { ...pulumiEnvironment(stateDir), ...options.env };
  fs.mkdirSync(envVars.PULUMI_HOME!, { recursive: true });
  const stack = await LocalWorkspace.createStack(
    { stackName: options.stackName, projectName: "entra-writeback", program: options.program },
    {
      workDir: stateDir,
      pulumiCommand: await pulumiCommand(),
      envVars,
      projectSettings: {
        name: "entra-writeback",
        runtime: "nodejs",
        main: projectRoot,
        backend: { url: `file://${stateDir}` },
      },
    },
  );
  if (options.config) await stack.setAllConfig(options.config);
  return testStackOf(stack, stateDir);
}

/**
 * The stack that a directory made by createTestStack (or a copy of one, see convergedLab.ts) holds: the
 * directory is the workspace, the file backend and PULUMI_HOME at once.
 */
export async function selectTestStack(options: {
  stackName: string;
  program: PulumiFn;
  stateDir: string;
  env?: Record<string, string>;
}): Promise<TestStack> {
  const stack = await LocalWorkspace.selectStack(
    { stackName: options.stackName, projectName: "entra-writeback", program: options.program },
    {
      workDir: options.stateDir,
      pulumiCommand: await pulumiCommand(),
      envVars: { ...pulumiEnvironment(options.stateDir), ...options.env },
    },
  );
  return testStackOf(stack, options.stateDir);
}

let command: Promise<PulumiCommand> | undefined;

/** The CLI for the Automation API, found once per test file (PulumiCommand.get runs `pulumi version`). */
function pulumiCommand(): Promise<PulumiCommand> {
  command ??= PulumiCommand.get({ root: path.dirname(path.dirname(pulumiCliPath())) });
  return command;
}

function testStackOf(stack: Stack, stateDir: string): TestStack {
  return {
    stack,
    stateDir,
    // The directory is the stack's backend and Pulumi home: removing it removes the stack (no `pulumi stack rm`,
    // which would start the CLI once more per test).
    async cleanup() {
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
