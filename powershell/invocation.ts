// Builds the one physical line node-powershell sends for a call. Its only variable parts are two base64
// strings, so no value is ever pasted into PowerShell code, and the `-Command -` REPL sees one complete
// statement (a multi-line command could be half-read and hang).
//   session: _session.ps1's text and its JSON arguments (which carry the EntraWriteback module's text);
//   local / remote: the name of an EntraWriteback function and its JSON arguments, run by the runner
//   _session.ps1 defined in this process or in the remote session.
export type InvocationShape = "session" | "local" | "remote";

export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

// Whatever reaches these streams outside the runner would otherwise reach stdout as text. (The runner itself
// collects the function's warning, verbose and information records into its answer.)
const quietStreams = "3>$null 4>$null 5>$null 6>$null";

const decodeArguments =
  "$argumentsJson = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgumentsBase64))";

const parameters: Record<InvocationShape, string> = {
  session: "param([string]$ScriptBase64, [string]$ArgumentsBase64)",
  local: "param([string]$CommandBase64, [string]$ArgumentsBase64)",
  remote: "param([string]$CommandBase64, [string]$ArgumentsBase64)",
};

const decodeFirst: Record<InvocationShape, string> = {
  session: "$scriptText = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ScriptBase64))",
  local: "$commandName = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($CommandBase64))",
  remote: "$commandName = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($CommandBase64))",
};

const run: Record<InvocationShape, string> = {
  session: `$output = @(& ([ScriptBlock]::Create($scriptText)) -ArgumentsJson $argumentsJson ${quietStreams})`,
  // Both defined by _session.ps1 when it opened the session.
  local: `$output = @(& $global:EntraWritebackInvokeOperation $commandName $argumentsJson ${quietStreams})`,
  remote: `$output = @(& $global:EntraWritebackRunRemoteOperation $commandName $argumentsJson ${quietStreams})`,
};

const requireOneOutput = [
  'if ($output.Count -ne 1) { throw "The operation wrote $($output.Count) objects to its output instead of one JSON text." }',
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
  const tryBlock = [decodeFirst[shape], decodeArguments, run[shape], ...requireOneOutput].join("; ");
  const catchBlock = describeError.join("; ");
  return `& { ${parameters[shape]} try { ${tryBlock} } catch { ${catchBlock} }; ${writeBase64Json} }`;
}

const bootstraps: Record<InvocationShape, string> = {
  session: bootstrap("session"),
  local: bootstrap("local"),
  remote: bootstrap("remote"),
};

export function toBase64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** `first` is the script text (session) or the EntraWriteback function's name (local, remote). */
export function buildInvocationLine(shape: InvocationShape, first: string, argumentsJson: string): string {
  return `${bootstraps[shape]} '${toBase64(first)}' '${toBase64(argumentsJson)}'`;
}

/** The constant part of a line of the given shape, for documentation and golden tests. */
export function bootstrapText(shape: InvocationShape): string {
  return bootstraps[shape];
}
