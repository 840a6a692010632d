// One client per target per provider process: the engine runs every dynamic resource of a deployment in
// one Node process, so PowerShell sessions are shared and calls to one server are serialized by its backend.
import { type Backend, EntraConnectClient } from "../../operations/backend";
import { type Target, target as targetSchema } from "../../operations/target";

export interface ProviderSettings {
  password?: string;
  callTimeoutSeconds: number;
}

const DEFAULT_CALL_TIMEOUT_SECONDS = 300;

let settings: ProviderSettings = { callTimeoutSeconds: DEFAULT_CALL_TIMEOUT_SECONDS };
const clients = new Map<string, EntraConnectClient>();

/** Called once per provider process with the stack configuration the engine passes to `configure`. */
export function configureProviders(raw: Record<string, string | undefined>): void {
  const timeout = raw.callTimeoutSeconds === undefined ? NaN : Number(raw.callTimeoutSeconds);
  settings = {
    password: raw.password || undefined,
    callTimeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_CALL_TIMEOUT_SECONDS,
  };
}

export function clientFor(rawTarget: unknown): EntraConnectClient {
  const target = targetSchema.parse(rawTarget);
  const key = JSON.stringify(target);
  let client = clients.get(key);
  if (!client) {
    // The PowerShell backend times each call itself, after it leaves the per-server queue; a client-side
    // timer would also count the wait in that queue and give up on calls that still run later.
    const clientTimeoutMs = target.kind === "simulator" ? settings.callTimeoutSeconds * 1000 : 0;
    // One deployment per provider process: the server itself is read once (see rememberServerReads).
    client = new EntraConnectClient(createBackend(target), {
      callTimeoutMs: clientTimeoutMs,
      rememberServerReads: true,
    });
    clients.set(key, client);
  }
  return client;
}

function createBackend(target: Target): Backend {
  if (target.kind === "simulator") {
    const { createSimulatorBackend } =
      require("../../simulator/backend") as typeof import("../../simulator/backend");
    return createSimulatorBackend({ stateFile: target.stateFile, server: target.server, client: "pulumi" });
  }
  // Without a password, WinRM uses the current Windows identity (Kerberos).
  const { createPowerShellBackend } =
    require("../../powershell/backend") as typeof import("../../powershell/backend");
  return createPowerShellBackend({
    target,
    password: settings.password,
    callTimeoutMs: settings.callTimeoutSeconds * 1000,
    log: (line) => console.log(`[entra-writeback] ${line}`),
  });
}

/** Closes every session; used by tests and at process exit. */
export async function closeClients(): Promise<void> {
  const open = [...clients.values()];
  clients.clear();
  await Promise.allSettled(open.map((client) => client.close()));
}

/** Only for unit tests: use this client for the given target. */
export function useClientForTests(rawTarget: unknown, client: EntraConnectClient): void {
  clients.set(JSON.stringify(targetSchema.parse(rawTarget)), client);
}
