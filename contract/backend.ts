// The seam between providers and servers: a backend runs named operations of the contract.
import { type OperationArgs, type OperationName, type OperationResult, operations } from "./contract";
import { OperationError } from "./errors";

/** A step only a person can do on the server, in the Entra Connect wizard: group writeback v1, or staging mode. */
export type WizardStep =
  | {
      /** The OU the wizard's group writeback page selects. */
      writebackOu: string;
      /** Whether the "Writeback group Distinguished Name with cloud Display Name" option is selected. */
      displayNameDn: boolean;
    }
  | {
      /** Configure staging mode: whether "Enable staging mode" ends up selected. */
      stagingMode: boolean;
    };

export interface Backend {
  /** Human-readable target, for messages: "simulator /x/lab.json (CONNECT01)", "connect01 over WinRM". */
  readonly description: string;
  /** Runs one operation. Arguments and result are plain JSON values. */
  run(operation: OperationName, args: unknown): Promise<unknown>;
  /**
   * Waits. The simulator on a simulated clock advances its clock instead of sleeping, so a
   * 40-second sync cycle costs no wall time in tests; real servers sleep.
   */
  sleep(milliseconds: number): Promise<void>;
  /** Disposes sessions. */
  close(): Promise<void>;
  /**
   * One line on how a person does the wizard step on this backend's server, when that is not (only) the
   * real wizard: the simulator prints its `entra-sim wizard` command. Absent: the wizard steps say it all.
   */
  wizardHint?(step: WizardStep): string | undefined;
}

/** Reads of the server itself, which a deployment makes once (see ClientOptions.rememberServerReads). */
const SERVER_READS: ReadonlySet<OperationName> = new Set(["getServerInfo", "getServerState"]);

/** Operations that change nothing on the server. */
function changesNothing(operation: OperationName): boolean {
  return operation.startsWith("get") || operation.startsWith("list");
}

export interface ClientOptions {
  /**
   * Every call fails with a Timeout error after this long, whatever the backend does (the PowerShell
   * backend also has its own, per session). 0 (the default) disables it.
   */
  callTimeoutMs?: number;
  /**
   * Remember getServerInfo and getServerState: later calls get the same answer (getServerInfo also from a
   * remembered getServerState) until this client changes something on the server or sleeps. For the
   * providers, whose clients live for one deployment: a refresh then reads the server once, not once per
   * resource. Changes made out of band during the deployment are not seen by the reads that follow them.
   */
  rememberServerReads?: boolean;
}

/** A typed view of a backend that validates every argument and every result against the contract. */
export class EntraConnectClient {
  private readonly callTimeoutMs: number;
  private readonly remembered: Map<string, Promise<unknown>> | undefined;

  constructor(
    readonly backend: Backend,
    options: ClientOptions | number = {},
  ) {
    const settings = typeof options === "number" ? { callTimeoutMs: options } : options;
    this.callTimeoutMs = settings.callTimeoutMs ?? 0;
    this.remembered = settings.rememberServerReads ? new Map() : undefined;
  }

  get description(): string {
    return this.backend.description;
  }

  async call<N extends OperationName>(operation: N, args: OperationArgs<N>): Promise<OperationResult<N>> {
    const schema = operations[operation];
    const parsedArgs = schema.args.safeParse(args);
    if (!parsedArgs.success) {
      throw new OperationError(
        operation,
        "CmdletError",
        `invalid arguments for ${operation}: ${parsedArgs.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      );
    }
    if (this.remembered !== undefined && SERVER_READS.has(operation)) {
      return structuredClone(await this.rememberedRun(operation, parsedArgs.data)) as OperationResult<N>;
    }
    if (changesNothing(operation)) return this.runChecked(operation, parsedArgs.data);
    this.remembered?.clear();
    try {
      return await this.runChecked(operation, parsedArgs.data);
    } finally {
      this.remembered?.clear();
    }
  }

  /** A remembered answer, or the call (at most one at a time per operation: concurrent callers share it). */
  private rememberedRun<N extends OperationName>(operation: N, args: unknown): Promise<OperationResult<N>> {
    const remembered = this.remembered as Map<string, Promise<unknown>>;
    const state = remembered.get("getServerState");
    if (operation === "getServerInfo" && state !== undefined) {
      return state.then((value) => (value as OperationResult<"getServerState">).server) as Promise<
        OperationResult<N>
      >;
    }
    let pending = remembered.get(operation);
    if (pending === undefined) {
      pending = this.runChecked(operation, args);
      remembered.set(operation, pending);
      pending.catch(() => {
        if (remembered.get(operation) === pending) remembered.delete(operation);
      });
    }
    return pending as Promise<OperationResult<N>>;
  }

  private async runChecked<N extends OperationName>(
    operation: N,
    args: unknown,
  ): Promise<OperationResult<N>> {
    const schema = operations[operation];
    const raw = await this.withTimeout(operation, this.backend.run(operation, args));
    const parsedResult = schema.result.safeParse(raw);
    if (!parsedResult.success) {
      throw new OperationError(
        operation,
        "InvalidResult",
        `${this.backend.description} answered ${operation} with data that does not match the contract: ${parsedResult.error.issues
          .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
          .join("; ")}`,
      );
    }
    return parsedResult.data as OperationResult<N>;
  }

  /** The backend's line on how to do the wizard step on its server, if it has one (see Backend.wizardHint). */
  wizardHint(step: WizardStep): string | undefined {
    return this.backend.wizardHint?.(step);
  }

  sleep(milliseconds: number): Promise<void> {
    this.remembered?.clear(); // time passes: cycles start and end
    return this.backend.sleep(milliseconds);
  }

  private withTimeout<T>(operation: OperationName, pending: Promise<T>): Promise<T> {
    if (this.callTimeoutMs <= 0) return pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OperationError(
              operation,
              "Timeout",
              `${operation} on ${this.backend.description} did not answer within ${Math.round(this.callTimeoutMs / 1000)} s`,
            ),
          ),
        this.callTimeoutMs,
      );
      timer.unref();
    });
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
