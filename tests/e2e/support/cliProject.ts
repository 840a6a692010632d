// A stack of the project's real program run by the `pulumi` CLI itself (not the Automation API), so a test can
// do what an operator's terminal does: kill the CLI with SIGKILL mid-deployment, `pulumi cancel`, run again.
// The engine starts the project's own plugin launchers (tools/plugins/, put first on PATH) for the language
// host and the dynamic provider, from the compiled program (npm run build).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labConfig } from "./lab";
import { initStack, projectRoot, pulumiCliPath, pulumiEnvironment } from "./pulumiHarness";

export interface CliRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  stdout: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  readonly done: Promise<CliRun>;
}

export interface CliProject {
  readonly directory: string;
  readonly stackName: string;
  /** Starts `pulumi <args> --stack <name> --non-interactive`. */
  start(args: string[]): RunningCli;
  run(args: string[]): Promise<CliRun>;
  /** Processes (other than this test) started for this project: the CLI and its plugins. */
  processes(): { pid: number; command: string }[];
  cleanup(): Promise<void>;
}

/** The run's combined output, after checking that it failed (a refusal, a stop at a wizard step). */
export function failed(run: CliRun): string {
  expect(run.exitCode).not.toBe(0);
  return run.output;
}

/** `pulumi config set [--secret] entra-writeback:<key> <value>` on the project's stack, checked to succeed. */
export async function setKey(project: CliProject, key: string, value: string, secret = false): Promise<void> {
  const set = await project.run([
    "config",
    "set",
    ...(secret ? ["--secret"] : []),
    `entra-writeback:${key}`,
    value,
  ]);
  expect(set.exitCode).toBe(0);
}

/** The environment marker every process of one CliProject inherits. */
const RUN_VARIABLE = "ENTRA_WRITEBACK_E2E_RUN";

export async function cliProject(
  stackName: string,
  stateFile: string,
  overrides: Record<string, string | number | boolean> = {},
  /** Extra environment for the CLI, and so for its plugins (e.g. the fake powershell's settings). */
  extraEnv: Record<string, string> = {},
): Promise<CliProject> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-cli-"));
  const runId = randomUUID();
  fs.writeFileSync(
    path.join(directory, "Pulumi.yaml"),
    `name: entra-writeback\nruntime: nodejs\nmain: ${JSON.stringify(projectRoot)}\n`,
  );
  const cli = pulumiCliPath();
  // The harness's CLI environment (its backend in ./state, which it creates), with the plugin launchers first on PATH
  // and the Pulumi home in the project's directory.
  const base = pulumiEnvironment(path.join(directory, "state"));
  const env: NodeJS.ProcessEnv = {
    ...base,
    PATH: [path.join(projectRoot, "tools", "plugins"), base.PATH].join(path.delimiter),
    PULUMI_HOME: path.join(directory, ".pulumi-home"),
    ...extraEnv,
    [RUN_VARIABLE]: runId,
  };

  const start = (args: string[]): RunningCli => {
    const child = spawn(cli, [...args, "--stack", stackName, "--non-interactive"], {
      cwd: directory,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      output += text;
      stdout += text;
    });
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text));
    const done = new Promise<CliRun>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (exitCode, signal) => resolve({ exitCode, signal, output, stdout }));
    });
    return { child, output: () => output, done };
  };
  const run = (args: string[]) => start(args).done;

  // The stack, as `pulumi stack init` and `pulumi config set-all --plaintext` would make it (without the two CLI
  // runs, see initStack).
  initStack({
    workDir: directory,
    backendDir: path.join(directory, "state"),
    stackName,
    config: Object.fromEntries(
      Object.entries(labConfig(stateFile, overrides)).map(([key, { value }]) => [key, value]),
    ),
  });

  return {
    directory,
    stackName,
    start,
    run,
    processes: () => processesMarked(runId),
    async cleanup() {
      for (const { pid } of processesMarked(runId)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Live processes whose environment holds RUN_VARIABLE=runId (Linux /proc). */
function processesMarked(runId: string): { pid: number; command: string }[] {
  const marker = `${RUN_VARIABLE}=${runId}`;
  const found: { pid: number; command: string }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(marker)) continue;
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^State:\s+Z/m.test(status)) continue; // a zombie has exited; its parent has not reaped it yet
      found.push({
        pid,
        command: fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim(),
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
