// CloudSyncMigrationStep: each step of the migration to Cloud Sync reads the server before it writes, so that a rerun
// after any interruption repeats nothing done and finishes what is not. A created step is history: it never runs
// again, and destroying it changes nothing on the server.
import type { EntraConnectClient } from "../../contract/backend";
import type { NewSyncRuleArgs, SyncRule } from "../../contract/contract";
import { CUSTOM_RULE_PRECEDENCE_LIMIT } from "../../contract/contract";
import {
  CLOUD_SYNC_MIGRATION_DOC,
  CONFIRM_KEY,
  type MigrationStep,
  STEP_TITLES,
} from "../../domain/cloudSyncMigration";
import {
  NO_FLOW_INBOUND_RULE_IDENTIFIER,
  NO_FLOW_OUTBOUND_RULE_IDENTIFIER,
  noFlowInboundRule,
  noFlowOutboundRule,
  OUT_TO_AD_GROUP_SOA_IN_AAD,
} from "../../domain/groupWritebackRules";
import type { ProviderImplementation } from "../common/defineResource";
import { type Progress, progressFor } from "../common/progress";
import { waitForWizardStep } from "../common/wizardWait";
import { clientFor, deploymentOwner, graphConfigured, noteDeploymentStack } from "../common/connection";
import { withSync } from "../cloudSync/graph";
import { checkScopeGroups } from "../cloudSync/scopeChecks";
import { diffByKeys } from "../common/diff";
import { sameDn } from "../common/dn";
import {
  heldByAnother,
  isOwnMigrationWindow,
  openHeldWindow,
  waitForSyncIdle,
  windowHeldAdvice,
  isMigrationWindow,
  refuseDeleteDuringMigration,
} from "../../domain/syncWindow";
import {
  MIGRATION_DECLARED_CLAIM,
  MIGRATION_RESUMES_CLAIM,
  MIGRATION_WINDOW_CHANGE,
} from "../../domain/cloudSyncMigration";
import { claim, isClaimed } from "../common/claims";
import {
  MIGRATION_KEY,
  planMessage,
  planRefusals,
  readPlan,
  refusalAfterMigrationMessage,
  refusalMessage,
} from "./plan";
import {
  cloudSyncMigrationStep,
  type CloudSyncMigrationStepInputs,
  type CloudSyncMigrationStepOutputs,
  type ChosenSyncRules,
  type MigrationPlan,
} from "./schema";

type Inputs = CloudSyncMigrationStepInputs;
type Outputs = CloudSyncMigrationStepOutputs & Record<string, unknown>;

/** The window stays ours across the whole migration, a person's wizard steps and confirmation included. */
export const MIGRATION_WINDOW_LEASE_SECONDS = 7 * 86_400;

const said = new Set<string>();
/** Prints a message once per provider process (one run): check, diff and create may all want to say it. */
function sayOnce(progress: Progress, message: string): void {
  if (said.has(message)) return;
  said.add(message);
  progress(message);
}

function progressOf(step: MigrationStep): Progress {
  return progressFor(`CloudSyncMigration ${STEP_TITLES[step]}`);
}

/** Reads the plan, refuses a migration that would rename, move or lose groups, and says what will happen. */
async function planned(
  client: EntraConnectClient,
  inputs: Inputs,
  progress: Progress,
): Promise<MigrationPlan> {
  const plan = await readPlan(client, inputs);
  const refusals = planRefusals(plan, inputs.cloudSync);
  if (refusals.length > 0) throw new Error(refusalMessage(plan, refusals));
  sayOnce(progress, planMessage(plan, inputs.cloudSync));
  return plan;
}

function stagingInstructions(
  client: EntraConnectClient,
  server: string,
  enabled: boolean,
  step: string,
): string {
  const hint = client.wizardHint({ stagingMode: enabled });
  return [
    `Staging mode is ${enabled ? "off" : "on"} on ${server}; ${step} of the migration to Cloud Sync needs it ` +
      `${enabled ? "on" : "off"}. Only the Microsoft Entra Connect wizard changes it (no supported cmdlet). On ${server}:`,
    "  1. Open Microsoft Entra Connect > Configure > Configure staging mode > Next.",
    "  2. Sign in to Microsoft Entra ID (Hybrid Identity Administrator) > Next.",
    `  3. ${enabled ? "Select" : "Clear"} "Enable staging mode" > Next > Configure > Exit.`,
    ...(hint ? [hint] : []),
  ].join("\n");
}

/** The wizard-only staging step: verified, and waited for (wizardWaitSeconds) with the steps printed. */
async function stagingMode(
  client: EntraConnectClient,
  inputs: Inputs,
  enabled: boolean,
  progress: Progress,
): Promise<string> {
  const server = await client.call("getServerInfo", {});
  const state = `staging mode is ${enabled ? "on" : "off"} on ${server.computerName}`;
  if (server.stagingModeEnabled === enabled) return state;
  const { waited } = await waitForWizardStep(
    client,
    {
      server: server.computerName,
      instructions: stagingInstructions(client, server.computerName, enabled, enabled ? "step 2" : "step 6"),
      waitSeconds: inputs.wizardWaitSeconds,
      pollSeconds: inputs.wizardPollSeconds,
      poll: async () =>
        (await client.call("getServerInfo", {})).stagingModeEnabled === enabled ? true : undefined,
    },
    progress,
  );
  return `${state} (the wizard step came after ${waited} s)`;
}

function owner(inputs: Inputs): string {
  return inputs.stack ?? deploymentOwner();
}

/** Step 2: the scheduler off, inside this stack's window (other stacks leave the scheduler to it). */
async function schedulerOff(client: EntraConnectClient, inputs: Inputs, progress: Progress): Promise<string> {
  const found = await client.call("getSyncWindow", {});
  const held = heldByAnother(found, owner(inputs));
  if (held) throw new Error(windowHeldAdvice(client.description, held));
  // A marker of this migration already there (this step interrupted) is kept, in either form (isHeldWindow).
  if (!isOwnMigrationWindow(found.window, owner(inputs))) {
    await openHeldWindow(client, {
      owner: owner(inputs),
      purpose: MIGRATION_WINDOW_CHANGE,
      leaseSeconds: MIGRATION_WINDOW_LEASE_SECONDS,
    });
  }
  const scheduler = await client.call("getScheduler", {});
  if (!scheduler.syncCycleEnabled) {
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
    return "the sync scheduler was already off (SyncCycleEnabled = False)";
  }
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  progress(`setting SyncCycleEnabled = False on ${client.description} for the migration`);
  await client.call("setSchedulerSyncCycleEnabled", { enabled: false });
  // A cycle that started just before the pause finishes first.
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  return "the sync scheduler is off (SyncCycleEnabled = False)";
}

/** Step 5, last: the scheduler on again, and the window closed. */
async function schedulerOn(client: EntraConnectClient, inputs: Inputs, progress: Progress): Promise<string> {
  const scheduler = await client.call("getScheduler", {});
  let summary = "the sync scheduler was already on (SyncCycleEnabled = True)";
  if (!scheduler.syncCycleEnabled) {
    progress(`setting SyncCycleEnabled = True on ${client.description}`);
    await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    summary = "the sync scheduler is on again (SyncCycleEnabled = True)";
  }
  const { window } = await client.call("getSyncWindow", {});
  if (window?.owner === owner(inputs)) await client.call("closeSyncWindow", { owner: owner(inputs) });
  return summary;
}

function sameRule(live: SyncRule, wanted: ReturnType<typeof noFlowInboundRule>): boolean {
  const shape = (rule: Omit<SyncRule, "immutableTag" | "precedence" | "disabled">) =>
    JSON.stringify({
      direction: rule.direction,
      connector: rule.connector.toLowerCase(),
      linkType: rule.linkType,
      scopeFilter: rule.scopeFilter,
      joinFilter: rule.joinFilter,
      attributeFlowMappings: rule.attributeFlowMappings,
    });
  return shape(live) === shape(wanted);
}

/** The server's rules and group writeback's AD connector, read with the scheduler off and staging on (steps 3–5). */
async function readRules(client: EntraConnectClient): Promise<{ rules: SyncRule[]; adConnector: string }> {
  await requirePaused(client, "the cloudNoFlow sync rules");
  return readRulesAsTheyAre(client);
}

/** The server's rules and group writeback's AD connector, read whatever the scheduler and staging mode are. */
async function readRulesAsTheyAre(
  client: EntraConnectClient,
): Promise<{ rules: SyncRule[]; adConnector: string }> {
  const { rules } = await client.call("getSyncRules", {});
  const adConnector = rules.find((rule) => rule.name === OUT_TO_AD_GROUP_SOA_IN_AAD)?.connector;
  if (!adConnector) {
    throw new Error(
      `${client.description} has no "${OUT_TO_AD_GROUP_SOA_IN_AAD}" sync rule, so the AD connector of group writeback ` +
        "cannot be found: is group writeback enabled on this server? Nothing was changed.",
    );
  }
  return { rules, adConnector };
}

/** The rule with this identifier, when there; refused when it is not the rule the migration page describes. */
function documentedRule(
  client: EntraConnectClient,
  rules: readonly SyncRule[],
  identifier: string,
  template: (precedence: number) => NewSyncRuleArgs,
): SyncRule | undefined {
  const existing = rules.find((rule) => rule.identifier.toLowerCase() === identifier);
  if (existing && !sameRule(existing, template(existing.precedence))) {
    throw new Error(
      `The sync rule "${existing.name}" (${identifier}) on ${client.description} is not the rule the migration ` +
        "page describes (direction, connector, link type, scope or flows differ). Nothing was changed. Remove it " +
        "(Remove-ADSyncRule) or correct it in the Synchronization Rules Editor, then run pulumi up again.",
    );
  }
  return existing;
}

/** The declared precedence, or the lowest one below 100 that no rule holds. */
function freePrecedence(
  client: EntraConnectClient,
  taken: ReadonlySet<number>,
  asked: number | null,
): number {
  const precedence =
    asked ?? Array.from({ length: CUSTOM_RULE_PRECEDENCE_LIMIT }, (_, i) => i).find((p) => !taken.has(p));
  if (precedence === undefined) {
    throw new Error(
      `Every precedence below ${CUSTOM_RULE_PRECEDENCE_LIMIT} is taken on ${client.description}: free one, or set ` +
        `${MIGRATION_KEY}.syncRulePrecedences. Nothing was changed.`,
    );
  }
  return precedence;
}

/** The two rules' templates on this server, with the precedence each asks for. */
function wantedRules(inputs: Inputs, adConnector: string) {
  return [
    {
      identifier: NO_FLOW_INBOUND_RULE_IDENTIFIER,
      template: (p: number) => noFlowInboundRule(p),
      asked: inputs.syncRulePrecedences.inbound,
    },
    {
      identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER,
      template: (p: number) => noFlowOutboundRule(p, adConnector),
      asked: inputs.syncRulePrecedences.outbound,
    },
  ] as const;
}

/**
 * Steps 3 and 4, read only: what the two custom rules take on this server, for the two SyncRule resources declared
 * after this step (components/cloudSyncMigration.ts), which make them inside the migration's held window. A rule
 * already there as Microsoft describes it keeps its precedence (the SyncRule adopts it); one with the identifier that
 * is not that rule is refused; otherwise the declared precedence, or the lowest free one below 100 (unique).
 */
async function chooseSyncRules(
  client: EntraConnectClient,
  inputs: Inputs,
  read?: { rules: SyncRule[]; adConnector: string },
): Promise<{ summary: string; syncRules: ChosenSyncRules }> {
  const { rules, adConnector } = read ?? (await readRules(client));
  const done: string[] = [];
  const taken = new Set(rules.map((rule) => rule.precedence));
  const [inbound, outbound] = wantedRules(inputs, adConnector).map(({ identifier, template, asked }) => {
    const existing = documentedRule(client, rules, identifier, template);
    if (existing) {
      done.push(`"${existing.name}" already there (precedence ${existing.precedence})`);
      return existing.precedence;
    }
    const precedence = freePrecedence(client, taken, asked);
    taken.add(precedence);
    done.push(`"${template(precedence).name}" to create (precedence ${precedence})`);
    return precedence;
  }) as [number, number];
  return {
    summary: done.join("; "),
    syncRules: { inbound, outbound, adConnector: adConnector.toLowerCase() },
  };
}

/**
 * A syncRules step stored by the earlier version of the migration, which made the two rules itself, has no choice in
 * its outputs, and the SyncRule resources after it need one. The rules that version made are on the server: their
 * precedences and connector are the choice (read only; the SyncRule resources then adopt the rules as they are), at
 * any point of the migration or after it. When they are not both there, the step chooses again from what it read, as
 * it does first, but read only whatever the scheduler and staging mode are (after the migration they are on and off).
 */
async function recoverSyncRules(
  client: EntraConnectClient,
  inputs: Inputs,
): Promise<{ summary: string; syncRules: ChosenSyncRules }> {
  const read = await readRulesAsTheyAre(client);
  const { rules, adConnector } = read;
  const [inbound, outbound] = wantedRules(inputs, adConnector).map(({ identifier, template }) =>
    documentedRule(client, rules, identifier, template),
  );
  // A rule gone since (removed by hand, maybe after the migration, the scheduler on and staging mode off): its
  // precedence is chosen from what was read, as the step does first; the step writes nothing, and the SyncRule
  // resource after it makes the rule (inside the migration's window while there is one, in its own otherwise).
  if (!inbound || !outbound) return chooseSyncRules(client, inputs, read);
  return {
    summary:
      `"${inbound.name}" (precedence ${inbound.precedence}) and "${outbound.name}" (precedence ` +
      `${outbound.precedence}) read from the server (this step was stored by an earlier version, without them)`,
    syncRules: {
      inbound: inbound.precedence,
      outbound: outbound.precedence,
      adConnector: adConnector.toLowerCase(),
    },
  };
}

/**
 * The two rules in place (created, or enabled again, where not), for the irreversible step: its confirmation may come
 * days after steps 3 and 4 (the SyncRule resources), so it reads the rules again itself; `changed`: anything was written.
 * A rule is put back at the precedence its SyncRule resource has: the component gives this step the syncRules step's
 * choice as `syncRulePrecedences`.
 */
async function ensureSyncRules(
  client: EntraConnectClient,
  inputs: Inputs,
  progress: Progress,
): Promise<{ summary: string; changed: boolean }> {
  const { rules, adConnector } = await readRules(client);
  // Every refusal comes before the first write: a refusal says "Nothing was changed", and the second rule's check
  // must not find the first one already enabled or made again.
  const taken = new Set(rules.map((rule) => rule.precedence));
  const creating: NewSyncRuleArgs[] = [];
  type Action = { identifier: string; existing: SyncRule } | { identifier: string; create: NewSyncRuleArgs };
  const actions = wantedRules(inputs, adConnector).map(({ identifier, template, asked }): Action => {
    const existing = documentedRule(client, rules, identifier, template);
    if (existing) return { identifier, existing };
    const precedence = freePrecedence(client, taken, asked);
    const holder = [...rules, ...creating].find((rule) => rule.precedence === precedence);
    if (holder) {
      // The precedence is the one the rule's SyncRule resource has (components/cloudSyncMigration.ts): put back
      // anywhere else, the resource would show it as drift and move it again.
      throw new Error(
        `The sync rule "${template(precedence).name}" is gone from ${client.description} and must be put back ` +
          `before GroupWritebackV2 goes off, at precedence ${precedence} (where this stack's SyncRule resource has ` +
          `it), but "${holder.name}" holds that precedence now. Nothing was changed; GroupWritebackV2 stays on. ` +
          `Give "${holder.name}" another precedence (Synchronization Rules Editor) or remove it, then run pulumi up again.`,
      );
    }
    taken.add(precedence);
    const create = template(precedence);
    creating.push(create);
    return { identifier, create };
  });
  const done: string[] = [];
  let changed = false;
  for (const action of actions) {
    if ("create" in action) {
      progress(`creating the sync rule "${action.create.name}" with precedence ${action.create.precedence}`);
      const created = await client.call("newSyncRule", action.create);
      changed = true;
      done.push(`"${created.name}" created (precedence ${created.precedence})`);
    } else if (action.existing.disabled) {
      await client.call("setSyncRuleDisabled", { identifier: action.identifier, disabled: false });
      changed = true;
      done.push(`"${action.existing.name}" enabled again (precedence ${action.existing.precedence})`);
    } else {
      done.push(`"${action.existing.name}" already there (precedence ${action.existing.precedence})`);
    }
  }
  return { summary: done.join("; "), changed };
}

/** The steps between the pause and the resume need the scheduler off and the server in staging mode. */
async function requirePaused(client: EntraConnectClient, what: string): Promise<void> {
  const { server, scheduler } = await client.call("getServerState", {});
  if (scheduler.syncCycleEnabled || !server.stagingModeEnabled) {
    throw new Error(
      `${what} must happen with the sync scheduler off and the server in staging mode (steps 2 to 5 of ` +
        `${CLOUD_SYNC_MIGRATION_DOC}), but on ${server.computerName} the scheduler is ` +
        `${scheduler.syncCycleEnabled ? "on" : "off"} and staging mode ${server.stagingModeEnabled ? "on" : "off"}. ` +
        "Nothing was changed. Someone changed it during the migration: put it back (the wizard for staging mode), then run pulumi up again.",
    );
  }
}

/**
 * An Initial cycle in staging mode: it imports and synchronizes but exports nothing, so its pending exports show
 * what Connect would do. Refused when it would delete, rename or move a written-back security group.
 */
async function initialCycle(client: EntraConnectClient, inputs: Inputs, progress: Progress): Promise<string> {
  await requirePaused(client, "the Initial sync cycle");
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  progress(`starting an Initial sync cycle on ${client.description} (staging mode: nothing is exported)`);
  await client.call("startSyncCycle", { policyType: "Initial" });
  await client.sleep(1000);
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  const { groups } = await client.call("listGroupDirectoryObjectIds", { dn: inputs.writebackOu });
  const security = new Set(groups.map((group) => group.cloudObjectId));
  const { exports } = await client.call("listPendingExports", { dn: inputs.writebackOu });
  const touched = exports.filter(
    (pending) =>
      pending.cloudObjectId !== null &&
      security.has(pending.cloudObjectId.toLowerCase()) &&
      pending.modification !== "add",
  );
  if (touched.length > 0) {
    const named = touched
      .slice(0, 10)
      .map((pending) => `${pending.modification} ${pending.dn}`)
      .join(", ");
    throw new Error(
      `The Initial sync cycle staged changes to ${touched.length} written-back security group(s) on ${client.description}: ` +
        `${named}${touched.length > 10 ? ` and ${touched.length - 10} more` : ""}. The cloudNoFlow rules are not in ` +
        "effect, and leaving staging mode would delete or change these groups. The migration stops here; nothing " +
        "was exported. Check the two rules (Get-ADSyncRule), then run `pulumi up --refresh`: a rule removed or changed " +
        "by hand is made again as declared, inside the migration's window.",
    );
  }
  const adds = exports.filter((pending) => pending.modification === "add").length;
  const others = exports.length - adds;
  return `the Initial cycle staged ${adds} group(s) to add and ${others} other change(s) in the OU; none to a written-back security group`;
}

/**
 * Before the irreversible step: Cloud Sync must be able to take every migrated group (Microsoft's limits of selected
 * security groups, the groups still in the tenant), or the groups would be left to nobody once v2 is off.
 */
async function requireCloudSyncCanTakeOver(
  client: EntraConnectClient,
  inputs: Inputs,
  progress: Progress,
): Promise<void> {
  if (!graphConfigured()) {
    progress(
      "entra-writeback:graph is not set: the migrated groups are not checked against Cloud Sync's limits",
    );
    return;
  }
  const { groups } = await client.call("listGroupDirectoryObjectIds", { dn: inputs.writebackOu });
  try {
    await withSync(
      "CloudSyncMigrationStep",
      "checking the migrated groups against Cloud Sync's limits",
      (sync) =>
        checkScopeGroups(
          sync,
          groups.map((group) => group.cloudObjectId.toLowerCase()),
          progress,
        ),
    );
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/\nRemove these groups[^\n]*$/, "") : String(error);
    throw new Error(
      `Cloud Sync could not take over every written-back security group, so GroupWritebackV2 stays on (nothing was ` +
        `changed; the server stays in staging mode with the scheduler off): ${reason}\nResolve each group first (a ` +
        "group gone from Entra ID: delete its AD group, or restore the cloud group; a group over Cloud Sync's limits: " +
        "reduce it, or move its AD group out of the writeback OU), then run pulumi up again.",
      { cause: error },
    );
  }
}

/**
 * Before the irreversible step: the written-back security groups must still be the plan's, each with the identifier
 * step 1 copies. A group enabled for writeback after the plan step (or gone since) is not in Cloud Sync's scope, and
 * one written back after step 1 (the plan read again, by a changed confirmation or mapping, includes it) has no
 * msDS-ExternalDirectoryObjectID for Cloud Sync to match: once v2 is off it would be left to nobody, or duplicated.
 */
async function requirePlannedGroups(client: EntraConnectClient, inputs: Inputs): Promise<void> {
  if (inputs.migratedGroupIds === null) return;
  const { groups } = await client.call("listGroupDirectoryObjectIds", { dn: inputs.writebackOu });
  const planned = new Set(inputs.migratedGroupIds.map((id) => id.toLowerCase()));
  const live = new Set(groups.map((group) => group.cloudObjectId.toLowerCase()));
  const added = groups.filter((group) => !planned.has(group.cloudObjectId.toLowerCase()));
  const gone = inputs.migratedGroupIds.filter((id) => !live.has(id.toLowerCase()));
  const uncopied = groups.filter(
    (group) => planned.has(group.cloudObjectId.toLowerCase()) && group.externalDirectoryObjectId === null,
  );
  if (added.length + gone.length + uncopied.length === 0) return;
  const sample = <T>(items: readonly T[], text: (item: T) => string) =>
    `: ${items.slice(0, 10).map(text).join(", ")}${items.length > 10 ? ` and ${items.length - 10} more` : ""}`;
  const named = (group: { displayName: string; dn: string }) => `${group.displayName} (${group.dn})`;
  const found = [
    ...(added.length > 0
      ? [`${added.length} written back since the plan was read${sample(added, named)}`]
      : []),
    ...(gone.length > 0
      ? [`${gone.length} of the plan's no longer written back${sample(gone, (id) => id)}`]
      : []),
    ...(uncopied.length > 0
      ? [
          `${uncopied.length} of the plan's without msDS-ExternalDirectoryObjectID (written back after step 1 ` +
            `copied the identifiers)${sample(uncopied, named)}`,
        ]
      : []),
  ];
  const rerun =
    inputs.planStepUrns.length > 0
      ? `pulumi up ${inputs.planStepUrns.map((urn) => `--replace '${urn}'`).join(" ")}`
      : "pulumi up --replace with the URNs of the migration's plan and copyDirectoryObjectIds steps (pulumi stack --show-urns)";
  throw new Error(
    `REFUSED: the written-back security groups in ${inputs.writebackOu} on ${client.description} are not the ones ` +
      `the migration's plan and step 1 took over: ${found.join("; ")}. Cloud Sync's scope is the plan's groups and ` +
      "it matches each by the identifier step 1 copied, so once v2 is off such a group would be left to nobody or " +
      "duplicated. GroupWritebackV2 stays on; nothing was changed. Read the plan again and copy the identifiers " +
      `(the plan and step 1 run again, each reading first): ${rerun}`,
  );
}

/** Step 5: the irreversible tenant change, only when the stack confirms it. */
async function disableV2(client: EntraConnectClient, inputs: Inputs, progress: Progress): Promise<string> {
  const features = await client.call("getCompanyFeatures", {});
  if (!features.groupWritebackV2) return "GroupWritebackV2 is off for the tenant";
  await requirePlannedGroups(client, inputs);
  await requireCloudSyncCanTakeOver(client, inputs, progress);
  if (!inputs.confirmDisableGroupWritebackV2) {
    throw new Error(
      `WAITING FOR CONFIRMATION: the next step turns GroupWritebackV2 off for the whole tenant, which is IRREVERSIBLE: ` +
        "afterwards Connect's group writeback v1 writes back every Microsoft 365 group, whatever its writeback " +
        "setting (the plan above gives the count). Steps 1 to 4 are done; the server stays in staging mode with the " +
        "sync scheduler off, so nothing is exported meanwhile. To go on, set " +
        `${MIGRATION_KEY}.${CONFIRM_KEY} to true (pulumi config set --path '${MIGRATION_KEY}.${CONFIRM_KEY}' true) ` +
        "and run pulumi up again.",
    );
  }
  await requirePaused(client, "turning GroupWritebackV2 off");
  // Steps 3 to 5 may be days old (the confirmation waits for a person): the two rules are read again, put back if
  // someone removed or disabled one, and then a staged Initial cycle must show them in effect again.
  const rules = await ensureSyncRules(client, inputs, progress);
  if (rules.changed) {
    progress(
      `the cloudNoFlow rules were not all in place (${rules.summary}): checking a staged Initial cycle first`,
    );
    await initialCycle(client, inputs, progress);
  }
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  progress(
    `DISABLING GroupWritebackV2 for the tenant of ${client.description} (irreversible), as confirmed by ${MIGRATION_KEY}.${CONFIRM_KEY}`,
  );
  await client.call("setGroupWritebackV2", { enabled: false });
  return "GroupWritebackV2 is off for the tenant (irreversible)";
}

type StepResult = { summary: string; plan: MigrationPlan | null; syncRules?: ChosenSyncRules };

async function runStep(inputs: Inputs): Promise<StepResult> {
  const progress = progressOf(inputs.step);
  const client = clientFor(inputs.target);
  switch (inputs.step) {
    case "plan": {
      const plan = await planned(client, inputs, progress);
      return { summary: `${plan.securityGroups.count} security groups to migrate`, plan };
    }
    case "copyDirectoryObjectIds": {
      const { groups } = await client.call("listGroupDirectoryObjectIds", { dn: inputs.writebackOu });
      if (groups.every((group) => group.externalDirectoryObjectId !== null)) {
        // Nothing to copy; a conflicting value is refused by the copy itself, naming the groups.
        const conflicting = groups.some(
          (group) => group.externalDirectoryObjectId?.toLowerCase() !== group.adminDescription.toLowerCase(),
        );
        if (!conflicting) {
          return {
            summary: `msDS-ExternalDirectoryObjectID: 0 copied from adminDescription, ${groups.length} already set`,
            plan: null,
          };
        }
      }
      const copied = await client.call("copyGroupDirectoryObjectIds", { dn: inputs.writebackOu });
      return {
        summary: `msDS-ExternalDirectoryObjectID: ${copied.copied} copied from adminDescription, ${copied.alreadySet} already set`,
        plan: null,
      };
    }
    case "stagingOn":
      return { summary: await stagingMode(client, inputs, true, progress), plan: null };
    case "schedulerOff":
      return { summary: await schedulerOff(client, inputs, progress), plan: null };
    case "syncRules":
      return { ...(await chooseSyncRules(client, inputs)), plan: null };
    case "initialCycleBeforeV2Off":
    case "initialCycleAfterV2Off":
      return { summary: await initialCycle(client, inputs, progress), plan: null };
    case "disableGroupWritebackV2":
      return { summary: await disableV2(client, inputs, progress), plan: null };
    case "schedulerOn":
      return { summary: await schedulerOn(client, inputs, progress), plan: null };
    case "stagingOff":
      return { summary: await stagingMode(client, inputs, false, progress), plan: null };
  }
}

/**
 * Whether the migration has run on this server: GroupWritebackV2 off, both cloudNoFlow rules there and the migration's
 * window closed (the scheduler on again, step 5 done). The plan's refusals guard the start; once this holds, the groups
 * are Cloud Sync's and a changed cloudSync is checked as a change to the migrated groups (checkAfterMigration).
 * Staging mode is not read: the server may be a staging server later for reasons of its own (Microsoft's swing
 * upgrade), which brings nothing of the start back; and the step that turns it off is the wizard's, after the window.
 */
async function migrationDone(client: EntraConnectClient): Promise<boolean> {
  const { features } = await client.call("getServerState", {});
  if (features.groupWritebackV2) return false;
  const { window } = await client.call("getSyncWindow", {});
  if (isMigrationWindow(window)) return false;
  const { rules } = await client.call("getSyncRules", {});
  const identifiers = new Set(rules.map((rule) => rule.identifier.toLowerCase()));
  return (
    identifiers.has(NO_FLOW_INBOUND_RULE_IDENTIFIER) && identifiers.has(NO_FLOW_OUTBOUND_RULE_IDENTIFIER)
  );
}

/** Said (once per run) when a declaration change reaches the plan after the migration ran. */
const PLAN_KEPT =
  "the migration has run (GroupWritebackV2 off, the cloudNoFlow rules in place, its window closed): its plan stays as " +
  "it was read and the checks that guard its start no longer apply";

/**
 * The plan step once the migration has run: an unchanged mapping is not checked again (nothing blocks an unrelated
 * change); a changed one is refused when it would rename or move the migrated groups, unless allowRenameOrMove.
 */
async function checkAfterMigration(
  client: EntraConnectClient,
  inputs: Inputs,
  previous: Inputs["cloudSync"],
): Promise<void> {
  if (JSON.stringify(previous) === JSON.stringify(inputs.cloudSync)) return;
  if (inputs.allowRenameOrMove) {
    sayOnce(progressOf("plan"), PLAN_KEPT);
    return;
  }
  const plan = await readPlan(client, inputs);
  const refusals = planRefusals(plan, inputs.cloudSync, true);
  if (refusals.length > 0) throw new Error(refusalAfterMigrationMessage(plan, refusals));
  sayOnce(progressOf("plan"), PLAN_KEPT);
}

function isKnown(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

export const cloudSyncMigrationStepProvider: ProviderImplementation = {
  async check(olds, news) {
    // Before any delete of this deployment: the GroupWritebackV2 resource leaving the stack leaves the flag to us.
    claim(MIGRATION_DECLARED_CLAIM);
    const result = cloudSyncMigrationStep.check(news);
    // The plan is said (and a migration that would rename or move groups refused) in preview, before anything.
    const inputs = result.inputs as Partial<Inputs>;
    const isNew = !olds || Object.keys(olds).length === 0;
    // Step 5 runs in this deployment, before SchedulerState: that resource leaves the held scheduler to it.
    if (inputs.step === "schedulerOn" && isNew) claim(MIGRATION_RESUMES_CLAIM);
    if (
      (result.failures?.length ?? 0) === 0 &&
      inputs.step === "plan" &&
      isKnown(inputs.writebackOu) &&
      inputs.target !== undefined &&
      typeof inputs.target === "object"
    ) {
      const parsed = cloudSyncMigrationStep.parse(inputs);
      noteDeploymentStack(parsed.stack);
      const client = clientFor(parsed.target);
      // The refusals guard the start: once the migration has run, only a changed mapping is checked.
      if (!isNew && (await migrationDone(client))) {
        const previous = cloudSyncMigrationStep.inputsOf(olds).cloudSync;
        await checkAfterMigration(client, parsed, previous);
        return result;
      }
      const plan = await readPlan(client, parsed);
      const refusals = planRefusals(plan, parsed.cloudSync);
      if (refusals.length > 0) throw new Error(refusalMessage(plan, refusals));
      if (isNew) sayOnce(progressOf("plan"), planMessage(plan, parsed.cloudSync));
    }
    return result;
  },

  async diff(_id, olds: Outputs, news) {
    return diffByKeys(olds, news, {
      replaceKeys: ["target"],
      ignoreKeys: [
        "stack",
        "syncIdleTimeoutSeconds",
        "wizardWaitSeconds",
        "wizardPollSeconds",
        // Read by the irreversible step only to put back a rule removed since steps 3 and 4.
        ...(news.step === "syncRules" ? [] : ["syncRulePrecedences"]),
        // Read by the irreversible step's create only (a created step is history).
        "migratedGroupIds",
        // Read with a changed mapping only, once the migration has run.
        "allowRenameOrMove",
        "planStepUrns",
      ],
      dnKeys: ["writebackOu"],
      // A syncRules step stored by the earlier version has no choice: the update reads it from the server.
      extraChanges: news.step === "syncRules" && olds.step === "syncRules" && !olds.syncRules,
    });
  },

  async create(raw) {
    const inputs = cloudSyncMigrationStep.parse(raw);
    noteDeploymentStack(inputs.stack);
    const { summary, plan, syncRules = null } = await runStep(inputs);
    progressOf(inputs.step)(`done: ${summary}`);
    return { id: `cloud-sync-migration/${inputs.step}`, outs: { ...inputs, summary, plan, syncRules } };
  },

  async read(id, props) {
    // A step is history: what it did stays its output.
    return { id, props: props as Outputs };
  },

  async update(_id, olds, news) {
    const inputs = cloudSyncMigrationStep.parse(news);
    noteDeploymentStack(inputs.stack);
    const previous = olds as Outputs;
    if (inputs.step === "plan") {
      const client = clientFor(inputs.target);
      if (await migrationDone(client)) {
        await checkAfterMigration(client, inputs, cloudSyncMigrationStep.inputsOf(previous).cloudSync);
        return { outs: { ...inputs, summary: previous.summary, plan: previous.plan, syncRules: null } };
      }
      // A changed declaration (the mapping, the confirmation) before the end: the plan is read again (and refused).
      const plan = await planned(client, inputs, progressOf("plan"));
      // GroupWritebackV2 went off since the plan was read: the irreversible step ran, and the plan's groups are the
      // ones it migrated (Cloud Sync's scope; the plan output's counts are "read before it ran"). Kept, even when the
      // server does not look migrated now (a rule removed by hand, which its SyncRule resource puts back).
      const ran = previous.plan?.groupWritebackV2 === true && !plan.groupWritebackV2;
      return {
        outs: { ...inputs, summary: previous.summary, plan: ran ? previous.plan : plan, syncRules: null },
      };
    }
    if (!sameDn(previous.writebackOu, inputs.writebackOu)) {
      const { summary, plan, syncRules = null } = await runStep(inputs);
      return { outs: { ...inputs, summary, plan, syncRules } };
    }
    if (inputs.step === "syncRules" && !previous.syncRules) {
      const { summary, syncRules } = await recoverSyncRules(clientFor(inputs.target), inputs);
      progressOf("syncRules")(`done: ${summary}`);
      return { outs: { ...inputs, summary, plan: null, syncRules } };
    }
    // Done once; a changed setting does not run it again.
    return {
      outs: {
        ...inputs,
        summary: previous.summary,
        plan: previous.plan,
        syncRules: previous.syncRules ?? null,
      },
    };
  },

  async delete(_id, props) {
    // The migration's steps are history: nothing on the server is undone (GroupWritebackV2 cannot be turned on
    // again; the rules stay, as Microsoft's page leaves them). While the migration is under way (its window open), a
    // step leaves the state only in a deployment that declares the migration (a replacement, as the irreversible
    // step's advice asks): a pulumi destroy (or an up without the key) would forget what the migration has done, and
    // the next up would run those steps again (a second Initial cycle), so it is refused like the deletes that write.
    if (isClaimed(MIGRATION_DECLARED_CLAIM)) return;
    const inputs = cloudSyncMigrationStep.inputsOf(props as Outputs);
    await refuseDeleteDuringMigration(
      clientFor(inputs.target),
      inputs.stack,
      "CloudSyncMigrationStep",
      `forget that the migration's step "${inputs.step}" ran (the next pulumi up would run it again)`,
    );
  },
};
