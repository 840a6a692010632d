// Turns PowerShell error records, timeouts and dead sessions into the contract's OperationErrors.
import { OperationError, type OperationErrorCode } from "../contract/errors";
import { type PowerShellErrorRecord } from "./answer";

/** An OperationError that also carries the PowerShell error record it came from. */
export class PowerShellOperationError extends OperationError {
  constructor(
    operation: string,
    code: OperationErrorCode,
    message: string,
    readonly errorRecord?: PowerShellErrorRecord,
  ) {
    super(operation, code, message);
  }
}

// The module's functions raise their own refusals with an error id "EntraWriteback.<code>" (Write-Error -ErrorId;
// PowerShell appends ",<function>"): Remove-EntraWritebackOrganizationalUnit (Refused),
// Set-EntraWritebackGroupWritebackV2 (FeatureRefused) and the sync rule functions (Refused, NotFound, SyncBusy).
const SCRIPT_ERROR_ID_PREFIX = "EntraWriteback.";
const SCRIPT_ERROR_CODES: ReadonlySet<OperationErrorCode> = new Set<OperationErrorCode>([
  "Refused",
  "FeatureRefused",
  "NotFound",
  "SyncBusy",
]);

interface Rule {
  code: OperationErrorCode;
  matches(record: PowerShellErrorRecord): boolean;
}

const textOf = (record: PowerShellErrorRecord) => record.message;
const typeIs = (record: PowerShellErrorRecord, ...typeNames: string[]) =>
  typeNames.some(
    (typeName) => record.exceptionType === typeName || record.exceptionType.endsWith(`.${typeName}`),
  );

// Microsoft's texts (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler, https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/reference-connect-adsync) and the AD module's exception types, first match wins.
const RULES: Rule[] = [
  {
    code: "SyncBusy",
    matches: (r) =>
      /Sync is already running|\bis busy\b|synchronization cycle is in progress/i.test(textOf(r)),
  },
  { code: "SchedulerSuspended", matches: (r) => /suspended via global parameters/i.test(textOf(r)) },
  {
    code: "AccessDenied",
    matches: (r) =>
      /access is denied|access denied|insufficient access rights/i.test(textOf(r)) ||
      typeIs(r, "UnauthorizedAccessException") ||
      r.category === "PermissionDenied",
  },
  {
    code: "NotFound",
    matches: (r) =>
      /Cannot find an object with identity/i.test(textOf(r)) || typeIs(r, "ADIdentityNotFoundException"),
  },
];

function codeFromScriptErrorId(fullyQualifiedErrorId: string): OperationErrorCode | undefined {
  if (!fullyQualifiedErrorId.startsWith(SCRIPT_ERROR_ID_PREFIX)) {
    return undefined;
  }
  const code = fullyQualifiedErrorId.slice(SCRIPT_ERROR_ID_PREFIX.length).split(",")[0] as OperationErrorCode;
  return SCRIPT_ERROR_CODES.has(code) ? code : undefined;
}

/**
 * The remote session is gone (WinRM idle timeout, network, server restart): the session must be replaced.
 * PowerShell reports it as "... you cannot run a command in the session. The session state is Broken." or as a
 * PSRemotingTransportException.
 */
export function indicatesLostSession(record: PowerShellErrorRecord): boolean {
  return (
    typeIs(record, "PSRemotingTransportException") ||
    /session state is (Broken|Closed|Disconnected)|you cannot run a command in the session/i.test(
      record.message,
    )
  );
}

/** Invoke-Command refused to start the command in a broken session, so running it again elsewhere is safe. */
export function indicatesNotStarted(record: PowerShellErrorRecord): boolean {
  return /you cannot run a command in the session/i.test(record.message);
}

/** Drops the .NET stack frames some ADSync cmdlets put into their error message. */
export function cleanMessage(message: string): string {
  return message
    .split(/\r?\n/)
    .filter((line) => !/^\s+at\s/.test(line))
    .join("\n")
    .trim();
}

export function classifyErrorRecord(record: PowerShellErrorRecord): OperationErrorCode {
  return (
    codeFromScriptErrorId(record.fullyQualifiedErrorId) ??
    RULES.find((rule) => rule.matches(record))?.code ??
    "CmdletError"
  );
}

export function errorFromRecord(
  operation: string,
  record: PowerShellErrorRecord,
  redact: (text: string) => string,
): PowerShellOperationError {
  let message = cleanMessage(record.message);
  if (typeIs(record, "CommandNotFoundException")) {
    message +=
      " (the module that provides it is not loaded in the PowerShell session; the session log lists the modules)";
  }
  const safeRecord = { ...record, message: redact(record.message) };
  return new PowerShellOperationError(operation, classifyErrorRecord(record), redact(message), safeRecord);
}

/** `activity` says what did not finish: the operation itself, or opening the session for it. */
export function timeoutError(
  operation: string,
  timeoutMs: number,
  description: string,
  activity: string = operation,
): PowerShellOperationError {
  return new PowerShellOperationError(
    operation,
    "Timeout",
    `${activity} did not finish within ${formatDuration(timeoutMs)} on ${description}; ` +
      "the PowerShell session was stopped and the next call starts a new one",
  );
}

export function transportError(operation: string, message: string): PowerShellOperationError {
  return new PowerShellOperationError(operation, "Transport", message);
}

function formatDuration(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000} s` : `${milliseconds} ms`;
}
