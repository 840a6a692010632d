// One node-powershell process: started with safe flags, prepared by _session.ps1, every call bounded by a
// timeout. A session that timed out or died is not reused: the backend disposes it and opens a new one.
import { PowerShell } from "node-powershell";
import { buildInvocationLine } from "./invocation";
import { loadScript, SESSION_SCRIPT } from "./scripts";

export interface SessionOptions {
  executable: string;
  /** The child's whole environment (the only way a password reaches PowerShell). */
  environment: NodeJS.ProcessEnv;
}

export interface CallOutput {
  stdout: string;
  stderr: string;
}

export type SessionFailureKind = "timeout" | "exited";

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

  private constructor(private readonly shell: PowerShell) {}

  static start(options: SessionOptions): PowerShellSession {
    const shell = new PowerShell({
      executable: options.executable,
      executableOptions: { ...POWERSHELL_FLAGS },
      spawnOptions: { env: options.environment, windowsHide: true },
      // Our own timer bounds each call so a stuck process can be killed and replaced.
      invocationTimeout: 0,
      throwOnInvocationError: false,
    });
    return new PowerShellSession(shell);
  }

  get isUsable(): boolean {
    return this.usable;
  }

  /** Runs _session.ps1 (open or close) in this process, the same way as any operation script. */
  runSessionScript(argumentsJson: string, timeoutMs: number): Promise<CallOutput> {
    return this.invoke(buildInvocationLine("local", loadScript(SESSION_SCRIPT), argumentsJson), timeoutMs);
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
      throw new SessionFailure("exited", describeProcessError(error));
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

function describeProcessError(error: unknown): string {
  if (error instanceof Error) {
    const original = (error as { originalError?: unknown }).originalError;
    const detail = original instanceof Error && original.message ? `: ${original.message}` : "";
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    const signal = (error as { signalCode?: unknown }).signalCode;
    const how =
      typeof exitCode === "number"
        ? ` with exit code ${exitCode}`
        : typeof signal === "string"
          ? ` by ${signal}`
          : "";
    if (error.name === "ProcessError") {
      return `the PowerShell process ended${how}${detail}`;
    }
    return `the PowerShell process failed: ${error.message}`;
  }
  return `the PowerShell process failed: ${String(error)}`;
}
