// Typed errors every backend raises, so providers can react to what happened rather than to message text.

export type OperationErrorCode =
  /** Start-ADSyncSyncCycle while a cycle runs, or a configuration change during a cycle. */
  | "SyncBusy"
  /** Start-ADSyncSyncCycle while SchedulerSuspended is set. */
  | "SchedulerSuspended"
  /** The tenant refused to change a company feature (GroupWritebackV2 on a current tenant). */
  | "FeatureRefused"
  /** The Entra Connect build is too old for the operation. */
  | "UnsupportedVersion"
  /** The object the operation names does not exist. */
  | "NotFound"
  /** The operation would destroy something it must not (non-empty OU). */
  | "Refused"
  /** The caller lacks the rights. */
  | "AccessDenied"
  /** The call did not finish within its timeout. */
  | "Timeout"
  /** The PowerShell session or remote connection failed. */
  | "Transport"
  /** Any other error a cmdlet reported. */
  | "CmdletError"
  /** The backend answered with data that does not match the contract. */
  | "InvalidResult"
  /** A fault injected into the simulator on purpose. */
  | "InjectedFault";

export class OperationError extends Error {
  override readonly name = "OperationError";
  constructor(
    readonly operation: string,
    readonly code: OperationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isOperationError(error: unknown, code?: OperationErrorCode): error is OperationError {
  return error instanceof OperationError && (code === undefined || error.code === code);
}
