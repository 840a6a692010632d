// The one place that picks the backend for a target: the simulator, or PowerShell on this machine or a remote
// server. Providers ask for a client here and never reach simulator/ or powershell/ code themselves.
import { type Backend, EntraConnectClient } from "../contract/backend";
import type { Target } from "../contract/target";

export interface BackendOptions {
  /** The WinRM password, from secret stack configuration (PowerShell backends only). */
  password?: string;
  /** Upper bound for every call, in seconds (entra-writeback:callTimeoutSeconds). */
  callTimeoutSeconds: number;
  /** The Pulumi stack (project/stack) the simulator records in its journal with each call, once known. */
  stack?: () => string | undefined;
  /** Name the simulator records in its journal for each call. */
  client?: string;
  /** Where the PowerShell backend reports its sessions. */
  log?: (line: string) => void;
}

/** The backend that serves this target. Each backend's code is loaded only when a target needs it. */
export function createBackend(target: Target, options: BackendOptions): Backend {
  if (target.kind === "simulator") {
    const { createSimulatorBackend } =
      require("../simulator/backend") as typeof import("../simulator/backend");
    return createSimulatorBackend({
      stateFile: target.stateFile,
      server: target.server,
      client: options.client,
      stack: options.stack,
    });
  }
  // Without a password, WinRM uses the current Windows identity (Kerberos).
  const { createPowerShellBackend } =
    require("../powershell/backend") as typeof import("../powershell/backend");
  return createPowerShellBackend({
    target,
    password: options.password,
    callTimeoutMs: options.callTimeoutSeconds * 1000,
    log: options.log,
  });
}

/** A client for one deployment: the server itself is read once (see ClientOptions.rememberServerReads). */
export function createDeploymentClient(target: Target, options: BackendOptions): EntraConnectClient {
  // The PowerShell backend times each call itself, after it leaves the per-server queue; a client-side
  // timer would also count the wait in that queue and give up on calls that still run later.
  const clientTimeoutMs = target.kind === "simulator" ? options.callTimeoutSeconds * 1000 : 0;
  return new EntraConnectClient(createBackend(target, options), {
    callTimeoutMs: clientTimeoutMs,
    rememberServerReads: true,
  });
}
