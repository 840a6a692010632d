// entra-sim cloudsync: Cloud Sync group provisioning in the simulated tenant (seed groups, run a cycle, the agent,
// settings, show).
import {
  readCloudSync,
  runCloudSyncAction,
  runCloudSyncCycle,
  seedCloudSyncGroups,
  setCloudSyncSettings,
  setProvisioningAgent,
} from "../cloudSync/admin";
import { type CliCommand, enumFlag, intFlag, noExtraPositionals, optionalString, UsageError } from "./args";

const ACTIONS = ["cycle", "seed", "agent", "settings", "show"] as const;

export const cloudsyncCommand: CliCommand = {
  name: "cloudsync",
  help: [
    "  cloudsync <state> cycle [--sp NAME]              run a Cloud Sync group provisioning cycle now (every job, or one configuration's)",
    "  cloudsync <state> seed --groups N [--members N] [--on-premises-members N] [--prefix P]",
    "       [--variant security|mailEnabledSecurity|distribution] [--assign-to SP]   cloud security groups with members",
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
    interval: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    const action = positionals[1];
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
      throw new UsageError(
        `cloudsync: the action must be ${ACTIONS.join(", ")}, got ${JSON.stringify(action ?? "")}`,
      );
    }
    noExtraPositionals(`cloudsync ${action}`, positionals, 2);
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
