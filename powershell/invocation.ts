// Builds the one physical line node-powershell sends for a call. Its only variable parts are two base64
// strings (the script and its JSON arguments), so no value is ever pasted into PowerShell code, and the
// `-Command -` REPL sees one complete statement (a multi-line command could be half-read and hang).
export type InvocationShape = "local" | "remote";

export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

const decodeScriptAndArguments = [
  "$scriptText = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ScriptBase64))",
  "$argumentsJson = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgumentsBase64))",
];

// Warning, verbose, debug and information streams would otherwise reach stdout as text.
const quietStreams = "3>$null 4>$null 5>$null 6>$null";

const runScript: Record<InvocationShape, string> = {
  local: `$output = @(& ([ScriptBlock]::Create($scriptText)) -ArgumentsJson $argumentsJson ${quietStreams})`,
  // Defined by _session.ps1 when it opened the remote session.
  remote: `$output = @(& $global:EntraWritebackRunRemoteScript $scriptText $argumentsJson ${quietStreams})`,
};

const requireOneOutput = [
  'if ($output.Count -ne 1) { throw "The operation script wrote $($output.Count) objects to its output instead of one JSON text." }',
  "$json = [string]$output[0]",
];

// A remote error arrives as a RemoteException; the original type name travels in SerializedRemoteException.
const describeError = [
  "$exception = $_.Exception",
  "$exceptionType = $exception.GetType().FullName",
  "if ($exception -is [System.Management.Automation.RemoteException] -and $null -ne $exception.SerializedRemoteException) { $exceptionType = @($exception.SerializedRemoteException.PSObject.TypeNames)[0] -replace '^Deserialized\\.', '' }",
  "$json = ConvertTo-Json -Compress -Depth 10 -InputObject ([ordered]@{ error = [ordered]@{ message = $_.ToString(); category = [string]$_.CategoryInfo.Category; fullyQualifiedErrorId = [string]$_.FullyQualifiedErrorId; exceptionType = [string]$exceptionType } })",
];

const writeBase64Json =
  "[Console]::Out.WriteLine([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)))";

function bootstrap(shape: InvocationShape): string {
  const tryBlock = [...decodeScriptAndArguments, runScript[shape], ...requireOneOutput].join("; ");
  const catchBlock = describeError.join("; ");
  return (
    "& { param([string]$ScriptBase64, [string]$ArgumentsBase64) " +
    `try { ${tryBlock} } catch { ${catchBlock} }; ${writeBase64Json} }`
  );
}

const bootstraps: Record<InvocationShape, string> = {
  local: bootstrap("local"),
  remote: bootstrap("remote"),
};

export function toBase64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export function buildInvocationLine(
  shape: InvocationShape,
  scriptText: string,
  argumentsJson: string,
): string {
  const scriptBase64 = toBase64(scriptText);
  const argumentsBase64 = toBase64(argumentsJson);
  return `${bootstraps[shape]} '${scriptBase64}' '${argumentsBase64}'`;
}

/** The constant part of a line of the given shape, for documentation and golden tests. */
export function bootstrapText(shape: InvocationShape): string {
  return bootstraps[shape];
}
