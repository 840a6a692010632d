// entra-sim init: a fresh simulated server, tenant and domain in a new state file.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { commandLine } from "../commandLine";
import { OperationError } from "../../contract/errors";
import { initState } from "../admin";
import {
  type CliCommand,
  connectVersionFlag,
  enumFlag,
  flagValue,
  intFlag,
  noExtraPositionals,
  nonNegativeInteger,
  optionalString,
  UsageError,
} from "./args";

export const initCommand: CliCommand = {
  name: "init",
  help: [
    "  init <state> [--domain contoso.com] [--server CONNECT01] [--m365 N] [--m365-opted-out K] [--security N]",
    "       [--security-enabled K] [--connect-version 2.4.18.0] [--era legacy|current] [--sync-seconds 40]",
    "       [--clock real|simulated] [--now ISO] [--seed N] [--staging] [--force] [--synced N]",
  ],
  options: {
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
    synced: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
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
      synced: intFlag(values, "synced", false),
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
};
