// Where the EntraWriteback module runs: this machine, or an Entra Connect server reached with PowerShell remoting.
import { type LocalTarget, type RemoteTarget } from "../contract/target";
import { type InvocationShape } from "./invocation";

export type PowerShellTarget = LocalTarget | RemoteTarget;
export type Transport = "local" | "wsman" | "ssh";

/** _session.ps1 reads the WinRM password from this variable and removes it at once. */
export const REMOTE_PASSWORD_VARIABLE = "ENTRA_WRITEBACK_REMOTE_PASSWORD";

export function transportOf(target: PowerShellTarget): Transport {
  return target.kind === "local" ? "local" : target.transport;
}

export function invocationShapeOf(target: PowerShellTarget): InvocationShape {
  return target.kind === "local" ? "local" : "remote";
}

export function describeTarget(target: PowerShellTarget): string {
  if (target.kind === "local") {
    return "this server (local PowerShell)";
  }
  const host = target.port === undefined ? target.computerName : `${target.computerName}:${target.port}`;
  if (target.transport === "ssh") {
    return `${host} over SSH`;
  }
  return target.useSsl === true ? `${host} over WinRM (HTTPS)` : `${host} over WinRM`;
}

/**
 * Windows PowerShell 5.1 runs ADSync, and is the WinRM client on a Windows controller; SSH remoting needs
 * PowerShell 7 on the controller.
 */
export function defaultExecutable(target: PowerShellTarget): string {
  return transportOf(target) === "ssh" ? "pwsh" : "powershell";
}

/** The JSON _session.ps1 receives to open the session; every field present (the scripts run in strict mode). */
export function sessionOpenArguments(target: PowerShellTarget, timeoutMs: number): Record<string, unknown> {
  if (target.kind === "local") {
    return { action: "open", transport: "local" };
  }
  return {
    action: "open",
    transport: target.transport,
    computerName: target.computerName,
    username: target.username,
    port: target.port ?? null,
    useSsl: target.useSsl ?? false,
    timeoutMs,
  };
}

export const SESSION_CLOSE_ARGUMENTS = { action: "close" } as const;

/** Whether the password goes to PowerShell at all: only WinRM takes one (SSH uses keys). */
export function usesPassword(target: PowerShellTarget, password: string | undefined): password is string {
  return transportOf(target) === "wsman" && password !== undefined && password.length > 0;
}

/** The child's environment: the parent's, with the password variable set only when it is used. */
export function childEnvironment(
  target: PowerShellTarget,
  password: string | undefined,
  parentEnvironment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...parentEnvironment };
  delete environment[REMOTE_PASSWORD_VARIABLE];
  if (usesPassword(target, password)) {
    environment[REMOTE_PASSWORD_VARIABLE] = password;
  }
  return environment;
}
