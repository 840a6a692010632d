// The Backend for real Entra Connect servers: each contract operation runs its function of the EntraWriteback
// module in one long-lived PowerShell session per backend (local, or remote over WinRM or SSH), one call at a time.
import { z } from "zod";
import { type Backend } from "../contract/backend";
import { type OperationName, operations } from "../contract/contract";
import { OperationError } from "../contract/errors";
import { localTarget, remoteTarget } from "../contract/target";
import { type Answer, decodeAnswer, MissingAnswerError } from "./answer";
import {
  errorFromRecord,
  indicatesLostSession,
  indicatesNotStarted,
  PowerShellOperationError,
  timeoutError,
  transportError,
} from "./errors";
import { onEngineGone } from "./engineGone";
import { buildInvocationLine } from "./invocation";
import { SerialQueue } from "./queue";
import {
  childEnvironment,
  defaultExecutable,
  describeTarget,
  invocationShapeOf,
  type PowerShellTarget,
  SESSION_CLOSE_ARGUMENTS,
  sessionOpenArguments,
  transportOf,
} from "./remoting";
import { commandOf, loadModule } from "./module";
import { createRedactor, type Redactor } from "./secrets";
import { type CallOutput, PowerShellSession, SessionFailure } from "./session";

export interface PowerShellBackendOptions {
  target: PowerShellTarget;
  /** The WinRM password, from secret stack configuration. Reaches PowerShell only through its environment. */
  password?: string;
  /** Upper bound for every call; the session is replaced after a timeout. Default 120 s. */
  callTimeoutMs?: number;
  /** Upper bound for starting PowerShell, opening the remote session and importing modules. Default: the call timeout, at least 60 s. */
  openTimeoutMs?: number;
  /** powershell (default; Windows PowerShell 5.1), pwsh (default for SSH), or a path. */
  executable?: string;
  log?: (line: string) => void;
}

export const DEFAULT_CALL_TIMEOUT_MS = 120_000;
// Opening a remote session and importing ADSync and ActiveDirectory can take a while on a busy server.
const MINIMUM_OPEN_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

const powerShellTarget = z.discriminatedUnion("kind", [localTarget, remoteTarget]);

export function createPowerShellBackend(options: PowerShellBackendOptions): Backend {
  const backend = new PowerShellBackend(options);
  openBackends.add(backend);
  return backend;
}

// When the engine that started this provider process is gone, nothing may reach a server any more: kill every
// session now, in the middle of a call if need be, and refuse whatever was queued or comes next.
const openBackends = new Set<PowerShellBackend>();
let watchingEngine = false;

/** Kills every PowerShell session of this process and refuses later calls. Exported for tests. */
export function abandonAllBackends(): Promise<unknown> {
  return Promise.allSettled([...openBackends].map((backend) => backend.abandon()));
}

function watchEngine(): void {
  if (watchingEngine) return;
  watchingEngine = true;
  onEngineGone(abandonAllBackends);
}

class PowerShellBackend implements Backend {
  readonly description: string;
  private readonly target: PowerShellTarget;
  private readonly callTimeoutMs: number;
  private readonly openTimeoutMs: number;
  private readonly executable: string;
  private readonly environment: NodeJS.ProcessEnv;
  private readonly redact: Redactor;
  private readonly writeLog: (line: string) => void;
  private readonly queue = new SerialQueue();
  private session: PowerShellSession | undefined;
  private abandoned = false;

  constructor(options: PowerShellBackendOptions) {
    watchEngine();
    this.target = powerShellTarget.parse(options.target);
    this.description = describeTarget(this.target);
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.openTimeoutMs = options.openTimeoutMs ?? Math.max(this.callTimeoutMs, MINIMUM_OPEN_TIMEOUT_MS);
    this.executable = options.executable ?? defaultExecutable(this.target);
    this.environment = childEnvironment(this.target, options.password);
    this.redact = createRedactor([options.password]);
    const log = options.log ?? (() => undefined);
    this.writeLog = (line) => log(this.redact(line));
    if (options.password !== undefined && transportOf(this.target) !== "wsman") {
      this.writeLog(`${this.description}: a password is only used for WinRM; it is ignored here`);
    }
  }

  run(operation: OperationName, args: unknown): Promise<unknown> {
    return this.queue.run(() => this.runNow(operation, args));
  }

  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
  }

  close(): Promise<void> {
    openBackends.delete(this);
    return this.queue.run(() => this.closeSession());
  }

  /** Kills the session at once (an in-flight call fails) and refuses every later call. */
  async abandon(): Promise<void> {
    this.abandoned = true;
    openBackends.delete(this);
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) {
      this.writeLog(
        `the deployment that started this process is gone: stopping the PowerShell session for ${this.description}`,
      );
      await session.dispose();
    }
  }

  private refuseWhenAbandoned(operation: string): void {
    if (this.abandoned) {
      throw transportError(
        operation,
        `${operation} was not sent to ${this.description}: the deployment that started this provider process is gone`,
      );
    }
  }

  private async runNow(operation: OperationName, args: unknown): Promise<unknown> {
    this.refuseWhenAbandoned(operation);
    if (!Object.hasOwn(operations, operation)) {
      throw new OperationError(String(operation), "CmdletError", `unknown operation ${String(operation)}`);
    }
    const argumentsJson = JSON.stringify(args ?? {});
    const line = buildInvocationLine(invocationShapeOf(this.target), commandOf(operation), argumentsJson);
    const first = await this.attempt(operation, line);
    if (first.kind !== "notStarted") {
      return first.value;
    }
    // The call provably never ran (the session was already gone), so one more try on a new session is safe.
    this.writeLog(`${operation}: ${first.reason}; retrying once on a new session`);
    const second = await this.attempt(operation, line);
    if (second.kind !== "notStarted") {
      return second.value;
    }
    throw transportError(
      operation,
      this.redact(`${operation} could not run on ${this.description}: ${second.reason}`),
    );
  }

  private async attempt(
    operation: OperationName,
    line: string,
  ): Promise<{ kind: "done"; value: unknown } | { kind: "notStarted"; reason: string }> {
    const session = await this.openSession(operation);
    const started = Date.now();
    this.writeLog(`${operation}: running on ${this.description}`);
    let output: CallOutput;
    try {
      output = await session.invoke(line, this.callTimeoutMs);
    } catch (error) {
      await this.discardSession();
      if (error instanceof SessionFailure && error.kind === "gone") {
        return { kind: "notStarted", reason: error.message };
      }
      throw this.sessionError(operation, error, this.callTimeoutMs);
    }
    const answer = await this.readAnswer(session, operation, output);
    if (answer.kind === "result") {
      this.writeLog(`${operation}: done in ${Date.now() - started} ms`);
      return { kind: "done", value: answer.value };
    }
    const error = errorFromRecord(operation, answer.record, this.redact);
    if (indicatesLostSession(answer.record)) {
      await this.discardSession();
      if (indicatesNotStarted(answer.record)) {
        return { kind: "notStarted", reason: `the remote session was lost (${error.message})` };
      }
      this.writeLog(`${operation}: the remote session was lost; the next call opens a new one`);
      throw new PowerShellOperationError(
        operation,
        "Transport",
        `${operation} lost its connection to ${this.description}: ${error.message}; the next call opens a new session`,
        error.errorRecord,
      );
    }
    this.writeLog(`${operation}: failed after ${Date.now() - started} ms (${error.code}): ${error.message}`);
    throw error;
  }

  /** The session, opened (or replaced) on the first call that needs it; errors name that call. */
  private async openSession(operation: string): Promise<PowerShellSession> {
    if (this.session?.isUsable) {
      return this.session;
    }
    await this.discardSession();
    this.refuseWhenAbandoned(operation);
    this.writeLog(`starting PowerShell (${this.executable}) for ${this.description}`);
    const session = PowerShellSession.start({ executable: this.executable, environment: this.environment });
    this.session = session;
    const openArguments = JSON.stringify({
      ...sessionOpenArguments(this.target, this.openTimeoutMs),
      module: loadModule(),
    });
    const activity = `opening the PowerShell session for ${operation}`;
    let answer: Answer;
    try {
      const output = await session.runSessionScript(openArguments, this.openTimeoutMs);
      answer = await this.readAnswer(session, operation, output);
    } catch (error) {
      await this.discardSession();
      if (error instanceof PowerShellOperationError) {
        // Whatever went wrong before the session was ready is a connection problem.
        throw new PowerShellOperationError(operation, "Transport", `${activity} failed: ${error.message}`);
      }
      throw this.sessionError(operation, error, this.openTimeoutMs, activity);
    }
    if (answer.kind === "error") {
      await this.discardSession();
      const cause = errorFromRecord(operation, answer.record, this.redact);
      const code = cause.code === "CmdletError" ? "Transport" : cause.code;
      throw new PowerShellOperationError(
        operation,
        code,
        `could not prepare the PowerShell session for ${this.description}: ${cause.message}`,
        cause.errorRecord,
      );
    }
    this.writeLog(`PowerShell session ready for ${this.description}: ${JSON.stringify(answer.value)}`);
    return session;
  }

  private async readAnswer(
    session: PowerShellSession,
    operation: string,
    output: CallOutput,
  ): Promise<Answer> {
    if (output.stderr.trim().length > 0) {
      this.writeLog(`${operation}: PowerShell wrote to stderr: ${output.stderr.trim()}`);
    }
    try {
      const answer = decodeAnswer(output.stdout);
      for (const stray of answer.strayOutput) {
        this.writeLog(`${operation}: PowerShell also wrote: ${stray}`);
      }
      if (answer.kind === "result") {
        // What the function wrote with Write-Warning, Write-Verbose and Write-Information (or Write-Host).
        for (const { stream, message } of answer.messages) {
          this.writeLog(`${operation}: ${stream}: ${message}`);
        }
      }
      return answer;
    } catch (error) {
      if (!(error instanceof MissingAnswerError)) {
        throw error;
      }
      // Without an answer line the state of the session is unknown: do not reuse it.
      if (this.session === session) {
        this.session = undefined;
      }
      await session.dispose();
      const said = output.stderr.trim() || output.stdout.trim();
      throw new PowerShellOperationError(
        operation,
        output.stderr.trim() ? "CmdletError" : "Transport",
        this.redact(`${error.message} on ${this.description}${said ? `: ${said}` : ""}`),
      );
    }
  }

  private sessionError(
    operation: string,
    error: unknown,
    timeoutMs: number,
    activity: string = operation,
  ): PowerShellOperationError {
    if (error instanceof SessionFailure && error.kind === "timeout") {
      this.writeLog(`${operation}: no answer within ${timeoutMs} ms; PowerShell session stopped`);
      return timeoutError(operation, timeoutMs, this.description, activity);
    }
    const detail = error instanceof Error ? error.message : String(error);
    this.writeLog(`${operation}: PowerShell session lost: ${detail}`);
    return transportError(
      operation,
      this.redact(`${activity} failed on ${this.description}: ${detail}; the next call starts a new session`),
    );
  }

  private async discardSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) {
      await session.dispose();
    }
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    if (session === undefined) {
      return;
    }
    if (session.isUsable) {
      try {
        await session.runSessionScript(JSON.stringify(SESSION_CLOSE_ARGUMENTS), CLOSE_TIMEOUT_MS);
      } catch (error) {
        this.writeLog(
          `closing the PowerShell session: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await this.discardSession();
    this.writeLog(`PowerShell session for ${this.description} closed`);
  }
}
