// One node-powershell process: started with safe flags, prepared by _session.ps1 (which imports the EntraWriteback
// module), every call bounded by a timeout.
// A session that timed out or died is not reused: the backend disposes it and opens a new one.
import { getSystemErrorName } from "node:util";
import { PowerShell } from "node-powershell";
import { buildInvocationLine } from "./invocation";
import { loadSessionScript } from "./module";

export interface SessionOptions {
  executable: string;
  /** The child's whole environment (the only way a password reaches PowerShell). */
  environment: NodeJS.ProcessEnv;
}

export interface CallOutput {
  stdout: string;
  stderr: string;
}

/** timeout: no answer in time; exited: the process died during the call; gone: it had died before the call was sent. */
export type SessionFailureKind = "timeout" | "exited" | "gone";

/** The process did not answer in time, or is gone; either way the session cannot be used again. */
export class SessionFailure extends Error {
  override readonly name = "SessionFailure";
  constructor(
    readonly kind: SessionFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export const POWERSHELL_FLAGS = {
  "-NoProfile": true,
  "-NonInteractive": true,
  "-ExecutionPolicy": "Bypass",
} as const;

export class PowerShellSession {
  private usable = true;

  private constructor(
    private readonly shell: PowerShell,
    private readonly executable: string,
  ) {}

  static start(options: SessionOptions): PowerShellSession {
    const shell = new PowerShell({
      executable: options.executable,
      executableOptions: { ...POWERSHELL_FLAGS },
      spawnOptions: { env: options.environment, windowsHide: true },
      // Our own timer bounds each call so a stuck process can be killed and replaced.
      invocationTimeout: 0,
      throwOnInvocationError: false,
    });
    return new PowerShellSession(shell, options.executable);
  }

  get isUsable(): boolean {
    return this.usable;
  }

  /** Runs _session.ps1 (open or close) in this process. */
  runSessionScript(argumentsJson: string, timeoutMs: number): Promise<CallOutput> {
    return this.invoke(buildInvocationLine("session", loadSessionScript(), argumentsJson), timeoutMs);
  }

  async invoke(line: string, timeoutMs: number): Promise<CallOutput> {
    if (!this.usable) {
      throw new SessionFailure("exited", "the PowerShell session is no longer usable");
    }
    const invocation = this.shell.invoke(line);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const outcome = await Promise.race([invocation, timeout]);
      if (outcome === "timeout") {
        this.usable = false;
        // The abandoned invocation settles when the process is killed; nobody waits for it.
        invocation.catch(() => undefined);
        throw new SessionFailure("timeout", `no answer within ${timeoutMs} ms`);
      }
      if (outcome.stdout === undefined) {
        // node-powershell resolves without output when the process exited in the middle of the call.
        this.usable = false;
        throw new SessionFailure("exited", "the PowerShell process exited during the call");
      }
      return {
        stdout: outcome.stdout.toString("utf8"),
        stderr: (outcome.stderr ?? Buffer.alloc(0)).toString("utf8"),
      };
    } catch (error) {
      if (error instanceof SessionFailure) {
        throw error;
      }
      this.usable = false;
      if (error instanceof Error && /invoke called after process exited/.test(error.message)) {
        throw new SessionFailure("gone", "the PowerShell process had exited before the call");
      }
      throw new SessionFailure("exited", describeProcessError(error, this.executable));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process. Safe to call more than once. */
  async dispose(): Promise<void> {
    this.usable = false;
    // A process killed on Windows exits with code 1, which node-powershell reports as an error.
    await this.shell.dispose().catch(() => undefined);
  }
}

function describeProcessError(error: unknown, executable: string): string {
  if (!(error instanceof Error)) {
    return `the PowerShell process failed: ${String(error)}`;
  }
  if (error.name !== "ProcessError") {
    return `the PowerShell process failed: ${error.message}`;
  }
  const { exitCode, signalCode, originalError } = error as {
    exitCode?: unknown;
    signalCode?: unknown;
    originalError?: unknown;
  };
  // A negative exit code is the errno of a failed spawn (-2 = ENOENT).
  if (typeof exitCode === "number" && exitCode < 0) {
    return `PowerShell could not be started (${executable}: ${getSystemErrorName(exitCode)})`;
  }
  const how =
    typeof exitCode === "number"
      ? ` with exit code ${exitCode}`
      : typeof signalCode === "string"
        ? ` by ${signalCode}`
        : "";
  const detail = originalError instanceof Error && originalError.message ? `: ${originalError.message}` : "";
  return `the PowerShell process ended${how}${detail}`;
}
