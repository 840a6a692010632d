// The seam between providers and servers: a backend runs named operations of the contract.
import { type OperationArgs, type OperationName, type OperationResult, operations } from "./contract";
import { OperationError } from "./errors";

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
}

/** A typed view of a backend that validates every argument and every result against the contract. */
export class EntraConnectClient {
  /**
   * @param callTimeoutMs every call fails with a Timeout error after this long, whatever the backend
   *   does (the PowerShell backend also has its own, per session). 0 disables it.
   */
  constructor(
    readonly backend: Backend,
    private readonly callTimeoutMs = 0,
  ) {}

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
    const raw = await this.withTimeout(operation, this.backend.run(operation, parsedArgs.data));
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

  sleep(milliseconds: number): Promise<void> {
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
