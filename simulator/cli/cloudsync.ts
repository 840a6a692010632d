// entra-sim cloudsync: Cloud Sync group provisioning in the simulated tenant (seed groups, run a cycle, the agent,
// settings, show).
import {
  controlCloudSyncJob,
  createCloudSyncConfiguration,
  type MappingInput,
  readCloudSync,
  runCloudSyncAction,
  runCloudSyncCycle,
  seedCloudSyncGroups,
  setCloudSyncDeleteThreshold,
  setCloudSyncMapping,
  setCloudSyncScope,
  setCloudSyncSettings,
  setProvisioningAgent,
} from "../cloudSync/admin";
import { CLOUD_SYNC_DEFAULT_CN, CONNECT_COMPATIBLE_CN } from "../../domain/cloudSync";
import {
  type CliCommand,
  dnArgument,
  enumFlag,
  intFlag,
  noExtraPositionals,
  optionalString,
  UsageError,
} from "./args";

const ACTIONS = [
  "cycle",
  "seed",
  "configure",
  "job",
  "mapping",
  "scope",
  "threshold",
  "agent",
  "settings",
  "show",
] as const;

function idList(raw: string | undefined): string[] {
  return raw === undefined
    ? []
    : raw
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id !== "");
}

function requiredSp(values: Record<string, string | boolean | undefined>, action: string): string {
  const sp = optionalString(values, "sp");
  if (sp === undefined)
    throw new UsageError(
      `cloudsync ${action}: --sp NAME (the configuration's service principal) is required`,
    );
  return sp;
}

export const cloudsyncCommand: CliCommand = {
  name: "cloudsync",
  help: [
    "  cloudsync <state> cycle [--sp NAME]              run a Cloud Sync group provisioning cycle now (every job, or one configuration's)",
    "  cloudsync <state> seed --groups N [--members N] [--on-premises-members N] [--prefix P]",
    "       [--variant security|mailEnabledSecurity|distribution] [--assign-to SP]   cloud security groups with members",
    "  cloudsync <state> configure [--name contoso.com] [--ou DN] [--cn default|connect] [--threshold N|off] [--all]",
    "       [--assign ID,ID] [--start]                  a configuration as the provider makes it (SP, job, secrets, mappings, scope)",
    "  cloudsync <state> job start|pause|restart --sp NAME [--reset-scope ForceDeletes]",
    "  cloudsync <state> mapping --sp NAME --target ATTR (--constant V | --attribute A | --expression E | --remove)",
    "  cloudsync <state> scope --sp NAME [--add ID,ID] [--drop ID,ID]",
    "  cloudsync <state> threshold N|off --sp NAME       the delete threshold (other settings and secrets kept)",
    "  cloudsync <state> agent [--status active|inactive] [--version 1.1.2334.0] [--remove]   the domain's provisioning agent",
    "  cloudsync <state> settings [--start-delay S] [--replication-delay S] [--interval S]",
    "  cloudsync <state> show                           configurations, jobs, scope, mappings, last cycle",
  ],
  options: {
    sp: { type: "string" },
    groups: { type: "string" },
    members: { type: "string" },
    "on-premises-members": { type: "string" },
    prefix: { type: "string" },
    variant: { type: "string" },
    "assign-to": { type: "string" },
    status: { type: "string" },
    version: { type: "string" },
    remove: { type: "boolean" },
    "replication-delay": { type: "string" },
    "start-delay": { type: "string" },
    name: { type: "string" },
    ou: { type: "string" },
    cn: { type: "string" },
    threshold: { type: "string" },
    all: { type: "boolean" },
    assign: { type: "string" },
    start: { type: "boolean" },
    "reset-scope": { type: "string" },
    target: { type: "string" },
    constant: { type: "string" },
    attribute: { type: "string" },
    expression: { type: "string" },
    add: { type: "string" },
    drop: { type: "string" },
    interval: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    const action = positionals[1];
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
      throw new UsageError(
        `cloudsync: the action must be ${ACTIONS.join(", ")}, got ${JSON.stringify(action ?? "")}`,
      );
    }
    noExtraPositionals(
      `cloudsync ${action}`,
      positionals,
      action === "job" || action === "threshold" ? 3 : 2,
    );
    if (action === "configure") {
      const ou = optionalString(values, "ou");
      const cn = enumFlag(values, "cn", ["default", "connect"]);
      const thresholdText = optionalString(values, "threshold");
      const threshold =
        thresholdText === undefined
          ? undefined
          : thresholdText === "off"
            ? null
            : intFlag(values, "threshold");
      const name = optionalString(values, "name");
      const input = {
        ...(name !== undefined ? { displayName: name } : {}),
        ...(ou !== undefined ? { parentDistinguishedName: { constant: dnArgument("--ou", ou) } } : {}),
        ...(cn !== undefined
          ? { cn: { expression: cn === "connect" ? CONNECT_COMPATIBLE_CN : CLOUD_SYNC_DEFAULT_CN } }
          : {}),
        ...(threshold !== undefined ? { deleteThreshold: threshold } : {}),
        ...(values.all === true ? { syncAll: true } : {}),
        assign: idList(optionalString(values, "assign")),
        start: values.start === true,
      };
      const created = await runCloudSyncAction(file, "cloudsync.configure", input, "cli", (tx) =>
        createCloudSyncConfiguration(tx, input),
      );
      io.out(`service principal ${created.servicePrincipalId}, job ${created.jobId}, rule ${created.ruleId}`);
      return;
    }
    if (action === "job") {
      const verb = positionals[2];
      if (verb !== "start" && verb !== "pause" && verb !== "restart")
        throw new UsageError(`cloudsync job: start, pause or restart, got ${JSON.stringify(verb ?? "")}`);
      const sp = requiredSp(values, "job");
      const resetScope = optionalString(values, "reset-scope") ?? "";
      const job = await runCloudSyncAction(file, `cloudsync.job.${verb}`, { sp, resetScope }, "cli", (tx) =>
        controlCloudSyncJob(tx, sp, verb, resetScope),
      );
      io.out(`${job.id}: schedule ${job.schedule.state}, status ${job.status.code}`);
      return;
    }
    if (action === "mapping") {
      const sp = requiredSp(values, "mapping");
      const target = optionalString(values, "target");
      if (target === undefined) throw new UsageError("cloudsync mapping: --target ATTRIBUTE is required");
      const forms = (["constant", "attribute", "expression"] as const).filter(
        (form) => values[form] !== undefined,
      );
      if (forms.length + (values.remove === true ? 1 : 0) !== 1)
        throw new UsageError(
          "cloudsync mapping: give exactly one of --constant, --attribute, --expression, --remove",
        );
      const form = forms[0];
      const source: MappingInput | null =
        form === undefined ? null : ({ [form]: optionalString(values, form) ?? "" } as MappingInput);
      await runCloudSyncAction(file, "cloudsync.mapping", { sp, target, source }, "cli", (tx) =>
        setCloudSyncMapping(tx, sp, target, source),
      );
      io.out(source === null ? `${target}: mapping removed` : `${target} <- ${JSON.stringify(source)}`);
      return;
    }
    if (action === "scope") {
      const sp = requiredSp(values, "scope");
      const change = {
        add: idList(optionalString(values, "add")),
        remove: idList(optionalString(values, "drop")),
      };
      await runCloudSyncAction(file, "cloudsync.scope", { sp, ...change }, "cli", (tx) =>
        setCloudSyncScope(tx, sp, change),
      );
      io.out(`${change.add.length} group(s) assigned, ${change.remove.length} unassigned`);
      return;
    }
    if (action === "threshold") {
      const sp = requiredSp(values, "threshold");
      const raw = positionals[2];
      const threshold = raw === "off" ? null : Number(raw);
      if (raw === undefined || (threshold !== null && !(Number.isInteger(threshold) && threshold > 0)))
        throw new UsageError(
          `cloudsync threshold: a positive integer or off, got ${JSON.stringify(raw ?? "")}`,
        );
      await runCloudSyncAction(file, "cloudsync.threshold", { sp, threshold }, "cli", (tx) =>
        setCloudSyncDeleteThreshold(tx, sp, threshold),
      );
      io.out(threshold === null ? "delete threshold disabled" : `delete threshold ${threshold}`);
      return;
    }
    if (action === "cycle") {
      const sp = optionalString(values, "sp");
      const reports = await runCloudSyncCycle(file, {
        ...(sp !== undefined ? { servicePrincipal: sp } : {}),
      });
      for (const report of reports) {
        io.out(
          `${report.servicePrincipal} ${report.jobId}: ${report.outcome}; added ${report.added.length}, updated ${report.updated.length}, moved ${report.moved.length}, deleted ${report.deleted.length}, held deletes ${report.heldDeletes}, skipped ${report.skipped.length}, errors ${report.errors.length}`,
        );
        if (report.message !== null) io.out(`  ${report.message}`);
        for (const skipped of report.skipped)
          io.out(`  skipped ${skipped.displayName} (${skipped.objectId}): ${skipped.reason}`);
        for (const error of report.errors) io.out(`  error ${error.dn || error.objectId}: ${error.message}`);
      }
      return;
    }
    if (action === "seed") {
      const groups = intFlag(values, "groups", false);
      if (groups === undefined) throw new UsageError("cloudsync seed: --groups N is required");
      const members = intFlag(values, "members", false);
      const onPremises = intFlag(values, "on-premises-members", false);
      const prefix = optionalString(values, "prefix");
      const variant = enumFlag(values, "variant", ["security", "mailEnabledSecurity", "distribution"]);
      const assignTo = optionalString(values, "assign-to");
      const input = {
        groups,
        ...(members !== undefined ? { membersPerGroup: members } : {}),
        ...(onPremises !== undefined ? { onPremisesMembersPerGroup: onPremises } : {}),
        ...(prefix !== undefined ? { namePrefix: prefix } : {}),
        ...(variant !== undefined ? { variant } : {}),
        ...(assignTo !== undefined ? { assignTo } : {}),
      };
      const seeded = await runCloudSyncAction(file, "cloudsync.seed", input, "cli", (tx) =>
        seedCloudSyncGroups(tx, input),
      );
      for (const group of seeded)
        io.out(
          `${group.objectId} ${group.displayName} (${group.members.length} members, ${group.onPremisesMembers.length} with an AD account)`,
        );
      return;
    }
    if (action === "agent") {
      const status = enumFlag(values, "status", ["active", "inactive"]);
      const version = optionalString(values, "version");
      const input = {
        ...(status !== undefined ? { status } : {}),
        ...(version !== undefined ? { version } : {}),
        remove: values.remove === true,
      };
      const agents = await runCloudSyncAction(file, "cloudsync.agent", input, "cli", (tx) =>
        setProvisioningAgent(tx, input),
      );
      if (agents.length === 0) io.out("no provisioning agent is registered");
      for (const agent of agents)
        io.out(`${agent.machineName} (${agent.domain}): ${agent.status}, build ${agent.version}`);
      return;
    }
    if (action === "settings") {
      const delay = intFlag(values, "replication-delay", false);
      const startDelay = intFlag(values, "start-delay", false);
      const interval = intFlag(values, "interval");
      const input = {
        ...(delay !== undefined ? { replicationDelaySeconds: delay } : {}),
        ...(startDelay !== undefined ? { startDelaySeconds: startDelay } : {}),
        ...(interval !== undefined ? { intervalSeconds: interval } : {}),
      };
      const settings = await runCloudSyncAction(file, "cloudsync.settings", input, "cli", (tx) =>
        setCloudSyncSettings(tx, input),
      );
      io.out(
        `interval ${settings.intervalSeconds} s, start delay ${settings.startDelaySeconds} s, replication delay ${settings.replicationDelaySeconds} s, cloud ${settings.cloud}`,
      );
      return;
    }
    const summary = await readCloudSync(file);
    io.out(`users: ${summary.users}`);
    for (const agent of summary.agents)
      io.out(`agent ${agent.machineName} (${agent.domain}): ${agent.status}, build ${agent.version}`);
    if (summary.jobs.length === 0) io.out("no Cloud Sync configuration");
    for (const job of summary.jobs) {
      io.out(`${job.servicePrincipal} (${job.servicePrincipalId}) ${job.jobId}`);
      io.out(
        `  schedule ${job.scheduleState}, status ${job.statusCode}${job.quarantineReason ? ` (${job.quarantineReason})` : ""}, domain ${job.domain ?? "(no Domain secret)"}`,
      );
      io.out(
        `  scope ${job.scope === "all" ? "all security groups" : `${job.assignedGroups} selected group(s)`}, delete threshold ${job.deleteThreshold ?? "disabled"}, provisioned ${job.provisionedGroups}, next cycle ${job.nextRunAt ?? "none"}`,
      );
      for (const [target, source] of Object.entries(job.mappings)) io.out(`  ${target} <- ${source}`);
      if (job.lastCycle)
        io.out(
          `  last cycle ${job.lastCycle.at} (${job.lastCycle.trigger}): ${job.lastCycle.outcome}${job.lastCycle.message ? `: ${job.lastCycle.message}` : ""}`,
        );
    }
  },
};
