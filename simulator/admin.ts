// Out-of-band actions an administrator (or a test) takes on the simulated world, each one journaled.
import * as crypto from "node:crypto";
import { z } from "zod";
import { connectVersion, type OperationName, operationNames } from "../contract/contract";
import { OperationError } from "../contract/errors";
import { advanceClock } from "./clock";
import { dnKey } from "../domain/dn";
import type { CloudGroup, Server, SimState } from "./model";
import {
  findServer,
  type RunOutcome,
  type RunRequest,
  runInTransaction,
  SYNC_ALREADY_RUNNING,
} from "./operations";
import {
  buildInitialState,
  connectorAccount,
  initOptionsSchema,
  type InitOptions,
  newServer,
  seededRandom,
  suggestedWritebackOu,
} from "./seed";
import { createStateDatabase, StateFileError } from "./store";
import { resumeSchedulerAt, startCycle } from "./syncCycle";
import { resolveStateFile, type Transaction, withState } from "./transaction";
import { newUnifiedGroupWritebackDefault } from "./graph/directorySettings";
import { disableGroupWriteback, enableGroupWriteback, setStagingMode } from "./wizard";

export interface ActionMeta {
  /** For the journal: cli, backend, a test's name. Default "cli". */
  client?: string;
  /** Server name; default the first server. */
  server?: string;
}

/**
 * Runs an action in one transaction and journals it with its outcome. An OperationError from the action
 * is journaled and rethrown; actions validate before they change anything, so a refused action changes nothing.
 */
export async function runAction<T>(
  file: string,
  action: string,
  args: unknown,
  meta: ActionMeta,
  fn: (tx: Transaction, server: Server) => T,
): Promise<T> {
  const outcome = await withState(file, (tx) => {
    const serverName = meta.server ?? tx.state.servers[0]?.name ?? "";
    const entry = {
      kind: "operation" as const,
      server: serverName,
      client: meta.client ?? "cli",
      operation: action,
      args,
    };
    try {
      const value = fn(tx, findServer(tx.state, meta.server));
      tx.journal({ ...entry, outcome: "ok" });
      return { ok: true as const, value };
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      tx.journal({ ...entry, outcome: "error", code: error.code, message: error.message });
      return { ok: false as const, error };
    }
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Runs one contract operation as a client (journaled); returns the outcome without throwing. */
export async function runOperation(file: string, request: RunRequest): Promise<RunOutcome> {
  return withState(file, (tx) => runInTransaction(tx, request));
}

/** Runs one contract operation and throws its OperationError, for callers that want plain results. */
export async function callOperation(
  file: string,
  operation: OperationName,
  args: unknown,
  meta: ActionMeta = {},
): Promise<unknown> {
  const outcome = await runOperation(file, {
    operation,
    args,
    client: meta.client ?? "cli",
    faults: false,
    ...(meta.server !== undefined ? { server: meta.server } : {}),
  });
  if (outcome.kind === "error") throw outcome.error;
  if (outcome.kind === "hang") throw new OperationError(operation, "InjectedFault", outcome.message);
  return outcome.result;
}

export interface InitSummary {
  file: string;
  server: string;
  domain: string;
  connectorAccountDn: string;
  suggestedWritebackOu: string;
  m365Groups: number;
  securityGroups: number;
  clock: string;
}

/** Creates a new state database (with an empty journal). Refuses to overwrite a file unless options.force. */
export async function initState(
  file: string,
  options: InitOptions & { force?: boolean } = {},
): Promise<InitSummary> {
  const { force, ...rest } = options;
  const parsed = initOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OperationError(
      "init",
      "CmdletError",
      `${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const stateFile = resolveStateFile(file);
  const state = buildInitialState(parsed.data, Date.now());
  try {
    createStateDatabase(stateFile, state, force === true);
  } catch (error) {
    if (error instanceof StateFileError && /already exists/.test(error.message))
      throw new OperationError("init", "Refused", `${file} already exists; pass --force to overwrite it`);
    throw error;
  }
  const server = state.servers[0] as Server;
  await runAction(file, "init", parsed.data, { client: "cli" }, () => undefined);
  return {
    file: stateFile,
    server: server.name,
    domain: state.domain.dnsName,
    connectorAccountDn: server.adConnector.accountDn,
    suggestedWritebackOu: suggestedWritebackOu(state.domain.rootDn),
    m365Groups: state.tenant.groups.filter((group) => group.type === "m365").length,
    securityGroups: state.tenant.groups.filter((group) => group.type === "security").length,
    clock: state.clock.mode === "real" ? "real" : `simulated, now ${state.clock.now}`,
  };
}

export const addServerOptionsSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]{1,15}$/, "a computer name such as CONNECT02"),
  staging: z.boolean().default(false),
  connectVersion: connectVersion.default("2.4.18.0"),
});

/** A second Entra Connect server on the same tenant and domain (swing migration), with its own connector account. */
export function addServer(tx: Transaction, options: z.input<typeof addServerOptionsSchema>): Server {
  const { name, staging, connectVersion } = addServerOptionsSchema.parse(options);
  const state = tx.state;
  if (state.servers.some((server) => server.name.toLowerCase() === name.toLowerCase())) {
    throw new OperationError("add-server", "Refused", `a server named ${name} already exists`);
  }
  const random = seededRandom(crypto.randomInt(2 ** 31));
  const account = connectorAccount(random, state.domain.rootDn);
  state.domain.objects[dnKey(account.dn)] = {
    objectClass: "user",
    dn: account.dn,
    aces: [],
    samAccountName: account.name,
  };
  const server = newServer({
    name,
    connectVersion,
    staging,
    nowMs: tx.nowMs,
    domain: state.domain,
    domainDnsName: state.domain.dnsName,
    connectorAccountDn: account.dn,
  });
  state.servers.push(server);
  return server;
}

/** A sync cycle that runs for the given seconds (as if the connectors were slow). */
export function startBusyCycle(tx: Transaction, server: Server, seconds: number): void {
  if (server.currentCycle) throw new OperationError("busy", "SyncBusy", SYNC_ALREADY_RUNNING);
  startCycle(server, "Delta", "busy", tx.nowMs, seconds, tx.event);
}

/** SchedulerSuspended, which Connect sets during an upgrade (setting it by hand is unsupported on a real server). */
export function setSchedulerSuspended(tx: Transaction, server: Server, suspended: boolean): void {
  if (!suspended && server.schedulerSuspended) resumeSchedulerAt(server, tx.nowMs);
  server.schedulerSuspended = suspended;
  tx.catchUp();
}

/** Moves a simulated clock forward and applies what became due. */
export function advance(tx: Transaction, seconds: number): void {
  try {
    advanceClock(tx.state, seconds * 1000);
  } catch (error) {
    throw new OperationError("clock", "Refused", (error as Error).message);
  }
  tx.catchUp();
}

export const cloudGroupInputSchema = z.strictObject({
  type: z.enum(["m365", "security"]),
  name: z
    .string()
    .trim()
    .min(1, "a group name cannot be empty")
    .max(256, "a group name has at most 256 characters")
    .optional(),
  writeback: z.enum(["true", "false", "unset"]).default("unset"),
  onPremisesGroupType: z
    .enum(["universalDistributionGroup", "universalSecurityGroup", "universalMailEnabledSecurityGroup"])
    .optional(),
});

export function addCloudGroup(tx: Transaction, input: z.input<typeof cloudGroupInputSchema>): CloudGroup {
  const { type, name, writeback, onPremisesGroupType } = cloudGroupInputSchema.parse(input);
  const objectId = crypto.randomUUID();
  const group: CloudGroup = {
    objectId,
    displayName: name ?? `${type === "m365" ? "Team" : "SG"} ${objectId.slice(0, 8)}`,
    type,
    // Microsoft 365 groups created without a writeback setting get the tenant default (Group.Unified).
    writebackEnabled:
      writeback !== "unset"
        ? writeback === "true"
        : type === "m365"
          ? newUnifiedGroupWritebackDefault(tx.state)
          : null,
    deleted: "none",
    ...(onPremisesGroupType ? { onPremisesGroupType } : {}),
  };
  tx.state.tenant.groups.push(group);
  return group;
}

export function findCloudGroup(state: SimState, objectId: string): CloudGroup {
  const group = state.tenant.groups.find((candidate) => candidate.objectId === objectId.toLowerCase());
  if (!group) throw new OperationError("tenant", "NotFound", `no cloud group with objectId ${objectId}`);
  return group;
}

/** Changes a cloud group's writeback setting or deletion state (what Graph or the portal would do). */
export function updateCloudGroup(
  tx: Transaction,
  objectId: string,
  change: { writeback?: boolean | null; deleted?: CloudGroup["deleted"]; displayName?: string },
): CloudGroup {
  const group = findCloudGroup(tx.state, objectId);
  if (change.writeback !== undefined) group.writebackEnabled = change.writeback;
  if (change.deleted !== undefined) group.deleted = change.deleted;
  if (change.displayName !== undefined) group.displayName = change.displayName;
  return group;
}

/** Sets or clears a group's msDS-ExternalDirectoryObjectID by hand (what ADSI Edit or Set-ADGroup would do). */
export function setGroupExternalDirectoryObjectId(tx: Transaction, dn: string, value: string | null): void {
  const object = tx.state.domain.objects[dnKey(dn)];
  if (object?.objectClass !== "group") {
    throw new OperationError("ad", "NotFound", `no group ${dn} in ${tx.state.domain.dnsName}`);
  }
  object.externalDirectoryObjectId = value;
}

export const faultInputSchema = z.strictObject({
  operation: z.enum(operationNames as [OperationName, ...OperationName[]], {
    message: `an operation of the contract: ${operationNames.join(", ")}`,
  }),
  times: z.number().int().positive().default(1),
  /** Let this many calls through first: `--after 1` on setSchedulerSyncCycleEnabled hits the resume, not the pause. */
  after: z.number().int().nonnegative().default(0),
  message: z.string().min(1, "the fault message cannot be empty").optional(),
  kind: z.enum(["error", "hang"]).default("error"),
});

/** After `after` calls that go through, the next `times` calls of the operation through the backend fail (or hang). */
export function addFault(tx: Transaction, input: z.input<typeof faultInputSchema>): void {
  const { operation, times, after, message, kind } = faultInputSchema.parse(input);
  tx.state.faults = tx.state.faults.filter((fault) => fault.operation !== operation);
  tx.state.faults.push({
    operation,
    remaining: times,
    ...(after > 0 ? { skip: after } : {}),
    kind,
    message: message ?? null,
  });
}

export function clearFaults(tx: Transaction): number {
  const cleared = tx.state.faults.length + (tx.state.graph?.faults.length ?? 0);
  tx.state.faults = [];
  if (tx.state.graph) tx.state.graph.faults = [];
  return cleared;
}

/** The wizard's group writeback page, as one journaled transaction (entra-sim wizard <state> group-writeback --enable). */
export function wizardEnableGroupWriteback(
  file: string,
  options: { ou: string; displayNameDn?: boolean } & ActionMeta,
): Promise<string> {
  const { ou, displayNameDn = false, ...meta } = options;
  return runAction(file, "wizard.groupWriteback.enable", { ou, displayNameDn }, meta, (tx, server) =>
    enableGroupWriteback(tx, server, { ou, displayNameDn }),
  );
}

/** The wizard clearing group writeback (entra-sim wizard <state> group-writeback --disable). */
export function wizardDisableGroupWriteback(file: string, meta: ActionMeta = {}): Promise<string> {
  return runAction(file, "wizard.groupWriteback.disable", {}, meta, disableGroupWriteback);
}

/** The wizard's "Configure staging mode" page (entra-sim wizard <state> staging --enable|--disable). */
export function wizardSetStagingMode(file: string, enabled: boolean, meta: ActionMeta = {}): Promise<string> {
  return runAction(file, "wizard.staging", { enabled }, meta, (tx, server) =>
    setStagingMode(tx, server, enabled),
  );
}
