// entra-sim: the command line over the simulator library. Each command parses and validates its arguments,
// calls one library function, and prints. Exit 0 on success, 1 when the simulated server refuses, 2 on bad input.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import {
  connectVersion,
  distinguishedName,
  type OperationName,
  operationNames,
  type SchedulerStateResult,
} from "../operations/contract";
import { OperationError } from "../operations/errors";
import {
  addCloudGroup,
  addFault,
  addServer,
  advance,
  callOperation,
  clearFaults,
  initState,
  runAction,
  setSchedulerSuspended,
  startBusyCycle,
  updateCloudGroup,
  wizardDisableGroupWriteback,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "./admin";
import { commandLine } from "../operations/commandLine";
import { dnKey, isAtOrBelow } from "../operations/dn";
import { armFaultFromCli, printCredentials, serveGraph } from "./graph/cli";
import { readJournal } from "./journal";
import { findServer } from "./operations";
import { StateFileError } from "./store";
import { renderSummary } from "./summary";
import { readState, resolveStateFile, withState } from "./transaction";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const HELP = `entra-sim: a simulated Microsoft Entra Connect server, tenant and AD domain in one JSON state file.

Usage: entra-sim <command> <state> [options]      (every command takes --server NAME; default: the first server)

  init <state> [--domain contoso.com] [--server CONNECT01] [--m365 N] [--m365-opted-out K] [--security N]
       [--security-enabled K] [--connect-version 2.4.18.0] [--era legacy|current] [--sync-seconds 40]
       [--clock real|simulated] [--now ISO] [--seed N] [--staging] [--force]
  show <state> [--json] [--journal N]             state, writeback status and the last journal entries
                                                  (--server NAME: only that server)
  wizard <state> group-writeback --enable --ou <DN> [--display-name-dn] | --disable
  wizard <state> staging --enable | --disable
  scheduler <state> [--sync-cycle-enabled true|false] [--suspended true|false]
  feature <state> [--group-writeback-v2 true|false]
  sync <state> [--policy Initial|Delta] [--wait]
  busy <state> --seconds N                         start a sync cycle that runs N seconds
  clock <state> [--advance SECONDS]                show or move a simulated clock
  ad <state> list <DN> [--json]
  ad <state> new-ou <name> <parentDN>              create a protected OU
  ad <state> delete-ou <DN> [--recursive]
  ad <state> grant <DN> <accountDN>                add the writeback ACE
  ad <state> revoke <DN> <accountDN>               remove the writeback ACE
  tenant <state> add-group --type m365|security [--name N] [--writeback true|false|unset]
       [--on-premises-group-type universalDistributionGroup|universalSecurityGroup|universalMailEnabledSecurityGroup]
  tenant <state> set-group <objectId> [--writeback true|false|unset] [--deleted none|soft|hard] [--name N]
  fault <state> <operation> [--times N] [--after N] [--message TEXT] [--kind error|hang]
  fault <state> --clear
  add-server <state> --name N [--staging] [--connect-version V]
  graph <state> [--port N]                         serve the simulated Microsoft Graph on 127.0.0.1 until stopped
  graph <state> --credentials                      the tenant id and the apps' client ids and secrets
  graph <state> --fault throttle|unavailable|drop --path /beta/groups* [--method GET] [--retry-after S]
       [--times N] [--after N]                     arm a fault on Graph requests (fault <state> --clear clears)

Operations for fault: ${operationNames.join(", ")}`;

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** `--seconds -5` as `--seconds=-5`: parseArgs calls a value that looks like an option ambiguous. */
function joinNegativeValues(args: string[], options: OptionSpec): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const flag = /^--([^=]+)$/.exec(arg)?.[1];
    if (flag && options[flag]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

function parse(command: string, args: string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, options),
      options: { ...options, server: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`${command}: unknown option ${unknown[1]} (see entra-sim --help)`);
    const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
    if (missing) throw new UsageError(`${command}: ${missing[1]} needs a value`);
    throw new UsageError(`${command}: ${message.split("\n")[0]}`);
  }
}

function flagValue<T>(flag: string, raw: string, schema: z.ZodType<T>, expectation: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new UsageError(`--${flag} must be ${expectation}, got ${JSON.stringify(raw)}`);
  return result.data;
}

const positiveInteger = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive());
const nonNegativeInteger = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().nonnegative());
const booleanText = z.enum(["true", "false"]).transform((text) => text === "true");

function optionalString(values: Parsed["values"], flag: string): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

function connectVersionFlag(values: Parsed["values"]): string | undefined {
  const raw = optionalString(values, "connect-version");
  return raw === undefined
    ? undefined
    : flagValue("connect-version", raw, connectVersion, "a version such as 2.4.18.0");
}

function intFlag(values: Parsed["values"], flag: string, positive = true): number | undefined {
  const raw = optionalString(values, flag);
  if (raw === undefined) return undefined;
  return positive
    ? flagValue(flag, raw, positiveInteger, "a positive integer")
    : flagValue(flag, raw, nonNegativeInteger, "a non-negative integer");
}

function boolFlag(values: Parsed["values"], flag: string): boolean | undefined {
  const raw = optionalString(values, flag);
  return raw === undefined ? undefined : flagValue(flag, raw, booleanText, "true or false");
}

function enumFlag<T extends string>(
  values: Parsed["values"],
  flag: string,
  allowed: readonly [T, ...T[]],
): T | undefined {
  const raw = optionalString(values, flag);
  return raw === undefined ? undefined : flagValue(flag, raw, z.enum(allowed), allowed.join(" or "));
}

function dnArgument(what: string, raw: string | undefined): string {
  if (raw === undefined)
    throw new UsageError(`${what} is missing: a distinguished name such as OU=Groups,DC=contoso,DC=com`);
  const result = distinguishedName.safeParse(raw);
  if (!result.success)
    throw new UsageError(
      `${what} must be a distinguished name such as OU=Groups,DC=contoso,DC=com, got ${JSON.stringify(raw)}`,
    );
  try {
    dnKey(result.data);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
  return result.data;
}

function stateArgument(command: string, positionals: string[]): string {
  const file = positionals[0];
  if (file === undefined)
    throw new UsageError(`${command}: the state file is missing, e.g. entra-sim ${command} .lab/lab.json`);
  return file;
}

function noExtraPositionals(command: string, positionals: string[], expected: number): void {
  if (positionals.length > expected)
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[expected])}`);
}

function meta(values: Parsed["values"]): { client: string; server?: string } {
  const server = optionalString(values, "server");
  return server === undefined ? { client: "cli" } : { client: "cli", server };
}

function schedulerLines(scheduler: SchedulerStateResult): string[] {
  return Object.entries(scheduler).map(([key, value]) => `${key}: ${String(value)}`);
}

type Handler = (args: string[], io: CliIo) => Promise<void>;

const commands: Record<string, Handler> = {
  async init(args, io) {
    const { values, positionals } = parse("init", args, {
      domain: { type: "string" },
      m365: { type: "string" },
      "m365-opted-out": { type: "string" },
      security: { type: "string" },
      "security-enabled": { type: "string" },
      "connect-version": { type: "string" },
      era: { type: "string" },
      "sync-seconds": { type: "string" },
      clock: { type: "string" },
      now: { type: "string" },
      seed: { type: "string" },
      staging: { type: "boolean" },
      force: { type: "boolean" },
    });
    const file = stateArgument("init", positionals);
    noExtraPositionals("init", positionals, 1);
    const directory = path.dirname(path.resolve(file));
    if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
      throw new UsageError(
        `init: the directory ${directory} does not exist; create it first (${commandLine("mkdir", "-p", directory)})`,
      );
    }
    const connectVersion = connectVersionFlag(values);
    const now = optionalString(values, "now");
    if (now !== undefined)
      flagValue("now", now, z.iso.datetime(), "an ISO 8601 UTC time such as 2025-01-06T08:00:00Z");
    const seed = optionalString(values, "seed");
    const options = {
      domain: optionalString(values, "domain"),
      server: optionalString(values, "server"),
      m365: intFlag(values, "m365", false),
      m365OptedOut: intFlag(values, "m365-opted-out", false),
      security: intFlag(values, "security", false),
      securityEnabled: intFlag(values, "security-enabled", false),
      connectVersion,
      era: enumFlag(values, "era", ["legacy", "current"]),
      syncSeconds: intFlag(values, "sync-seconds"),
      clock: enumFlag(values, "clock", ["real", "simulated"]),
      now,
      seed:
        seed === undefined
          ? undefined
          : flagValue("seed", seed, nonNegativeInteger, "a non-negative integer"),
      staging: values.staging === true ? true : undefined,
      force: values.force === true,
    };
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    let summary;
    try {
      summary = await initState(file, defined);
    } catch (error) {
      if (error instanceof OperationError && error.code === "CmdletError")
        throw new UsageError(`init: ${error.message}`);
      throw error;
    }
    io.out(`Created ${summary.file}`);
    io.out(`  server: ${summary.server}`);
    io.out(`  domain: ${summary.domain}`);
    io.out(`  connector account: ${summary.connectorAccountDn}`);
    io.out(`  tenant groups: ${summary.m365Groups} Microsoft 365, ${summary.securityGroups} security`);
    io.out(`  clock: ${summary.clock}`);
    io.out(`  suggested writeback OU: ${summary.suggestedWritebackOu}`);
  },

  async show(args, io) {
    const { values, positionals } = parse("show", args, {
      json: { type: "boolean" },
      journal: { type: "string" },
    });
    const file = stateArgument("show", positionals);
    noExtraPositionals("show", positionals, 1);
    const journalLines = intFlag(values, "journal", false) ?? 10;
    const state = await readState(file);
    const serverName = optionalString(values, "server");
    if (serverName !== undefined) state.servers = [findServer(state, serverName)];
    const journal = readJournal(resolveStateFile(file));
    if (values.json === true) {
      io.out(JSON.stringify({ stateFile: resolveStateFile(file), state, journal }, null, 2));
      return;
    }
    io.out(renderSummary(resolveStateFile(file), state, journal, journalLines));
  },

  async wizard(args, io) {
    const { values, positionals } = parse("wizard", args, {
      enable: { type: "boolean" },
      disable: { type: "boolean" },
      ou: { type: "string" },
      "display-name-dn": { type: "boolean" },
    });
    const file = stateArgument("wizard", positionals);
    const page = positionals[1];
    noExtraPositionals("wizard", positionals, 2);
    const enable = values.enable === true;
    const disable = values.disable === true;
    if (enable === disable) throw new UsageError("wizard: give exactly one of --enable or --disable");
    if (page === "group-writeback") {
      if (enable) {
        const ou = dnArgument("--ou", optionalString(values, "ou"));
        const displayNameDn = values["display-name-dn"] === true;
        io.out(await wizardEnableGroupWriteback(file, { ou, displayNameDn, ...meta(values) }));
      } else {
        if (values.ou !== undefined || values["display-name-dn"] !== undefined) {
          throw new UsageError("wizard group-writeback --disable takes no --ou or --display-name-dn");
        }
        io.out(await wizardDisableGroupWriteback(file, meta(values)));
      }
      return;
    }
    if (page === "staging") {
      if (values.ou !== undefined || values["display-name-dn"] !== undefined) {
        throw new UsageError("wizard staging takes only --enable or --disable");
      }
      io.out(await wizardSetStagingMode(file, enable, meta(values)));
      return;
    }
    throw new UsageError(
      `wizard: the page must be group-writeback or staging, got ${JSON.stringify(page ?? "")}`,
    );
  },

  async scheduler(args, io) {
    const { values, positionals } = parse("scheduler", args, {
      "sync-cycle-enabled": { type: "string" },
      suspended: { type: "string" },
    });
    const file = stateArgument("scheduler", positionals);
    noExtraPositionals("scheduler", positionals, 1);
    const enabled = boolFlag(values, "sync-cycle-enabled");
    const suspended = boolFlag(values, "suspended");
    if (suspended !== undefined) {
      await runAction(file, "scheduler.suspended", { suspended }, meta(values), (tx, server) =>
        setSchedulerSuspended(tx, server, suspended),
      );
    }
    const scheduler =
      enabled === undefined
        ? await callOperation(file, "getScheduler", {}, meta(values))
        : await callOperation(file, "setSchedulerSyncCycleEnabled", { enabled }, meta(values));
    io.out(schedulerLines(scheduler as SchedulerStateResult).join("\n"));
  },

  async feature(args, io) {
    const { values, positionals } = parse("feature", args, { "group-writeback-v2": { type: "string" } });
    const file = stateArgument("feature", positionals);
    noExtraPositionals("feature", positionals, 1);
    const enabled = boolFlag(values, "group-writeback-v2");
    const features =
      enabled === undefined
        ? await callOperation(file, "getCompanyFeatures", {}, meta(values))
        : await callOperation(file, "setGroupWritebackV2", { enabled }, meta(values));
    io.out(
      Object.entries(features as Record<string, boolean>)
        .map(([key, value]) => `${key}: ${value}`)
        .join("\n"),
    );
  },

  async sync(args, io) {
    const { values, positionals } = parse("sync", args, {
      policy: { type: "string" },
      wait: { type: "boolean" },
    });
    const file = stateArgument("sync", positionals);
    noExtraPositionals("sync", positionals, 1);
    const policyType = enumFlag(values, "policy", ["Initial", "Delta"]) ?? "Delta";
    await callOperation(file, "startSyncCycle", { policyType }, meta(values));
    io.out(`${policyType} sync cycle started`);
    if (values.wait === true) await waitForCycle(file, optionalString(values, "server"), io);
  },

  async busy(args, io) {
    const { values, positionals } = parse("busy", args, { seconds: { type: "string" } });
    const file = stateArgument("busy", positionals);
    noExtraPositionals("busy", positionals, 1);
    const seconds = intFlag(values, "seconds");
    if (seconds === undefined)
      throw new UsageError("busy: --seconds is required, e.g. busy lab.json --seconds 120");
    await runAction(file, "busy", { seconds }, meta(values), (tx, server) =>
      startBusyCycle(tx, server, seconds),
    );
    io.out(`a sync cycle runs for ${seconds} s`);
  },

  async clock(args, io) {
    const { values, positionals } = parse("clock", args, { advance: { type: "string" } });
    const file = stateArgument("clock", positionals);
    noExtraPositionals("clock", positionals, 1);
    const seconds = intFlag(values, "advance", false);
    const now =
      seconds === undefined
        ? await withState(file, (tx) => new Date(tx.nowMs).toISOString())
        : await runAction(file, "clock.advance", { seconds }, meta(values), (tx) => {
            advance(tx, seconds);
            return new Date(tx.nowMs).toISOString();
          });
    io.out(now);
  },

  async ad(args, io) {
    const { values, positionals } = parse("ad", args, {
      recursive: { type: "boolean" },
      json: { type: "boolean" },
    });
    const file = stateArgument("ad", positionals);
    const action = positionals[1];
    if (action === "list") {
      noExtraPositionals("ad list", positionals, 3);
      const dn = dnArgument("ad list: the DN", positionals[2]);
      const state = await readState(file);
      const key = dnKey(dn);
      if (!(key in state.domain.objects))
        throw new OperationError("ad", "NotFound", `no object ${dn} in ${state.domain.dnsName}`);
      const objects = Object.entries(state.domain.objects)
        .filter(([candidate]) => isAtOrBelow(candidate, key))
        .map(([, object]) => object)
        .sort((a, b) =>
          dnKey(a.dn)
            .split(",")
            .reverse()
            .join(",")
            .localeCompare(dnKey(b.dn).split(",").reverse().join(",")),
        );
      if (values.json === true) {
        io.out(JSON.stringify(objects, null, 2));
        return;
      }
      for (const object of objects) {
        const extra =
          object.objectClass === "group"
            ? ` ${object.groupScope} ${object.groupCategory}${object.adminDescription ? ` adminDescription=${object.adminDescription}` : ""}`
            : object.objectClass === "organizationalUnit"
              ? object.protectedFromAccidentalDeletion
                ? " protected"
                : ""
              : "";
        io.out(
          `${object.objectClass} ${object.dn}${extra}${object.aces.length > 0 ? ` (${object.aces.length} explicit ACEs)` : ""}`,
        );
      }
      return;
    }
    if (action === "new-ou") {
      noExtraPositionals("ad new-ou", positionals, 4);
      const name = positionals[2];
      if (name === undefined || name.trim() === "") throw new UsageError("ad new-ou: the OU name is missing");
      const parentDn = dnArgument("ad new-ou: the parent DN", positionals[3]);
      const ou = (await callOperation(file, "newOrganizationalUnit", { name, parentDn }, meta(values))) as {
        dn: string;
      };
      io.out(`created ${ou.dn}`);
      return;
    }
    if (action === "delete-ou") {
      noExtraPositionals("ad delete-ou", positionals, 3);
      const dn = dnArgument("ad delete-ou: the DN", positionals[2]);
      await callOperation(
        file,
        "removeOrganizationalUnit",
        { dn, recursive: values.recursive === true },
        meta(values),
      );
      io.out(`deleted ${dn}`);
      return;
    }
    if (action === "grant" || action === "revoke") {
      noExtraPositionals(`ad ${action}`, positionals, 4);
      const dn = dnArgument(`ad ${action}: the object DN`, positionals[2]);
      const accountDn = dnArgument(`ad ${action}: the account DN`, positionals[3]);
      if (action === "grant") {
        await callOperation(file, "grantWritebackAccess", { dn, accountDn }, meta(values));
        io.out(`granted the writeback ACE to ${accountDn} on ${dn}`);
      } else {
        const result = (await callOperation(
          file,
          "revokeWritebackAccess",
          { dn, accountDn },
          meta(values),
        )) as { removed: number };
        io.out(`removed ${result.removed} writeback ACE(s) of ${accountDn} on ${dn}`);
      }
      return;
    }
    throw new UsageError(
      `ad: the action must be list, delete-ou, grant or revoke, got ${JSON.stringify(action ?? "")}`,
    );
  },

  async tenant(args, io) {
    const { values, positionals } = parse("tenant", args, {
      type: { type: "string" },
      name: { type: "string" },
      writeback: { type: "string" },
      deleted: { type: "string" },
      "on-premises-group-type": { type: "string" },
    });
    const file = stateArgument("tenant", positionals);
    const action = positionals[1];
    const writeback = enumFlag(values, "writeback", ["true", "false", "unset"]);
    const name = optionalString(values, "name");
    if (action === "add-group") {
      noExtraPositionals("tenant add-group", positionals, 2);
      const type = enumFlag(values, "type", ["m365", "security"]);
      if (type === undefined) throw new UsageError("tenant add-group: --type m365|security is required");
      if (values.deleted !== undefined)
        throw new UsageError("tenant add-group: --deleted applies to set-group only");
      const onPremisesGroupType = enumFlag(values, "on-premises-group-type", [
        "universalDistributionGroup",
        "universalSecurityGroup",
        "universalMailEnabledSecurityGroup",
      ]);
      const input = {
        type,
        ...(name !== undefined ? { name } : {}),
        ...(writeback !== undefined ? { writeback } : {}),
        ...(onPremisesGroupType !== undefined ? { onPremisesGroupType } : {}),
      };
      const group = await runAction(file, "tenant.addGroup", input, meta(values), (tx) =>
        addCloudGroup(tx, input),
      );
      io.out(`${group.objectId} ${group.displayName}`);
      return;
    }
    if (action === "set-group") {
      noExtraPositionals("tenant set-group", positionals, 3);
      const objectId = positionals[2];
      if (objectId === undefined || !z.guid().safeParse(objectId).success) {
        throw new UsageError(
          `tenant set-group: the group's objectId must be a GUID, got ${JSON.stringify(objectId ?? "")}`,
        );
      }
      const deleted = enumFlag(values, "deleted", ["none", "soft", "hard"]);
      const change = {
        ...(writeback !== undefined
          ? { writeback: writeback === "unset" ? null : writeback === "true" }
          : {}),
        ...(deleted !== undefined ? { deleted } : {}),
        ...(name !== undefined ? { displayName: name } : {}),
      };
      const group = await runAction(file, "tenant.setGroup", { objectId, ...change }, meta(values), (tx) =>
        updateCloudGroup(tx, objectId, change),
      );
      io.out(
        `${group.objectId} ${group.displayName}: writeback ${String(group.writebackEnabled)}, deleted ${group.deleted}`,
      );
      return;
    }
    throw new UsageError(
      `tenant: the action must be add-group or set-group, got ${JSON.stringify(action ?? "")}`,
    );
  },

  async fault(args, io) {
    const { values, positionals } = parse("fault", args, {
      times: { type: "string" },
      after: { type: "string" },
      message: { type: "string" },
      kind: { type: "string" },
      clear: { type: "boolean" },
    });
    const file = stateArgument("fault", positionals);
    if (values.clear === true) {
      noExtraPositionals("fault --clear", positionals, 1);
      const cleared = await runAction(file, "fault.clear", {}, meta(values), clearFaults);
      io.out(`cleared ${cleared} fault(s)`);
      return;
    }
    noExtraPositionals("fault", positionals, 2);
    const operation = positionals[1];
    if (operation === undefined || !(operationNames as string[]).includes(operation)) {
      throw new UsageError(
        `fault: the operation must be one of ${operationNames.join(", ")}, got ${JSON.stringify(operation ?? "")}`,
      );
    }
    const input = {
      operation: operation as OperationName,
      times: intFlag(values, "times") ?? 1,
      after: intFlag(values, "after", false) ?? 0,
      kind: enumFlag(values, "kind", ["error", "hang"]) ?? "error",
      ...(optionalString(values, "message") !== undefined
        ? { message: optionalString(values, "message") }
        : {}),
    };
    await runAction(file, "fault.add", input, meta(values), (tx) => addFault(tx, input));
    const first = input.after > 0 ? `after ${input.after} call(s) that go through, the` : "the";
    io.out(
      `${first} next ${input.times} call(s) of ${operation} will ${input.kind === "hang" ? "hang" : "fail"}`,
    );
  },

  async graph(args, io) {
    const { values, positionals } = parse("graph", args, {
      port: { type: "string" },
      credentials: { type: "boolean" },
      fault: { type: "string" },
      path: { type: "string" },
      method: { type: "string" },
      "retry-after": { type: "string" },
      times: { type: "string" },
      after: { type: "string" },
    });
    const file = stateArgument("graph", positionals);
    noExtraPositionals("graph", positionals, 1);
    if (values.credentials === true) return printCredentials(file, io);
    const kind = enumFlag(values, "fault", ["throttle", "unavailable", "drop"]);
    if (kind !== undefined) {
      const path = optionalString(values, "path");
      if (path === undefined || !path.startsWith("/"))
        throw new UsageError("graph --fault: --path is required, a URL path such as /beta/groups*");
      const method = optionalString(values, "method") ?? "*";
      if (!/^(\*|[A-Za-z]+)$/.test(method))
        throw new UsageError(
          `--method must be an HTTP method such as GET or PATCH, or *, got ${JSON.stringify(method)}`,
        );
      const input = {
        kind,
        path,
        method,
        times: intFlag(values, "times") ?? 1,
        after: intFlag(values, "after", false) ?? 0,
        ...(intFlag(values, "retry-after", false) !== undefined
          ? { retryAfterSeconds: intFlag(values, "retry-after", false) }
          : {}),
      };
      return armFaultFromCli(file, input, io);
    }
    const port = intFlag(values, "port", false) ?? 0;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    return serveGraph(file, port, io);
  },

  async "add-server"(args, io) {
    const { values, positionals } = parse("add-server", args, {
      name: { type: "string" },
      staging: { type: "boolean" },
      "connect-version": { type: "string" },
    });
    const file = stateArgument("add-server", positionals);
    noExtraPositionals("add-server", positionals, 1);
    const name = optionalString(values, "name");
    if (name === undefined) throw new UsageError("add-server: --name is required, e.g. --name CONNECT02");
    flagValue("name", name, z.string().regex(/^[A-Za-z0-9-]{1,15}$/), "a computer name such as CONNECT02");
    const connectVersion = connectVersionFlag(values);
    const input = {
      name,
      staging: values.staging === true,
      ...(connectVersion !== undefined ? { connectVersion } : {}),
    };
    const server = await runAction(file, "add-server", input, { client: "cli" }, (tx) =>
      addServer(tx, input),
    );
    io.out(
      `added server ${server.name} (${server.connectVersion}${server.stagingModeEnabled ? ", staging mode" : ""}), connector account ${server.adConnector.accountDn}`,
    );
  },
};

/** Waits for the running cycle of the server: advances a simulated clock, or polls a real one. */
async function waitForCycle(file: string, serverName: string | undefined, io: CliIo): Promise<void> {
  for (;;) {
    const status = await withState(file, (tx) => {
      const server = findServer(tx.state, serverName);
      if (!server.currentCycle) return { running: false as const, server: structuredClone(server) };
      const leftMs = Date.parse(server.currentCycle.endsAt) - tx.nowMs;
      if (tx.state.clock.mode === "simulated") advance(tx, Math.min(Math.max(leftMs, 0), 10_000) / 1000);
      return { running: true as const, leftMs, simulated: tx.state.clock.mode === "simulated" };
    });
    if (!status.running) {
      const last = status.server.lastCycle;
      if (last) {
        io.out(
          `cycle completed at ${last.completedAt}: ${last.added} added, ${last.updated} updated, ${last.deleted} deleted, ` +
            `${last.pendingExports} pending exports, ${last.exportErrors} export errors`,
        );
      }
      return;
    }
    io.out(`sync cycle running, ${Math.max(Math.ceil(status.leftMs / 1000), 0)} s left`);
    if (!status.simulated) await delay(Math.min(Math.max(status.leftMs, 200), 5_000));
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!handler) {
    io.err(
      `entra-sim: unknown command ${JSON.stringify(command)}; commands: ${Object.keys(commands).join(", ")} (see entra-sim --help)`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(HELP);
    return 0;
  }
  try {
    await handler(rest, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`entra-sim: ${oneLine(error.message)}`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      // An input the simulator's own schema refuses (admin.ts): name the flag, say what is allowed.
      const issue = error.issues[0];
      const flag = issue?.path.length
        ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: `
        : "";
      io.err(`entra-sim: ${command}: ${flag}${oneLine(issue?.message ?? error.message)}`);
      return 2;
    }
    if (error instanceof OperationError || error instanceof StateFileError) {
      io.err(`entra-sim: ${oneLine(error.message)}`);
      return 1;
    }
    io.err(`entra-sim: unexpected error: ${oneLine((error as Error).message ?? String(error))}`);
    return 1;
  }
}

/** The process entry point (bin/entra-sim). */
export async function runCli(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

if (require.main === module) void runCli();
