// The Pulumi CLI as this project's tools run it: obtained by ensure-pulumi-cli.sh, with the project's Node
// first on PATH and the local file backend unless PULUMI_BACKEND_URL says otherwise.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The project directory: the nearest ancestor with Pulumi.yaml (this file runs from tools/ or dist/tools/). */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json")))
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi project above ${start}`);
  }
}

export const projectRoot = findProjectRoot(__dirname);

let cliPath: string | undefined;

/** The script that finds or builds the CLI and keeps its launchers current: prints the CLI's path, progress on stderr. */
const ENSURE_SCRIPT = path.join(projectRoot, "tools", "ensure-pulumi-cli.sh");
const ensureEnvironment = () => ({ ...process.env, ...goRuntimeEnvironment() }); // for its `pulumi version`

/**
 * The CLI's path; builds it on first use (progress on stderr). ENTRA_WRITEBACK_PULUMI names a CLI to use instead.
 * It blocks this process while the script runs, and runs it again if resolvePulumiCli's run has not ended yet: in a
 * process that uses both, await resolvePulumiCli() first.
 */
export function ensurePulumiCli(): string {
  cliPath ??=
    process.env.ENTRA_WRITEBACK_PULUMI ||
    execFileSync(ENSURE_SCRIPT, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: ensureEnvironment(),
    }).trim();
  return cliPath;
}

let resolving: Promise<string> | undefined;

/**
 * ensurePulumiCli without blocking this process while the script runs (about 0.25 s of CPU when the CLI is built:
 * its `pulumi version` and the launchers' check), once for all callers; after a failure the next call runs it again.
 * runPulumi waits for it, and the drift tool starts it before it loads its shared language host, so both go on at once.
 */
export function resolvePulumiCli(): Promise<string> {
  if (cliPath !== undefined || process.env.ENTRA_WRITEBACK_PULUMI) return Promise.resolve(ensurePulumiCli());
  if (resolving) return resolving;
  const attempt: Promise<string> = new Promise<string>((resolve, reject) => {
    // A failed run is forgotten (the next call runs the script again), unless a later run already took its place.
    const fail = (error: Error) => {
      if (resolving === attempt) resolving = undefined;
      reject(error);
    };
    const child = spawn(ENSURE_SCRIPT, [], {
      stdio: ["ignore", "pipe", "inherit"],
      env: ensureEnvironment(),
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      if (code === 0) resolve((cliPath ??= stdout.trim()));
      else fail(new Error(`${ENSURE_SCRIPT} failed (${signal ?? `exit ${code}`}); what it said is above`));
    });
  });
  resolving = attempt;
  return resolving;
}

/**
 * The Go runtime's garbage collector target for every Pulumi CLI process this project starts (drift, the lab, the
 * measurements, `npm run pulumi`, the tests): GOGC=400 unless the caller's environment sets GOGC. A CLI process lives
 * a few seconds, and its packages' init functions alone allocate about 37 MB (password-strength word lists for the
 * secret warning of `pulumi config set`, schemas): with Go's default of 100 it collects garbage several times before
 * it does anything. 400 cuts a third of the CPU of a `pulumi stack ls` (185 to 123 ms) and 13 % of an end-to-end test
 * file's, for about 10 MB more memory per CLI process (docs/toolchain.md, "The CLI's garbage collector").
 */
export function goRuntimeEnvironment(environment: NodeJS.ProcessEnv = process.env): { GOGC: string } {
  return { GOGC: environment.GOGC || "400" };
}

/**
 * Environment for the CLI: the project's Node 24 first, no update check, the Go garbage collector's target, and a
 * backend: `extra`'s PULUMI_BACKEND_URL, else this process's, else local state in projectDir/.pulumi-state (a file
 * backend's directory is created). `extra` is added last.
 */
export function pulumiEnvironment(projectDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const backend =
    extra.PULUMI_BACKEND_URL ??
    process.env.PULUMI_BACKEND_URL ??
    `file://${path.join(projectDir, ".pulumi-state")}`;
  if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });
  return {
    ...process.env,
    PATH: [
      path.join(projectRoot, "node_modules", ".bin"),
      path.dirname(ensurePulumiCli()),
      process.env.PATH ?? "",
    ].join(path.delimiter),
    PULUMI_BACKEND_URL: backend,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...goRuntimeEnvironment(),
    ...extra,
  };
}

/** The processes descended from `root` (Linux: from /proc; elsewhere none). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

export interface PulumiRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Stopped by options.signal. */
  killed?: boolean;
}

/**
 * Runs the CLI in `projectDir`. With `echo`, output also streams to this process's terminal, and
 * `onOutput` sees each chunk (the lab watches for the wizard prompt). With `signal`, the CLI starts in a process group
 * of its own, and aborting the signal kills the CLI's process tree (its plugins and language hosts, which the CLI
 * starts in process groups of their own) and its group.
 */
export function runPulumi(
  args: string[],
  options: {
    projectDir: string;
    env?: Record<string, string>;
    echo?: boolean;
    onOutput?: (text: string) => void;
    signal?: AbortSignal;
  },
): Promise<PulumiRun> {
  return resolvePulumiCli().then((cli) =>
    // Stopped while the CLI was being looked up: not started at all.
    options.signal?.aborted
      ? { exitCode: 1, stdout: "", stderr: "", killed: true }
      : runCli(cli, args, options),
  );
}

function runCli(cli: string, args: string[], options: Parameters<typeof runPulumi>[1]): Promise<PulumiRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, [...args, "--non-interactive"], {
      cwd: options.projectDir,
      env: pulumiEnvironment(options.projectDir, options.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.signal !== undefined,
    });
    let killed = false;
    let exited = false;
    child.on("exit", () => (exited = true));
    const kill = () => {
      if (exited) return;
      killed = true;
      if (child.pid === undefined) return;
      for (const pid of [-child.pid, ...descendants(child.pid)])
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
    };
    if (options.signal?.aborted) kill();
    options.signal?.addEventListener("abort", kill, { once: true });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (options.echo) process.stdout.write(text);
      options.onOutput?.(text);
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      if (options.echo) process.stderr.write(text);
      options.onOutput?.(text);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", kill);
      resolve({ exitCode: code ?? 1, stdout, stderr, ...(killed ? { killed } : {}) });
    });
  });
}
