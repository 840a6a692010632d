// Drives the real Pulumi engine for end-to-end tests: the project's CLI, a throwaway local file
// backend, passphrase secrets, and the project directory as the program's working directory (so the
// dynamic provider process resolves the project's node_modules and compiled runtime).
import { execFile, execFileSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse, stringify } from "yaml";
import {
  type ConfigMap,
  LocalWorkspace,
  type OutputMap,
  PulumiCommand,
  type PulumiFn,
  Stack,
  type UpdateSummary,
} from "@pulumi/pulumi/automation";
import {
  ensurePulumiCli,
  goRuntimeEnvironment,
  projectRoot,
  pulumiEnvironment as toolsEnvironment,
} from "../../../tools/pulumiCli";

export { projectRoot };

/** The project name of every test stack (Pulumi.yaml). */
const PROJECT = "entra-writeback";

export function pulumiCliPath(): string {
  return ensurePulumiCli();
}

/**
 * Environment for every CLI call of a test: the tools' (the project's Node first on PATH, no update check, the CLI's
 * garbage collector), with the test's own state directory as backend and Pulumi home, and a fixed passphrase.
 */
export function pulumiEnvironment(stateDir: string): Record<string, string> {
  return toolsEnvironment(stateDir, {
    PULUMI_CONFIG_PASSPHRASE: "entra-writeback-tests",
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: path.join(stateDir, ".pulumi-home"),
  }) as Record<string, string>;
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
  const workspace = await LocalWorkspace.create({
    workDir: stateDir,
    pulumiCommand: await pulumiCommand(),
    envVars,
    program: options.program,
    projectSettings: {
      name: PROJECT,
      runtime: "nodejs",
      main: projectRoot,
      backend: { url: `file://${stateDir}` },
    },
  });
  const config = Object.entries(options.config ?? {});
  initStack({
    workDir: stateDir,
    backendDir: stateDir,
    stackName: options.stackName,
    config: Object.fromEntries(
      config.filter(([, { secret }]) => !secret).map(([key, { value }]) => [key, value]),
    ),
  });
  const stack = await stackOf(options.stackName, workspace);
  const secrets = config.filter(([, { secret }]) => secret);
  if (secrets.length > 0) await stack.setAllConfig(Object.fromEntries(secrets));
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
  const workspace = await LocalWorkspace.create({
    workDir: options.stateDir,
    pulumiCommand: await pulumiCommand(),
    envVars: { ...pulumiEnvironment(options.stateDir), ...options.env },
    program: options.program,
  });
  return testStackOf(await stackOf(options.stackName, workspace), options.stateDir);
}

/**
 * The Automation API's Stack for a stack that exists, without `pulumi stack select` (~0.15 s of CPU): every
 * command the Automation API runs names the stack (--stack), none needs it selected.
 */
async function stackOf(stackName: string, workspace: LocalWorkspace): Promise<Stack> {
  workspace.selectStack = async () => {};
  try {
    return await Stack.select(stackName, workspace);
  } finally {
    delete (workspace as Partial<LocalWorkspace>).selectStack; // the prototype's again
  }
}

interface InitTemplate {
  stackName: string;
  encryptionSalt: string;
  checkpoint: string;
  meta: string;
}

let initTemplate: InitTemplate | undefined;

/**
 * What `pulumi stack init` writes with the tests' passphrase (a random stack name), made once and kept beside the
 * other temporary files for the next test files of this run and later runs (keyed by the CLI, its modification
 * time and the passphrase; the salt only lets that passphrase decrypt, and the passphrase is in this file).
 */
function stackInitTemplate(): InitTemplate {
  if (initTemplate) return initTemplate;
  const cli = pulumiCliPath();
  const env = pulumiEnvironment(os.tmpdir());
  const key = createHash("sha256")
    .update(`${cli}\0${fs.statSync(cli).mtimeMs}\0${env.PULUMI_CONFIG_PASSPHRASE}`)
    .digest("hex")
    .slice(0, 16);
  const cached = path.join(os.tmpdir(), `entra-writeback-stack-init-${key}.json`);
  try {
    initTemplate = JSON.parse(fs.readFileSync(cached, "utf8")) as InitTemplate;
    return initTemplate;
  } catch {
    // not made yet (or unreadable): make it
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-init-"));
  try {
    const stackName = `init-${randomBytes(6).toString("hex")}`;
    fs.writeFileSync(path.join(directory, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
    execFileSync(cli, ["stack", "init", stackName, "--non-interactive"], {
      cwd: directory,
      env: pulumiEnvironment(directory),
      stdio: "ignore",
    });
    const settings = fs.readFileSync(path.join(directory, `Pulumi.${stackName}.yaml`), "utf8");
    const salt = /^encryptionsalt: (\S+)$/m.exec(settings)?.[1];
    if (!salt) throw new Error(`pulumi stack init wrote no encryptionsalt: ${settings}`);
    initTemplate = {
      stackName,
      encryptionSalt: salt,
      checkpoint: fs.readFileSync(
        path.join(directory, ".pulumi", "stacks", PROJECT, `${stackName}.json`),
        "utf8",
      ),
      meta: fs.readFileSync(path.join(directory, ".pulumi", "meta.yaml"), "utf8"),
    };
    // Whole or not at all for a test file reading it meanwhile: written beside it, then renamed over it.
    const written = `${cached}.${process.pid}`;
    fs.writeFileSync(written, JSON.stringify(initTemplate));
    fs.renameSync(written, cached);
    return initTemplate;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Makes a stack as `pulumi stack init` and then `pulumi config set-all --plaintext` would (~0.45 s of CPU for the
 * two): the stack's checkpoint in the file backend and its settings file (encryption salt and configuration) in the
 * project directory, both from one stack that `pulumi stack init` made with the same passphrase (stackInitTemplate).
 * Plaintext values only: secrets go through `pulumi config set --secret`.
 */
export function initStack(options: {
  workDir: string;
  backendDir: string;
  stackName: string;
  config: Record<string, string>;
}): void {
  const template = stackInitTemplate();
  const stacks = path.join(options.backendDir, ".pulumi", "stacks", PROJECT);
  fs.mkdirSync(stacks, { recursive: true });
  fs.writeFileSync(path.join(options.backendDir, ".pulumi", "meta.yaml"), template.meta);
  fs.writeFileSync(
    path.join(stacks, `${options.stackName}.json`),
    template.checkpoint.split(template.stackName).join(options.stackName),
  );
  const settings = {
    encryptionsalt: template.encryptionSalt,
    ...(Object.keys(options.config).length > 0 ? { config: options.config } : {}),
  };
  fs.writeFileSync(path.join(options.workDir, `Pulumi.${options.stackName}.yaml`), stringify(settings));
}

/**
 * Sets (or, with undefined, removes) one plaintext configuration value in a stack's settings file, as
 * `pulumi config set` (or `config rm`) does, without a CLI run (~0.15 s of CPU each).
 */
export function setPlaintextConfig(
  workDir: string,
  stackName: string,
  key: string,
  value: string | undefined,
): void {
  const file = path.join(workDir, `Pulumi.${stackName}.yaml`);
  const settings = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config = { ...settings.config };
  if (value === undefined) delete config[key];
  else config[key] = value;
  settings.config = config;
  fs.writeFileSync(file, stringify(settings));
}

let command: Promise<PulumiCommand> | undefined;

/** The CLI for the Automation API, found once per test file (PulumiCommand.get runs `pulumi version`). */
function pulumiCommand(): Promise<PulumiCommand> {
  if (!command) {
    // PulumiCommand.get runs `pulumi version` with this process's own environment (it takes none): GOGC as elsewhere.
    Object.assign(process.env, goRuntimeEnvironment());
    command = PulumiCommand.get({ root: path.dirname(path.dirname(pulumiCliPath())) });
  }
  return command;
}

/** The marker of a secret value in a Pulumi deployment (apitype's SecretSig key and value). */
const SECRET_SIG = ["4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"] as const;

function holdsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return record[SECRET_SIG[0]] === SECRET_SIG[1] || Object.values(record).some(holdsSecret);
}

/**
 * The stack's file backend as a directory (PULUMI_BACKEND_URL file://…), where the CLI keeps the stack's checkpoint
 * (`.pulumi/stacks/<project>/<stack>.json`) and one file per update (`.pulumi/history/<project>/<stack>/`).
 */
function backendDirectory(workspace: LocalWorkspace): string | undefined {
  const url = workspace.envVars.PULUMI_BACKEND_URL;
  return url?.startsWith("file://") ? url.slice("file://".length) : undefined;
}

/** The stack's current deployment from its checkpoint file (what `pulumi stack export` prints), if there is one. */
function checkpointOf(workspace: LocalWorkspace, stackName: string): { resources?: Resource[] } | undefined {
  const backend = backendDirectory(workspace);
  if (!backend) return undefined;
  const file = path.join(backend, ".pulumi", "stacks", PROJECT, `${stackName}.json`);
  if (!fs.existsSync(file)) return undefined;
  const checkpoint = (
    JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint?: { latest?: object | null } }
  ).checkpoint;
  return checkpoint?.latest ?? undefined;
}

interface Resource {
  type: string;
  outputs?: object;
}

/**
 * The last update's summary from its history file, as `pulumi stack history --json --page-size 1` without
 * --show-secrets prints it and the Automation API parses it: times as dates, each configuration value as
 * { value, secret } (a secret without its value, a structured value also as objectValue). Undefined when there is no history file.
 */
function lastUpdateOf(workspace: LocalWorkspace, stackName: string): UpdateSummary | undefined {
  const backend = backendDirectory(workspace);
  if (!backend) return undefined;
  const directory = path.join(backend, ".pulumi", "history", PROJECT, stackName);
  if (!fs.existsSync(directory)) return undefined;
  // <stack>-<unix nanoseconds>.history.json: the names sort by time.
  const last = fs
    .readdirSync(directory)
    .filter((name) => name.endsWith(".history.json"))
    .sort()
    .at(-1);
  if (!last) return undefined;
  const info = JSON.parse(fs.readFileSync(path.join(directory, last), "utf8")) as Record<string, unknown> & {
    startTime: number;
    endTime: number;
    config?: Record<string, unknown>;
  };
  const config: ConfigMap = {};
  for (const [key, value] of Object.entries(info.config ?? {})) {
    if (typeof value === "string") config[key] = { value, secret: false };
    else if (value !== null && typeof value === "object" && "secure" in value)
      config[key] = { secret: true } as ConfigMap[string];
    else
      config[key] = { value: JSON.stringify(value), secret: false, objectValue: value } as ConfigMap[string];
  }
  return {
    ...info,
    startTime: new Date(info.startTime * 1000),
    endTime: new Date(info.endTime * 1000),
    config,
  } as unknown as UpdateSummary;
}

/**
 * After each up, destroy and refresh the Automation API reads the stack's outputs and its last update: three more
 * CLI processes (`stack output --json`, again with --show-secrets, and `stack history --show-secrets`), the two
 * with secrets each deriving the passphrase key (PBKDF2, ~0.2 s of CPU), ~0.8 s of CPU per operation in all. The
 * tests read neither secrets nor the update's configuration. Here the outputs come from the stack's checkpoint file
 * in its file backend (what `pulumi stack export` prints, without secrets: values in the clear, secrets as
 * ciphertext; the Automation API's own two reads when an output holds a secret), and the summary from the last
 * update's history file, as `stack history --json` without secrets prints it: no CLI process at all (each was
 * ~0.15 s of CPU). Same outputs and summaries; `stack export` and `stack history` when the files are not there.
 */
function withCheaperReads(stack: Stack): Stack {
  const workspace = stack.workspace as LocalWorkspace;
  const stackOutputs = workspace.stackOutputs.bind(workspace);
  const exported = async (stackName: string): Promise<{ resources?: Resource[] }> => {
    const { stdout } = await promisify(execFile)(
      pulumiCliPath(),
      ["stack", "export", "--stack", stackName, "--non-interactive"],
      { cwd: workspace.workDir, env: workspace.envVars, maxBuffer: 64 * 1024 * 1024 },
    );
    return (JSON.parse(stdout) as { deployment: { resources?: Resource[] } }).deployment;
  };
  workspace.stackOutputs = async (stackName: string): Promise<OutputMap> => {
    const deployment = checkpointOf(workspace, stackName) ?? (await exported(stackName));
    const root = (deployment.resources ?? []).find((resource) => resource.type === "pulumi:pulumi:Stack");
    const outputs = root?.outputs ?? {};
    if (holdsSecret(outputs)) return stackOutputs(stackName);
    return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { value, secret: false }]));
  };
  const info = stack.info.bind(stack);
  stack.info = async (showSecrets?: boolean) =>
    (!showSecrets && lastUpdateOf(workspace, stack.name)) || info(showSecrets);
  const up = stack.up.bind(stack);
  const destroy = stack.destroy.bind(stack);
  const refresh = stack.refresh.bind(stack);
  stack.up = (opts) => up({ showSecrets: false, ...opts });
  stack.destroy = (opts) => destroy({ showSecrets: false, ...opts });
  stack.refresh = (opts) => refresh({ showSecrets: false, ...opts });
  return stack;
}

/**
 * A plaintext configuration value set by a test (`stack.setConfig`) is written to the stack's settings file as `pulumi
 * config set` writes it (setPlaintextConfig), without a CLI run (~0.15 s of CPU each). Secrets, `--path` keys and keys
 * without a namespace still go through the CLI, as do `setAllConfig` and `removeConfig` (the tests call them with
 * secrets or `--path` keys only).
 */
function withCheaperConfig(stack: Stack): Stack {
  const workspace = stack.workspace as LocalWorkspace;
  const setConfig = workspace.setConfig.bind(workspace);
  workspace.setConfig = async (stackName, key, value, path) =>
    !path && key.includes(":") && !value.secret
      ? setPlaintextConfig(workspace.workDir, stackName, key, value.value)
      : setConfig(stackName, key, value, path);
  return stack;
}

function testStackOf(stack: Stack, stateDir: string): TestStack {
  withCheaperReads(stack);
  withCheaperConfig(stack);
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
