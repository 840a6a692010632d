// A simulated Entra Connect server for end-to-end tests, driven only through the entra-sim CLI (the same
// interface an admin uses; its entry function in process, see tests/support/entraSimInProcess.ts), and Pulumi
// stacks of the project's real program pointed at it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import program from "../../../index";
import { entraSim } from "../../support/entraSimInProcess";
import { createTestStack, type TestStack } from "./pulumiHarness";

export const LAB_OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";
export const LAB_ACCOUNT = "CN=MSOL_a08ff49b6f77,CN=Users,DC=contoso,DC=com";

export interface SimResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function sim(args: string[]): SimResult {
  return entraSim(args);
}

export function simOk(args: string[]): string {
  const result = sim(args);
  if (result.status !== 0)
    throw new Error(`entra-sim ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

export interface JournalOperation {
  kind: "operation";
  /** Wall-clock time of the call (ISO). */
  wallAt: string;
  client: string;
  /** project/stack of the deployment that made the call (providers only). */
  stack?: string;
  server: string;
  operation: string;
  args: Record<string, unknown>;
  outcome: "ok" | "error";
  code?: string;
  message?: string;
}

interface Show {
  state: {
    tenant: {
      features: Record<string, boolean>;
      scheduler: { syncCycleEnabled: boolean };
      groups: { objectId: string; displayName: string; type: string; writebackEnabled: boolean | null }[];
    };
    servers: {
      name: string;
      groupWriteback: { containerDn: string | null; optionalFeatureGroupWriteBack: boolean };
      /** The pause-window marker (docs/operations.md); null when none is open. */
      syncWindow?: { owner: string; change: string } | null;
    }[];
  };
  journal: ({ kind: "event" } | JournalOperation)[];
}

export function show(stateFile: string): Show {
  return JSON.parse(simOk(["show", stateFile, "--json"])) as Show;
}

/** The operations the Pulumi providers ran, in order. */
export function providerOperations(stateFile: string): JournalOperation[] {
  return show(stateFile).journal.filter(
    (entry): entry is JournalOperation => entry.kind === "operation" && entry.client === "pulumi",
  );
}

export interface AdObject {
  objectClass: string;
  dn: string;
  displayName?: string;
  groupCategory?: string;
  adminDescription?: string;
  aces: { accountDn: string }[];
}

export function adObjects(stateFile: string, dn: string): AdObject[] {
  return JSON.parse(simOk(["ad", stateFile, "list", dn, "--json"])) as AdObject[];
}

export function groupsIn(stateFile: string, dn: string): AdObject[] {
  const result = sim(["ad", stateFile, "list", dn, "--json"]);
  if (result.status !== 0) return [];
  return (JSON.parse(result.stdout) as AdObject[]).filter((o) => o.objectClass === "group");
}

export function newLabDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-lab-"));
}

/** entra-sim init with the given flags; returns the state file. Simulated clock unless told otherwise. */
export function newLabServer(directory: string, flags: string[] = []): string {
  const stateFile = path.join(directory, "lab.json");
  const clock = flags.includes("--clock") ? [] : ["--clock", "simulated"];
  simOk(["init", stateFile, ...clock, ...flags]);
  return stateFile;
}

export function labConfig(
  stateFile: string,
  overrides: Record<string, string | number | boolean> = {},
): ConfigMap {
  const values: Record<string, string | number | boolean> = {
    writebackOu: LAB_OU,
    connectorAccountDn: LAB_ACCOUNT,
    wizardPollSeconds: 5,
    ...overrides,
  };
  const config: ConfigMap = {
    "entra-writeback:target": { value: JSON.stringify({ kind: "simulator", stateFile }) },
  };
  for (const [key, value] of Object.entries(values))
    config[`entra-writeback:${key}`] = { value: String(value) };
  return config;
}

/** A stack of the project's real program (index.ts) against the simulated server. */
export function labStack(
  stackName: string,
  stateFile: string,
  overrides: Record<string, string | number | boolean> = {},
): Promise<TestStack> {
  return createTestStack({ stackName, program, config: labConfig(stateFile, overrides) });
}

/** Does the admin's wizard step: enable group writeback v1 with the lab OU. */
export function wizardEnable(stateFile: string, extra: string[] = []): string {
  return simOk(["wizard", stateFile, "group-writeback", "--enable", "--ou", LAB_OU, ...extra]);
}

/** Moves the simulated clock past the running cycle (the wizard's), so it completes. */
export function finishSync(stateFile: string): void {
  simOk(["clock", stateFile, "--advance", "120"]);
}

/** Error text of a failed Automation API call (CommandError carries the engine output). */
export async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the Pulumi operation to fail, but it succeeded");
}

/**
 * Runs one operation of a lab stack with the project's program run by the `pulumi` CLI's own Node.js language host
 * (the stack's Pulumi.yaml names the project as its main, as for `pulumi up` in a terminal), not inline in this process.
 *
 * For an operation refused while another branch of the program is still registering. When a step fails, the engine
 * stops answering the program, finishes the steps in flight and exits; the program does not end with it. Inline, the
 * program lives on in the jest worker: a component whose outputs resolve in that window (the Connect side's
 * GroupWriteback when v1 completes just after the Cloud Sync job was refused) sends registerResourceOutputs, the CLI's
 * exit drops the connection, and the SDK turns the UNAVAILABLE error into an unhandled rejection (runAsyncResourceOp).
 * The handler the Automation API's language server installs for exactly this (it ignores such gRPC errors) is on
 * jest's sandboxed copy of `process`, which Node never emits to, so the rejection reaches jest: "Test suite failed to
 * run — Resource monitor is terminating", with every test passing. Run by the CLI, the program dies with its engine.
 * About 1 s more CPU than inline (a Node process that loads the SDK and the program).
 */
export async function throughCli<T>(
  testStack: TestStack,
  operation: (stack: Stack) => Promise<T>,
): Promise<T> {
  const workspace = testStack.stack.workspace as LocalWorkspace;
  if (workspace.program !== program)
    throw new Error("throughCli runs the project's program: use it on lab stacks");
  workspace.program = undefined;
  try {
    return await operation(testStack.stack);
  } finally {
    workspace.program = program;
  }
}

/**
 * Brings a lab stack to convergence the way an operator does with wizardWaitSeconds 0: up (stops at v1 with
 * the wizard steps, after v2 is on), the wizard step, up again.
 */
export async function convergeLab(
  testStack: TestStack,
  stateFile: string,
  wizardFlags: string[] = [],
): Promise<string> {
  const first = await failureOf(testStack.stack.up());
  if (!first.includes("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard")) {
    throw new Error(`the first up did not stop at the wizard step:\n${first}`);
  }
  wizardEnable(stateFile, wizardFlags);
  const second = await testStack.stack.up();
  if (second.summary.result !== "succeeded")
    throw new Error(`the second up did not succeed: ${second.stdout}`);
  return first;
}

/** The line the engine prints for a resource's planned step, e.g. `~ ... group-writeback-scheduler update`. */
export function plannedStep(output: string, resourceName: string): string | undefined {
  return output
    .split("\n")
    .map((line) => line.trim())
    .find(
      (line) => line.includes(` ${resourceName} `) && /\b(update|create|replace|delete)\b\s*$/.test(line),
    );
}

/** Lab servers for one test file, each in its own directory, all removed after the file's tests. */
export function labServersForThisFile(): (flags?: string[]) => string {
  const directories: string[] = [];
  afterAll(() => directories.forEach((directory) => fs.rmSync(directory, { recursive: true, force: true })));
  return (flags = []) => {
    const directory = newLabDirectory();
    directories.push(directory);
    return newLabServer(directory, flags);
  };
}
