// CloudSyncMigrationStep against the simulated server: each step of Microsoft's migration in order, each reading
// before it writes (a second create repeats nothing), the plan and its refusals, the wizard steps followed as
// printed, the confirmation of the irreversible step, and the staged cycle that refuses to go on without the rules.
import { cloudSyncMigrationStepProvider as provider } from "../../../providers/cloudSyncMigration/provider";
import type {
  ChosenSyncRules,
  CloudSyncMigrationStepOutputs,
} from "../../../providers/cloudSyncMigration/schema";
import {
  MIGRATION_STEPS,
  MIGRATION_WINDOW_CHANGE,
  type MigrationStep,
} from "../../../domain/cloudSyncMigration";
import {
  NO_FLOW_INBOUND_RULE_IDENTIFIER,
  NO_FLOW_OUTBOUND_RULE_IDENTIFIER,
  noFlowInboundRule,
  OUT_TO_AD_MEMBER_LIMIT,
} from "../../../domain/groupWritebackRules";
import { cloudNoFlowRules } from "../../../components/cloudSyncMigration";
import type { SyncRule } from "../../../contract/contract";
import { implementationFor } from "../../../providers/registry";
import {
  addCloudGroup,
  runAction,
  advance,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
  readState,
  withState,
} from "../../../simulator";
import { clientFor, closeClients } from "../../../providers/common/connection";
import { clearClaimsForTests } from "../../../providers/common/claims";
import { readPlan } from "../../../providers/cloudSyncMigration/plan";
import { captureProgress, type Lab, newLab, rejection, versioned } from "./support";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MIGRATION_BACK_OUT_SECTION } from "../../../domain/syncWindow";

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

interface Written {
  dn: string;
  cloudObjectId: string;
  groupCategory: string;
}

async function written(): Promise<Written[]> {
  return ((await lab.call("listWrittenBackGroups", { dn: lab.ou })) as { groups: Written[] }).groups;
}

async function waitIdle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const scheduler = (await lab.call("getScheduler")) as { syncCycleInProgress: boolean };
    if (!scheduler.syncCycleInProgress) return;
    await runAction(lab.stateFile, "test.advance", {}, {}, (tx) => advance(tx, 60));
  }
}

/** A tenant today's stack converged: v2 on, v1 on the OU, 5 security groups and 6 Microsoft 365 groups (2 opted out). */
async function legacyLab(): Promise<Written[]> {
  lab = await newLab({ era: "legacy", m365: 6, m365OptedOut: 2, security: 5, securityEnabled: 5 });
  progress = captureProgress();
  await lab.call("newOrganizationalUnit", {
    name: "Entra Writeback",
    parentDn: lab.ou.slice(lab.ou.indexOf(",") + 1),
  });
  await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  await lab.call("setGroupWritebackV2", { enabled: true });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
  await waitIdle();
  const groups = await written();
  expect(groups.filter((group) => group.groupCategory === "Security")).toHaveLength(5);
  expect(groups).toHaveLength(9);
  return groups;
}

const KEEP = () => ({ naming: "connect", targetOu: lab.ou });

async function inputsOf(
  step: MigrationStep,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const checked = await provider.check(
    {},
    versioned({ target: lab.target, step, writebackOu: lab.ou, stack: "entra-writeback/unit", ...extra }),
  );
  expect(checked.failures).toBeUndefined();
  return checked.inputs as Record<string, unknown>;
}

const syncRuleProvider = implementationFor("SyncRule");

/** The two SyncRule resources the component declares after the syncRules step, with what it chose. */
async function ruleResources(
  chosen: ChosenSyncRules,
): Promise<Record<"inbound" | "outbound", { id: string; outs: Record<string, unknown> }>> {
  const declared = cloudNoFlowRules(chosen);
  const made: Record<string, { id: string; outs: Record<string, unknown> }> = {};
  for (const which of ["inbound", "outbound"] as const) {
    const checked = await syncRuleProvider.check(
      {},
      versioned({
        target: lab.target,
        ...declared[which],
        onDelete: "retain",
        stack: "entra-writeback/unit",
      }),
    );
    expect(checked.failures ?? []).toEqual([]);
    const created = await syncRuleProvider.create(checked.inputs!);
    made[which] = { id: created.id, outs: created.outs as Record<string, unknown> };
  }
  return made as Record<"inbound" | "outbound", { id: string; outs: Record<string, unknown> }>;
}

async function run(
  step: MigrationStep,
  extra: Record<string, unknown> = {},
): Promise<CloudSyncMigrationStepOutputs> {
  const outs = (await provider.create(await inputsOf(step, extra))).outs as CloudSyncMigrationStepOutputs;
  // Steps 3 and 4 are the SyncRule resources after the step (components/cloudSyncMigration.ts).
  if (step === "syncRules") await ruleResources(outs.syncRules!);
  return outs;
}

/** The migration's steps after the plan, each in turn, with the two wizard steps done when they wait for them. */
async function runEveryStepAfterThePlan(): Promise<void> {
  for (const step of MIGRATION_STEPS.slice(1)) {
    if (step === "stagingOn") await wizardSetStagingMode(lab.stateFile, true);
    if (step === "stagingOff") await wizardSetStagingMode(lab.stateFile, false);
    await run(step, settingsOf(step));
  }
}

const SETTINGS: Partial<Record<MigrationStep, Record<string, unknown>>> = {
  plan: { cloudSync: KEEP, confirmDisableGroupWritebackV2: true },
  disableGroupWritebackV2: { confirmDisableGroupWritebackV2: true },
};

function settingsOf(step: MigrationStep): Record<string, unknown> {
  const settings = SETTINGS[step] ?? {};
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      key,
      typeof value === "function" ? (value as () => unknown)() : value,
    ]),
  );
}

test("a migration declared without the name-keeping mapping and the target OU is refused in the preview, naming the groups; the advice works", async () => {
  const before = await legacyLab();
  const refused = await rejection(
    provider.check({}, versioned({ target: lab.target, step: "plan", writebackOu: lab.ou })),
  );
  expect(refused).toMatch(
    /^REFUSED: the migration of Group Writeback V2 to Cloud Sync on CONNECT01 would rename, move or lose/,
  );
  expect(refused).toContain("would RENAME 5 written-back security groups");
  expect(refused).toContain("would MOVE 5 written-back security groups");
  const security = before.filter((group) => group.groupCategory === "Security");
  for (const group of security) expect(refused).toContain(group.dn);
  expect(refused).toContain("Set entra-writeback:cloudSync.naming to connect");
  expect(refused).toContain(`Set entra-writeback:cloudSync.targetOu to ${lab.ou}`);
  // Nothing but reads.
  expect(lab.writesSince()).toEqual([]);

  // Following the advice: the preview passes and says the plan.
  await inputsOf("plan", { cloudSync: KEEP() });
  const plan = progress.lines.join("\n");
  expect(plan).toContain("PLAN: migration of Group Writeback V2 security groups to Cloud Sync on CONNECT01");
  expect(plan).toContain("Cloud Sync takes over 5 written-back security groups");
  expect(plan).toContain("5 to copy from adminDescription, 0 already set, 0 that cannot be set");
  expect(plan).toContain("Cloud Sync would rename 5 groups");
  expect(plan).toContain("0 renamed, 0 moved");
  expect(plan).toContain(
    "writes back EVERY Microsoft 365 group, whatever its writeback setting: 6 Microsoft 365 groups, including 2 opted-out groups",
  );
  expect(plan).toContain("4 are in the OU now, 2 will be added");
  expect(plan).toContain("GroupWritebackV2 off: NOT CONFIRMED");
});

test("the steps in order: the security groups stay (same DN), the Microsoft 365 groups follow v1; every step run twice repeats nothing", async () => {
  const before = await legacyLab();
  const security = before.filter((group) => group.groupCategory === "Security");
  const outputs: Partial<Record<MigrationStep, CloudSyncMigrationStepOutputs>> = {};
  for (const step of MIGRATION_STEPS) {
    if (step === "stagingOn") {
      const stopped = await rejection(run(step));
      expect(stopped).toContain(
        "Staging mode is off on CONNECT01; step 2 of the migration to Cloud Sync needs it on",
      );
      expect(stopped).toContain('Select "Enable staging mode"');
      expect(stopped).toMatch(/the admin's wizard step is: npx entra-sim wizard .* staging --enable/);
      await wizardSetStagingMode(lab.stateFile, true); // what the message says
      await closeClients(); // then pulumi up again: a new provider process
    }
    if (step === "stagingOff") {
      const stopped = await rejection(run(step));
      expect(stopped).toContain('Clear "Enable staging mode"');
      await wizardSetStagingMode(lab.stateFile, false);
      await closeClients();
    }
    if (step === "disableGroupWritebackV2") {
      const waiting = await rejection(run(step));
      expect(waiting).toMatch(/^WAITING FOR CONFIRMATION: the next step turns GroupWritebackV2 off/);
      expect(waiting).toContain("entra-writeback:cloudSyncMigration.confirmDisableGroupWritebackV2");
      expect((await lab.features()).groupWritebackV2).toBe(true);
    }
    outputs[step] = await run(step, settingsOf(step));
    const operationsBefore = lab.operations().length;
    const again = await run(step, settingsOf(step));
    if (!step.startsWith("initialCycle")) {
      // Read before write: the second run changes nothing (only the cycles run again, harmlessly in staging).
      const writes = lab.writesSince(operationsBefore);
      expect({ step, writes }).toEqual({
        step,
        writes: [],
      });
    }
    expect(again.step).toBe(step);
  }
  expect(outputs.plan?.plan).toMatchObject({
    securityGroups: { count: 5 },
    microsoft365GroupsWrittenBackByV1: 6,
    optedOutMicrosoft365GroupsWrittenBackByV1: { count: 2 },
  });
  expect(outputs.copyDirectoryObjectIds?.summary).toBe(
    "msDS-ExternalDirectoryObjectID: 5 copied from adminDescription, 0 already set",
  );
  expect(outputs.syncRules?.summary).toMatch(/to create \(precedence 0\).*to create \(precedence 1\)/);
  const made = ((await lab.call("getSyncRules")) as { rules: SyncRule[] }).rules.filter((rule) =>
    [NO_FLOW_INBOUND_RULE_IDENTIFIER, NO_FLOW_OUTBOUND_RULE_IDENTIFIER].includes(
      rule.identifier.toLowerCase(),
    ),
  );
  expect(made.map((rule) => [rule.direction, rule.precedence, rule.disabled])).toEqual([
    ["Inbound", 0, false],
    ["Outbound", 1, false],
  ]);

  const state = await readState(lab.stateFile);
  expect(state.tenant.features.groupWritebackV2).toBe(false);
  expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
  expect(state.servers[0]?.stagingModeEnabled).toBe(false);
  expect(state.servers[0]?.syncWindow).toBeNull();

  // The next cycle exports what staging held: every Microsoft 365 group, the security groups untouched.
  await lab.call("startSyncCycle", { policyType: "Delta" });
  await waitIdle();
  const after = await written();
  expect(after.filter((group) => group.groupCategory === "Security")).toEqual(security);
  expect(after.filter((group) => group.groupCategory !== "Security")).toHaveLength(6);
  const ids = (await lab.call("listGroupDirectoryObjectIds", { dn: lab.ou })) as {
    groups: { adminDescription: string; externalDirectoryObjectId: string | null }[];
  };
  expect(ids.groups.every((group) => group.externalDirectoryObjectId === group.adminDescription)).toBe(true);
});

test("without the outbound rule the staged cycle after v2 off names the deletes and stops; nothing is exported", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  const chosen = (await provider.create(await inputsOf("syncRules"))).outs as CloudSyncMigrationStepOutputs;
  const rules = await ruleResources(chosen.syncRules!);
  // Made inside the migration's window: the scheduler is still off, the window still the migration's.
  expect(await lab.syncCycleEnabled()).toBe(false);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow?.change).toBe(MIGRATION_WINDOW_CHANGE);
  await run("initialCycleBeforeV2Off");
  await run("disableGroupWritebackV2", { confirmDisableGroupWritebackV2: true });
  // Removed after the irreversible step (which puts back a rule removed before it).
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  const stopped = await rejection(run("initialCycleAfterV2Off"));
  expect(stopped).toMatch(/^The Initial sync cycle staged changes to 5 written-back security group\(s\)/);
  expect(stopped).toContain("delete CN=Group_");
  expect((await written()).filter((group) => group.groupCategory === "Security")).toHaveLength(5);
  // The advice: `pulumi up --refresh`: the outbound SyncRule reads as gone and is made again, inside the window.
  expect(await syncRuleProvider.read!(rules.outbound.id, rules.outbound.outs)).toEqual({ id: "" });
  await ruleResources(chosen.syncRules!);
  expect(await lab.syncCycleEnabled()).toBe(false);
  expect((await run("initialCycleAfterV2Off")).summary).toContain("none to a written-back security group");
});

test("a migration under way on a server whose marker an older version wrote (held said by the change's text, no held field) goes on inside that window and ends it", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  const before = lab.operations().length;
  await run("schedulerOff");
  // This version opens the window with the held field (the filter below sees openSyncWindow when it happens).
  expect(
    lab
      .operations()
      .slice(before)
      .filter((operation) => operation.startsWith("openSyncWindow")),
  ).toEqual([
    expect.stringContaining(`"change":"${MIGRATION_WINDOW_CHANGE}","initialCycle":false,"held":true`),
  ]);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow).toMatchObject({ held: true });
  // What the previous version left on the server at this point.
  await withState(lab.stateFile, (tx) => {
    const window = tx.state.servers[0]!.syncWindow!;
    window.change = `${MIGRATION_WINDOW_CHANGE} (held across steps)`;
    delete window.held;
  });
  const older = (await readState(lab.stateFile)).servers[0]!.syncWindow;
  expect(older).not.toHaveProperty("held");

  // The step run again (an interrupted deployment) keeps that window rather than opening another.
  const again = lab.operations().length;
  await run("schedulerOff");
  expect(
    lab
      .operations()
      .slice(again)
      .filter((operation) => operation.startsWith("openSyncWindow")),
  ).toEqual([]);
  // The rules are made inside it: the scheduler stays off, the marker as it was.
  await run("syncRules");
  expect(await lab.syncCycleEnabled()).toBe(false);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow).toEqual(older);
  await run("initialCycleBeforeV2Off");
  await run("disableGroupWritebackV2", { confirmDisableGroupWritebackV2: true });
  await run("initialCycleAfterV2Off");
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow).toEqual(older);
  await run("schedulerOn");
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow ?? null).toBeNull();
});

test("groups Connect named with the display-name option: naming connect would rename them and is refused; cloudSync keeps their names", async () => {
  lab = await newLab({ era: "legacy", m365: 2, m365OptedOut: 0, security: 3, securityEnabled: 3 });
  progress = captureProgress();
  await lab.call("newOrganizationalUnit", {
    name: "Entra Writeback",
    parentDn: lab.ou.slice(lab.ou.indexOf(",") + 1),
  });
  await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  await lab.call("setGroupWritebackV2", { enabled: true });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou, displayNameDn: true });
  await waitIdle();
  const security = (await written()).filter((group) => !/CN=Group_/.test(group.dn));
  expect(security.length).toBeGreaterThanOrEqual(3);

  const refused = await rejection(
    provider.check(
      {},
      versioned({
        target: lab.target,
        step: "plan",
        writebackOu: lab.ou,
        cloudSync: { naming: "connect", targetOu: lab.ou },
      }),
    ),
  );
  expect(refused).toContain("would RENAME 3 written-back security groups");
  expect(refused).toContain("Set entra-writeback:cloudSync.naming to cloudSync");
  expect(refused).not.toContain("would MOVE");

  // The advice: Cloud Sync's own naming is the display-name format these groups have.
  await inputsOf("plan", { cloudSync: { naming: "cloudSync", targetOu: lab.ou } });
  expect(progress.lines.join("\n")).toContain("0 renamed, 0 moved");
});

test("a cloudNoFlow rule removed or disabled while the migration waits for the confirmation: the irreversible step puts it back and checks a staged cycle before GroupWritebackV2 goes off", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  await run("syncRules");
  await run("initialCycleBeforeV2Off");
  expect(await rejection(run("disableGroupWritebackV2"))).toMatch(/^WAITING FOR CONFIRMATION/);
  // Meanwhile (days, maybe) someone removes one rule and disables the other.
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  await lab.call("setSyncRuleDisabled", { identifier: NO_FLOW_INBOUND_RULE_IDENTIFIER, disabled: true });
  const before = lab.operations().length;
  const outs = await run("disableGroupWritebackV2", { confirmDisableGroupWritebackV2: true });
  const writes = lab.writesSince(before).map((operation) => operation.replace(/\(.*$/, ""));
  // The rules come back and a staged Initial cycle is checked, all before the irreversible call.
  expect(writes).toEqual(["setSyncRuleDisabled", "newSyncRule", "startSyncCycle", "setGroupWritebackV2"]);
  expect(outs.summary).toContain("GroupWritebackV2 is off for the tenant (irreversible)");
  const { rules } = (await lab.call("getSyncRules")) as {
    rules: { identifier: string; disabled: boolean }[];
  };
  for (const identifier of [NO_FLOW_INBOUND_RULE_IDENTIFIER, NO_FLOW_OUTBOUND_RULE_IDENTIFIER]) {
    expect(rules.find((rule) => rule.identifier.toLowerCase() === identifier)?.disabled).toBe(false);
  }
  // With the rules back, the cycle after v2 off stages nothing against the security groups.
  expect((await run("initialCycleAfterV2Off")).summary).toContain("none to a written-back security group");
  expect((await written()).filter((group) => group.groupCategory === "Security")).toHaveLength(5);
});

test("a migration whose cloudSync would change the groups' sAMAccountName, or could route them to another OU, is refused in the preview; the advice works", async () => {
  const before = await legacyLab();
  const security = before.filter((group) => group.groupCategory === "Security");
  const elsewhere = `OU=Elsewhere,${lab.ou.slice(lab.ou.indexOf(",") + 1)}`;
  const refused = await rejection(
    provider.check(
      {},
      versioned({
        target: lab.target,
        step: "plan",
        writebackOu: lab.ou,
        cloudSync: {
          ...KEEP(),
          samAccountName: 'Join("_", [displayName], "Contoso")',
          routedOus: [elsewhere, lab.ou],
        },
      }),
    ),
  );
  expect(refused).toMatch(/^REFUSED: the migration of Group Writeback V2 to Cloud Sync on CONNECT01/);
  expect(refused).toContain(
    `Cloud Sync's sAMAccountName mapping (Join("_", [displayName], "Contoso")) would overwrite the sAMAccountName of 5 written-back security groups`,
  );
  expect(refused).toContain(
    `Cloud Sync's routing rules can MOVE written-back security groups to ${elsewhere}`,
  );
  expect(refused).not.toContain(`to ${elsewhere}, ${lab.ou}`);
  for (const group of security) expect(refused).toContain(group.dn);
  expect(refused).toContain("Set entra-writeback:cloudSync.samAccountName to null");
  expect(refused).toContain(`Set entra-writeback:cloudSync.targetOu to ${lab.ou}`);
  expect(lab.writesSince()).toEqual([]);
  // The advice followed: no sAMAccountName mapping, routes only to the OU the groups are in: the plan goes on.
  const outs = await run("plan", { cloudSync: { ...KEEP(), samAccountName: null, routedOus: [lab.ou] } });
  expect(outs.plan).toMatchObject({
    securityGroups: { count: 5 },
    renamedByDeclaredMapping: { count: 0 },
    movedByDeclaredTargetOu: { count: 0 },
  });
});

test("the scheduler turned on by hand mid-migration: the next step refuses and changes nothing; putting it back, as the message says, lets it go on", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: true }); // someone, by hand
  const before = lab.operations().length;
  const refused = await rejection(run("syncRules"));
  expect(refused).toContain(
    "the cloudNoFlow sync rules must happen with the sync scheduler off and the server in staging mode",
  );
  expect(refused).toContain("the scheduler is on and staging mode on. Nothing was changed.");
  expect(refused).toContain("put it back (the wizard for staging mode), then run pulumi up again");
  expect(lab.writesSince(before)).toEqual([]);
  // The advice: the scheduler off again (Set-ADSyncScheduler -SyncCycleEnabled $false), then run again.
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  await closeClients(); // pulumi up again: a new provider process
  // The step chooses; the two SyncRule resources after it make the rules.
  expect((await run("syncRules")).summary).toMatch(/to create \(precedence \d+\).*to create/);
});

test("a rule with the migration's identifier that differs from Microsoft's description is refused; removing it, as the message says, lets the step create it", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  const inbound = noFlowInboundRule(50);
  await lab.call("newSyncRule", { ...inbound, scopeFilter: [[inbound.scopeFilter[0]![0]!]] }); // mail ISNULL missing
  const refused = await rejection(run("syncRules"));
  expect(refused).toContain(`(${NO_FLOW_INBOUND_RULE_IDENTIFIER}) on`);
  expect(refused).toContain("is not the rule the migration page describes");
  expect(refused).toContain("Remove it (Remove-ADSyncRule)");
  // The advice: remove it, then run again.
  await lab.call("removeSyncRule", { identifier: NO_FLOW_INBOUND_RULE_IDENTIFIER });
  const { rules } = (await lab.call("getSyncRules")) as { rules: { identifier: string }[] };
  expect(rules.some((rule) => rule.identifier.toLowerCase() === NO_FLOW_INBOUND_RULE_IDENTIFIER)).toBe(false);
  // The step chooses; the two SyncRule resources after it make the rules.
  expect((await run("syncRules")).summary).toMatch(/to create \(precedence \d+\).*to create/);
});

test("a rule removed while the migration waits goes back at the precedence its SyncRule resource has, so a refresh shows no drift; a rule holding that precedence meanwhile is refused, and moving it as the message says lets the step go on", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  // The SyncRule resources take what the step chose (40 and 41); alone, the irreversible step would put a removed
  // rule back at the lowest free precedence (0 here), which the next refresh would show as drift.
  const chosen = (
    await provider.create(await inputsOf("syncRules", { syncRulePrecedences: { inbound: 40, outbound: 41 } }))
  ).outs as CloudSyncMigrationStepOutputs;
  expect(chosen.syncRules).toMatchObject({ inbound: 40, outbound: 41 });
  const rules = await ruleResources(chosen.syncRules!);
  await run("initialCycleBeforeV2Off");
  // The component gives the irreversible step the syncRules step's choice (the wiring test checks it).
  const restore = {
    confirmDisableGroupWritebackV2: true,
    syncRulePrecedences: { inbound: chosen.syncRules!.inbound, outbound: chosen.syncRules!.outbound },
  };
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  // Meanwhile another rule took precedence 41.
  const other = noFlowInboundRule(41);
  await lab.call("newSyncRule", {
    ...other,
    name: "Contoso custom rule",
    identifier: "0f0f0f0f-1111-4222-8333-444444444444",
  });
  const refused = await rejection(run("disableGroupWritebackV2", restore));
  expect(refused).toContain(
    'at precedence 41 (where this stack\'s SyncRule resource has it), but "Contoso custom rule" holds that precedence now. ' +
      "Nothing was changed; GroupWritebackV2 stays on.",
  );
  expect(refused).toContain(
    'Give "Contoso custom rule" another precedence (Synchronization Rules Editor) or remove it',
  );
  expect((await lab.features()).groupWritebackV2).toBe(true);
  // The advice: the admin's rule moves elsewhere.
  await lab.call("removeSyncRule", { identifier: "0f0f0f0f-1111-4222-8333-444444444444" });
  await lab.call("newSyncRule", {
    ...noFlowInboundRule(60),
    name: "Contoso custom rule",
    identifier: "0f0f0f0f-1111-4222-8333-444444444444",
  });
  const outs = await run("disableGroupWritebackV2", restore);
  expect(outs.summary).toContain("GroupWritebackV2 is off for the tenant (irreversible)");
  const { rules: live } = (await lab.call("getSyncRules")) as { rules: SyncRule[] };
  expect(
    live.find((rule) => rule.identifier.toLowerCase() === NO_FLOW_OUTBOUND_RULE_IDENTIFIER)?.precedence,
  ).toBe(41);
  // A refresh of the outbound SyncRule reads it as declared: no drift.
  const read = await syncRuleProvider.read!(rules.outbound.id, rules.outbound.outs);
  expect(read.id).toBe(rules.outbound.id);
  const diff = await syncRuleProvider.diff!(
    rules.outbound.id,
    read.props as Record<string, unknown>,
    rules.outbound.outs,
  );
  expect(diff.changes).toBe(false);
  // (The same diff names a rule at another precedence as a change: the check above can fail.)
  const declared = rules.outbound.outs as { definition: Record<string, unknown> };
  const elsewhere = { ...declared, definition: { ...declared.definition, precedence: 0 } };
  expect(
    (await syncRuleProvider.diff!(rules.outbound.id, read.props as Record<string, unknown>, elsewhere))
      .changes,
  ).toBe(true);
});

test("a security group written back after the plan step: the irreversible step refuses, v2 on, naming it; reading the plan and step 1 again, as the message says, takes it over", async () => {
  await legacyLab();
  const plan = await run("plan", settingsOf("plan"));
  await run("copyDirectoryObjectIds");
  // While the first up waits for the staging wizard step, a security group is enabled for writeback and a cycle
  // writes it back.
  const added = await runAction(lab.stateFile, "test.addGroup", {}, {}, (tx) =>
    addCloudGroup(tx, { type: "security", name: "SG-Late", writeback: "true" }),
  );
  await lab.call("startSyncCycle", { policyType: "Delta" });
  await waitIdle();
  expect((await written()).some((group) => group.cloudObjectId === added.objectId)).toBe(true);
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  await run("syncRules");
  await run("initialCycleBeforeV2Off");
  const urns = ["urn:pulumi:unit::entra-writeback::x::plan", "urn:pulumi:unit::entra-writeback::x::copy"];
  const declared = (outs: CloudSyncMigrationStepOutputs) => ({
    confirmDisableGroupWritebackV2: true,
    migratedGroupIds: outs.plan!.securityGroupIds,
    planStepUrns: urns,
  });
  const before = lab.operations().length;
  const refused = await rejection(run("disableGroupWritebackV2", declared(plan)));
  expect(refused).toMatch(
    /^REFUSED: the written-back security groups in OU=Entra Writeback,.* are not the ones the migration's plan and step 1 took over: 1 written back since the plan was read: SG-Late \(CN=Group_[^)]*\)\. /,
  );
  expect(refused).toContain("GroupWritebackV2 stays on; nothing was changed.");
  expect(refused).toContain(`pulumi up --replace '${urns[0]}' --replace '${urns[1]}'`);
  expect(lab.writesSince(before)).toEqual([]);
  expect((await lab.features()).groupWritebackV2).toBe(true);

  // The confirmation changed meanwhile: the plan step's update reads the plan again, with the late group, but step 1
  // ran before it was written back: still refused, for its missing identifier.
  const reread = (
    await provider.update!(
      "cloud-sync-migration/plan",
      { ...plan, confirmDisableGroupWritebackV2: false },
      await inputsOf("plan", settingsOf("plan")),
    )
  ).outs as CloudSyncMigrationStepOutputs;
  expect(reread.plan!.securityGroupIds).toContain(added.objectId);
  const uncopied = await rejection(run("disableGroupWritebackV2", declared(reread)));
  expect(uncopied).toContain(
    "took over: 1 of the plan's without msDS-ExternalDirectoryObjectID (written back after step 1 copied the identifiers): SG-Late (CN=Group_",
  );
  expect(uncopied).toContain(`pulumi up --replace '${urns[0]}' --replace '${urns[1]}'`);
  expect((await lab.features()).groupWritebackV2).toBe(true);

  // The advice: pulumi up --replace of the plan and of step 1 creates both again (each reads first); the
  // irreversible step then gets the new plan's groups.
  const replanned = await run("plan", settingsOf("plan"));
  expect(replanned.plan!.securityGroupIds).toContain(added.objectId);
  expect((await run("copyDirectoryObjectIds")).summary).toBe(
    "msDS-ExternalDirectoryObjectID: 1 copied from adminDescription, 5 already set",
  );
  const outs = await run("disableGroupWritebackV2", declared(replanned));
  expect(outs.summary).toContain("GroupWritebackV2 is off for the tenant (irreversible)");
});

test("once the migration has run, the plan's checks no longer block a preview whose mapping is unchanged; a changed mapping that would rename the migrated groups is refused until allowRenameOrMove, as the message says; before the end they refuse as before", async () => {
  await legacyLab();
  const planInputs = await inputsOf("plan", settingsOf("plan"));
  const plan = (await provider.create(planInputs)).outs as CloudSyncMigrationStepOutputs;
  const renaming = { ...planInputs, cloudSync: { ...KEEP(), naming: "cloudSync" } };
  // Before the end, a declaration that would rename the groups is refused.
  expect(await rejection(provider.check(planInputs, versioned(renaming)))).toMatch(
    /^REFUSED: the migration of Group Writeback V2 to Cloud Sync on CONNECT01 would rename, move or lose written-back groups, so it does not start; nothing was changed\.\n.*would RENAME 5 written-back security groups/,
  );
  await runEveryStepAfterThePlan();
  expect((await lab.features()).groupWritebackV2).toBe(false);

  // After it, the same declaration: the preview reads only whether the migration has run (not the plan).
  let before = lab.operations().length;
  expect((await provider.check(planInputs, versioned(planInputs))).failures ?? []).toEqual([]);
  expect(
    lab
      .operations()
      .slice(before)
      .map((operation) => operation.replace(/\(.*$/, "")),
  ).toEqual(["getServerState", "getSyncWindow", "getSyncRules"]);

  // A changed mapping that would rename the migrated groups: refused, nothing changed, the key named.
  const refused = await rejection(provider.check(planInputs, versioned(renaming)));
  expect(refused).toMatch(
    /^REFUSED: the migration to Cloud Sync has run on CONNECT01, and the changed entra-writeback:cloudSync would rename or move the groups it migrated/,
  );
  expect(refused).toContain("would RENAME 5 written-back security groups");
  expect(refused).toContain(
    "Or, to do it on purpose, set entra-writeback:cloudSync.allowRenameOrMove to true and run pulumi up again",
  );
  expect(await rejection(provider.update!("cloud-sync-migration/plan", plan, versioned(renaming)))).toBe(
    refused,
  );
  // The advice: allowRenameOrMove true. The preview passes; the update keeps the plan as it was read.
  const allowed = { ...renaming, allowRenameOrMove: true };
  before = lab.operations().length;
  const checked = await provider.check(planInputs, versioned(allowed));
  expect(checked.failures ?? []).toEqual([]);
  const updated = await provider.update!("cloud-sync-migration/plan", plan, checked.inputs!);
  expect((updated.outs as CloudSyncMigrationStepOutputs).plan).toEqual(plan.plan);
  expect(progress.lines.join("\n")).toContain(
    "the migration has run (GroupWritebackV2 off, the cloudNoFlow rules in place, its window closed): its plan stays as it was read",
  );
  expect(lab.writesSince(before)).toEqual([]);
  // Toggling the key alone is no change to the step.
  expect(
    (await provider.diff!("cloud-sync-migration/plan", updated.outs as never, checked.inputs!)).changes,
  ).toBe(false);
  expect(
    (
      await provider.diff!("cloud-sync-migration/plan", updated.outs as never, {
        ...checked.inputs!,
        allowRenameOrMove: false,
      })
    ).changes,
  ).toBe(false);
});

test("a syncRules step stored by the earlier version (no choice in its outputs) is updated: it reads the two rules' precedences from the server, after the migration too, and writes nothing", async () => {
  await legacyLab();
  const outputs: Partial<Record<MigrationStep, CloudSyncMigrationStepOutputs>> = {};
  for (const step of MIGRATION_STEPS) {
    if (step === "stagingOn") await wizardSetStagingMode(lab.stateFile, true);
    if (step === "stagingOff") await wizardSetStagingMode(lab.stateFile, false);
    outputs[step] = await run(step, {
      ...settingsOf(step),
      ...(step === "syncRules" ? { syncRulePrecedences: { inbound: 30, outbound: 31 } } : {}),
    });
  }
  const stored = outputs.syncRules!;
  expect(stored.syncRules).toMatchObject({ inbound: 30, outbound: 31 });
  const news = await inputsOf("syncRules", { syncRulePrecedences: { inbound: 30, outbound: 31 } });
  // Today's step: no change.
  expect((await provider.diff!("cloud-sync-migration/syncRules", stored, news)).changes).toBe(false);
  // The earlier version's: no syncRules output. A change, whose update reads the rules, after the migration.
  const { syncRules: _dropped, ...earlier } = stored;
  expect((await provider.diff!("cloud-sync-migration/syncRules", earlier as never, news)).changes).toBe(true);
  const before = lab.operations().length;
  const updated = (await provider.update!("cloud-sync-migration/syncRules", earlier, news))
    .outs as CloudSyncMigrationStepOutputs;
  expect(updated.syncRules).toEqual(stored.syncRules);
  expect(updated.summary).toContain("read from the server (this step was stored by an earlier version");
  expect(lab.writesSince(before)).toEqual([]);
  // The SyncRule resources the component then declares adopt the rules as they are: nothing written either.
  await ruleResources(updated.syncRules!);
  expect(lab.writesSince(before)).toEqual([]);
});

test("the irreversible step's re-check refuses before it writes: an inbound rule disabled and the outbound rule's precedence taken is refused with nothing changed (the inbound rule stays disabled), and following the advice puts both back", async () => {
  await legacyLab();
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("schedulerOff");
  const chosen = (
    await provider.create(await inputsOf("syncRules", { syncRulePrecedences: { inbound: 40, outbound: 41 } }))
  ).outs as CloudSyncMigrationStepOutputs;
  await ruleResources(chosen.syncRules!);
  await run("initialCycleBeforeV2Off");
  const restore = {
    confirmDisableGroupWritebackV2: true,
    syncRulePrecedences: { inbound: 40, outbound: 41 },
  };
  // Meanwhile someone disables the inbound rule, removes the outbound one and gives its precedence to another rule.
  await lab.call("setSyncRuleDisabled", { identifier: NO_FLOW_INBOUND_RULE_IDENTIFIER, disabled: true });
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  await lab.call("newSyncRule", {
    ...noFlowInboundRule(41),
    name: "Contoso custom rule",
    identifier: "0f0f0f0f-1111-4222-8333-444444444444",
  });
  const before = lab.operations().length;
  const refused = await rejection(run("disableGroupWritebackV2", restore));
  expect(refused).toContain('"Contoso custom rule" holds that precedence now. Nothing was changed');
  // Nothing was changed, as it says: the disabled inbound rule was not enabled on the way to the refusal.
  expect(lab.writesSince(before)).toEqual([]);
  const disabledOf = async (identifier: string) =>
    ((await lab.call("getSyncRules")) as { rules: SyncRule[] }).rules.find(
      (rule) => rule.identifier.toLowerCase() === identifier,
    )?.disabled;
  expect(await disabledOf(NO_FLOW_INBOUND_RULE_IDENTIFIER)).toBe(true);
  expect((await lab.features()).groupWritebackV2).toBe(true);
  // The advice: the admin's rule moves elsewhere; the step then enables one rule, creates the other, and goes on.
  await lab.call("removeSyncRule", { identifier: "0f0f0f0f-1111-4222-8333-444444444444" });
  await lab.call("newSyncRule", {
    ...noFlowInboundRule(60),
    name: "Contoso custom rule",
    identifier: "0f0f0f0f-1111-4222-8333-444444444444",
  });
  const again = lab.operations().length;
  const outs = await run("disableGroupWritebackV2", restore);
  expect(outs.summary).toContain("GroupWritebackV2 is off for the tenant (irreversible)");
  expect(lab.writesSince(again).map((operation) => operation.replace(/\(.*$/, ""))).toEqual([
    "setSyncRuleDisabled",
    "newSyncRule",
    "startSyncCycle",
    "setGroupWritebackV2",
  ]);
  expect(await disabledOf(NO_FLOW_INBOUND_RULE_IDENTIFIER)).toBe(false);
  expect(await disabledOf(NO_FLOW_OUTBOUND_RULE_IDENTIFIER)).toBe(false);
});

test("once the migration has run, the server put in staging mode later (a staging server, a swing upgrade) does not bring the start's checks back: the plan is kept, and a rename allowed by allowRenameOrMove is not refused", async () => {
  await legacyLab();
  const planInputs = await inputsOf("plan", settingsOf("plan"));
  const plan = (await provider.create(planInputs)).outs as CloudSyncMigrationStepOutputs;
  await runEveryStepAfterThePlan();
  expect((await lab.features()).groupWritebackV2).toBe(false);
  const renaming = { ...planInputs, cloudSync: { ...KEEP(), naming: "cloudSync" }, allowRenameOrMove: true };
  // Staging mode off: the rename on purpose passes, and the update keeps the plan.
  expect((await provider.check(planInputs, versioned(renaming))).failures ?? []).toEqual([]);

  // Later, the server becomes a staging server (Microsoft's swing upgrade puts one server in staging mode).
  await wizardSetStagingMode(lab.stateFile, true);
  await closeClients(); // a later pulumi up: a new provider process
  const checked = await provider.check(planInputs, versioned(renaming));
  expect(checked.failures ?? []).toEqual([]);
  const updated = await provider.update!("cloud-sync-migration/plan", plan, checked.inputs!);
  expect((updated.outs as CloudSyncMigrationStepOutputs).plan).toEqual(plan.plan);
  // The confirmation set back to false afterwards changes no plan either (its group ids are Cloud Sync's scope).
  const unconfirmed = { ...planInputs, confirmDisableGroupWritebackV2: false };
  const kept = await provider.update!(
    "cloud-sync-migration/plan",
    plan,
    (await provider.check(planInputs, versioned(unconfirmed))).inputs!,
  );
  expect((kept.outs as CloudSyncMigrationStepOutputs).plan).toEqual(plan.plan);
});

test("the plan step's update after GroupWritebackV2 went off keeps the plan it read before, even when the server no longer looks migrated (a cloudNoFlow rule removed by hand): its group ids are Cloud Sync's scope", async () => {
  await legacyLab();
  const planInputs = await inputsOf("plan", settingsOf("plan"));
  const plan = (await provider.create(planInputs)).outs as CloudSyncMigrationStepOutputs;
  await runEveryStepAfterThePlan();
  expect((await lab.features()).groupWritebackV2).toBe(false);
  // Later someone removes a rule (the SyncRule resource puts it back, after the plan step in the chain), and the
  // confirmation is set back to false in the same change of the stack.
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  await closeClients();
  const unconfirmed = (
    await provider.check(planInputs, versioned({ ...planInputs, confirmDisableGroupWritebackV2: false }))
  ).inputs!;
  const updated = (await provider.update!("cloud-sync-migration/plan", plan, unconfirmed))
    .outs as CloudSyncMigrationStepOutputs;
  expect(updated.plan).toEqual(plan.plan);
  // (Read again, the plan would differ: v2 off now, nothing left to copy; the check above can fail.)
  const reread = await readPlan(clientFor(plan.target), {
    writebackOu: lab.ou,
    cloudSync: plan.cloudSync,
    confirmDisableGroupWritebackV2: true,
  });
  expect(reread).not.toEqual(plan.plan);
});

test("a syncRules step stored by the earlier version, after the migration, with a cloudNoFlow rule removed since: the update chooses its precedence read only (no refusal asking for the scheduler off and staging mode on again), and the SyncRule resource puts the rule back", async () => {
  await legacyLab();
  const outputs: Partial<Record<MigrationStep, CloudSyncMigrationStepOutputs>> = {};
  for (const step of MIGRATION_STEPS) {
    if (step === "stagingOn") await wizardSetStagingMode(lab.stateFile, true);
    if (step === "stagingOff") await wizardSetStagingMode(lab.stateFile, false);
    outputs[step] = await run(step, {
      ...settingsOf(step),
      ...(step === "syncRules" ? { syncRulePrecedences: { inbound: 30, outbound: 31 } } : {}),
    });
  }
  const { syncRules: stored, ...earlier } = outputs.syncRules!;
  // After the migration, someone removes the outbound rule.
  await lab.call("removeSyncRule", { identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER });
  await closeClients();
  const news = await inputsOf("syncRules", { syncRulePrecedences: { inbound: 30, outbound: 31 } });
  const before = lab.operations().length;
  const updated = (await provider.update!("cloud-sync-migration/syncRules", earlier as never, news))
    .outs as CloudSyncMigrationStepOutputs;
  expect(updated.syncRules).toEqual(stored);
  expect(lab.writesSince(before)).toEqual([]);
  // The scheduler runs and staging mode stays off: nothing asked them back.
  expect(await lab.syncCycleEnabled()).toBe(true);
  // The SyncRule resources the component declares then put the outbound rule back where the step chose.
  await ruleResources(updated.syncRules!);
  const { rules } = (await lab.call("getSyncRules")) as { rules: SyncRule[] };
  expect(
    rules.find((rule) => rule.identifier.toLowerCase() === NO_FLOW_OUTBOUND_RULE_IDENTIFIER)?.precedence,
  ).toBe(31);
  expect(await lab.syncCycleEnabled()).toBe(true);
});

// A stack that drops entra-writeback:cloudSyncMigration mid-migration declares SchedulerState and the GroupWritebackV2
// resource in enable mode again (components/groupWriteback.ts), without the steps: they must not end the window.
const schedulerProvider = implementationFor("SchedulerState");
const featureProvider = implementationFor("GroupWritebackFeature");
const STACK = "entra-writeback/unit";

async function schedulerInputs(role: "active" | "staging"): Promise<Record<string, unknown>> {
  const checked = await schedulerProvider.check(
    {},
    versioned({ target: lab.target, syncCycleEnabled: true, role, stack: STACK }),
  );
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs as Record<string, unknown>;
}

async function v2Inputs(mode: "enable" | "release"): Promise<Record<string, unknown>> {
  const checked = await featureProvider.check(
    {},
    versioned({
      target: lab.target,
      version: "v2",
      mode,
      onDelete: "retain",
      stack: STACK,
    }),
  );
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs as Record<string, unknown>;
}

/**
 * A migration under way up to its pause window, as the component's first ups leave it: the v2 resource released, the
 * plan, step 1, staging mode on (the wizard step), the scheduler off in the migration's window, the two rules.
 */
async function migrateIntoTheWindow(): Promise<{
  v2Stored: { id: string; outs?: Record<string, unknown> };
  schedulerOff: CloudSyncMigrationStepOutputs;
}> {
  const v2Stored = await featureProvider.create(await v2Inputs("release"));
  await run("plan", settingsOf("plan"));
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(lab.stateFile, true);
  await run("stagingOn");
  const schedulerOff = await run("schedulerOff");
  await run("syncRules");
  return { v2Stored, schedulerOff };
}

/** The rest of a migration after GroupWritebackV2 went off, in a new deployment: its window closed at the end. */
async function finishTheMigration(): Promise<void> {
  await closeClients();
  await run("initialCycleAfterV2Off");
  await run("schedulerOn");
  await wizardSetStagingMode(lab.stateFile, false);
  await run("stagingOff");
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow ?? null).toBeNull();
}

/** The next `pulumi up` without the key: SchedulerState (either role) and the v2 resource's update to enable mode. */
async function upWithoutTheKey(v2Stored: { id: string; outs?: Record<string, unknown> }): Promise<string[]> {
  await closeClients(); // a new deployment
  const window = (await readState(lab.stateFile)).servers[0]?.syncWindow;
  expect(window).toMatchObject({ owner: STACK, change: MIGRATION_WINDOW_CHANGE, held: true });
  const before = lab.operations().length;
  const refusals = [
    await rejection(schedulerProvider.create(await schedulerInputs("active"))),
    await rejection(schedulerProvider.create(await schedulerInputs("staging"))),
    await rejection(featureProvider.update!(v2Stored.id, v2Stored.outs, await v2Inputs("enable"))),
  ];
  // Nothing changed: the scheduler off, the window as it was, the flag as it was.
  expect(lab.writesSince(before)).toEqual([]);
  expect(await lab.syncCycleEnabled()).toBe(false);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow).toEqual(window);
  return refusals;
}

test("a stack that drops cloudSyncMigration while the migration holds its window: SchedulerState and GroupWritebackV2 refuse and change nothing, before and after v2 went off; putting the key back, as the message says, finishes the migration", async () => {
  await legacyLab();
  const { v2Stored } = await migrateIntoTheWindow();

  // GroupWritebackV2 still on: the v2 resource would close the window as one its stack left (closeLeftWindow), and
  // SchedulerState would re-enable the scheduler and close it too.
  expect((await lab.features()).groupWritebackV2).toBe(true);
  const refusals = await upWithoutTheKey(v2Stored);
  const opened = (await readState(lab.stateFile)).servers[0]!.syncWindow!.openedAtUtc;
  const message = (resource: string): string =>
    `${resource}: REFUSED: the migration to Cloud Sync is under way on CONNECT01: this stack (${STACK}) holds the ` +
    `sync scheduler off for it in its pause window (opened ${opened}), and this deployment runs ${resource} without ` +
    "the migration's steps (entra-writeback:cloudSyncMigration is no longer declared, or --target left the steps " +
    "out), which would end that window in the middle of the migration. Nothing was changed. Either put " +
    "entra-writeback:cloudSyncMigration back as it was and run pulumi up: the migration goes on from where it " +
    "stopped and finishes. Or, while GroupWritebackV2 is still on, back out of the migration by hand as " +
    'docs/cloud-sync-migration.md describes ("Backing out by hand"), then run pulumi up.';
  expect(refusals).toEqual([
    message("SchedulerState"),
    message("SchedulerState"),
    message("GroupWritebackFeature v2"),
  ]);

  // The key back: the steps go on inside the window, up to the irreversible one.
  await closeClients();
  await run("initialCycleBeforeV2Off");
  await run("disableGroupWritebackV2", settingsOf("disableGroupWritebackV2"));
  expect((await lab.features()).groupWritebackV2).toBe(false);

  // Dropped again after v2 went off: the v2 resource would turn the flag on inside the window (withSchedulerPaused
  // nests in a held window of its stack); refused before that too.
  const after = await upWithoutTheKey(v2Stored);
  expect(after).toEqual(refusals);

  // The key back again: the migration finishes, and then the resources after it converge.
  await finishTheMigration();
  const scheduler = await schedulerProvider.create(await schedulerInputs("active"));
  expect(scheduler.outs).toMatchObject({ syncCycleEnabled: true, stagingModeEnabled: false });
  expect(await lab.syncCycleEnabled()).toBe(true);
  const released = await featureProvider.update!(v2Stored.id, v2Stored.outs, await v2Inputs("release"));
  expect(released.outs).toMatchObject({ enabled: false });
});

test("a stack that dropped cloudSyncMigration before GroupWritebackV2 went off backs out by hand as docs/cloud-sync-migration.md says: then SchedulerState and GroupWritebackV2 converge as without the migration", async () => {
  await legacyLab();
  const { v2Stored } = await migrateIntoTheWindow();
  const refusals = await upWithoutTheKey(v2Stored);
  expect(refusals[0]).toContain('as docs/cloud-sync-migration.md describes ("Backing out by hand")');
  // The section the message names is there.
  const docs = readFileSync(join(__dirname, "../../../docs/cloud-sync-migration.md"), "utf8");
  expect(docs).toContain(`\n### ${MIGRATION_BACK_OUT_SECTION}\n`);

  // Backing out by hand (docs/cloud-sync-migration.md): the two cloudNoFlow rules removed (Remove-ADSyncRule), the
  // window's marker removed (Remove-ItemProperty … -Name SyncWindow), staging mode off in the wizard.
  const noFlow = [NO_FLOW_INBOUND_RULE_IDENTIFIER, NO_FLOW_OUTBOUND_RULE_IDENTIFIER];
  const present = async () =>
    ((await lab.call("getSyncRules")) as { rules: SyncRule[] }).rules.filter((rule) =>
      noFlow.includes(rule.identifier.toLowerCase()),
    );
  expect(await present()).toHaveLength(2);
  for (const identifier of noFlow) await lab.call("removeSyncRule", { identifier });
  await withState(lab.stateFile, (tx) => {
    tx.state.servers[0]!.syncWindow = null;
  });
  await wizardSetStagingMode(lab.stateFile, false);

  // Then pulumi up without the key: the scheduler on again, GroupWritebackV2 on as it was, nothing of the migration.
  await closeClients();
  const scheduler = await schedulerProvider.create(await schedulerInputs("active"));
  expect(scheduler.outs).toMatchObject({ syncCycleEnabled: true, stagingModeEnabled: false });
  const v2 = await featureProvider.update!(v2Stored.id, v2Stored.outs, await v2Inputs("enable"));
  expect(v2.outs).toMatchObject({ enabled: true });
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await lab.features()).groupWritebackV2).toBe(true);
  expect(await present()).toEqual([]);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow ?? null).toBeNull();
});

interface Stored {
  kind: "SchedulerState" | "WritebackOU" | "WritebackPermission" | "SyncRule" | "CloudSyncMigrationStep";
  id: string;
  outs: Record<string, unknown>;
}

/**
 * The resources of a plain stack whose deletes write to the server, as it stored them before the migration started:
 * the member-limit rule disabled with onDelete revert, the OU it created (allowNonEmptyOuDeletion true), the OU's ACE,
 * and SchedulerState (enabled, role active).
 */
async function storedBeforeTheMigration(): Promise<Stored[]> {
  const stored: Stored[] = [];
  const make = async (kind: Stored["kind"], inputs: Record<string, unknown>): Promise<void> => {
    const implementation = implementationFor(kind);
    const checked = await implementation.check({}, versioned(inputs));
    expect(checked.failures ?? []).toEqual([]);
    const created = await implementation.create(checked.inputs!);
    stored.push({ kind, id: created.id, outs: created.outs as Record<string, unknown> });
  };
  await make("SyncRule", {
    target: lab.target,
    name: OUT_TO_AD_MEMBER_LIMIT,
    disabled: true,
    onDelete: "revert",
    stack: STACK,
  });
  await make("WritebackPermission", {
    target: lab.target,
    writebackOu: lab.ou,
    connectorAccountDn: lab.account,
  });
  await make("SchedulerState", {
    target: lab.target,
    syncCycleEnabled: true,
    role: "active",
    stack: STACK,
  });
  // The OU was created by the stack (legacyLab made it by hand, so the resource adopted it): as WritebackOU stores it.
  const ou = (await lab.call("getOrganizationalUnit", { dn: lab.ou })) as Record<string, unknown>;
  stored.push({
    kind: "WritebackOU",
    id: lab.ou,
    outs: versioned({
      target: lab.target,
      writebackOu: lab.ou,
      allowNonEmptyOuDeletion: true,
      name: ou.name,
      parentDn: lab.ou.slice(lab.ou.indexOf(",") + 1),
      protectedFromAccidentalDeletion: false,
      childCount: ou.childCount,
      adopted: false,
    }),
  });
  expect(await lab.syncCycleEnabled()).toBe(true);
  return stored;
}

/** `pulumi destroy` of one resource, in a new deployment (a new provider process: no claims of earlier ones). */
async function destroy(resource: Stored): Promise<void> {
  await closeClients();
  clearClaimsForTests();
  await implementationFor(resource.kind).delete!(resource.id, resource.outs);
}

const EFFECTS: Record<Stored["kind"], () => string> = {
  CloudSyncMigrationStep: () =>
    `forget that the migration's step "schedulerOff" ran (the next pulumi up would run it again)`,
  SyncRule: () => `enable synchronization rule "${OUT_TO_AD_MEMBER_LIMIT}" again`,
  WritebackPermission: () => `revoke the writeback rights of ${lab.account} on ${lab.ou}`,
  WritebackOU: () => `remove ${lab.ou} and the 9 object(s) in it`,
  SchedulerState: () => "re-enable the sync scheduler and end that window",
};

/** The resources whose stored inputs name no stack: any migration window could be their stack's. */
const WITHOUT_STACK: ReadonlySet<Stored["kind"]> = new Set(["WritebackOU", "WritebackPermission"]);

function deleteRefusal(kind: Stored["kind"], opened: string): string {
  return (
    `${kind}: REFUSED: the migration to Cloud Sync is under way on ${clientFor(lab.target).description}: the stack ` +
    `${STACK} holds the sync scheduler off for it in its pause window (opened ${opened}), and deleting this resource ` +
    `(pulumi destroy, or a resource the stack no longer declares) would ${EFFECTS[kind]()} in the middle of the ` +
    "migration. Nothing was changed on the server. Either finish the migration first: run pulumi up of " +
    `${STACK} with entra-writeback:cloudSyncMigration as declared (and its confirmation, ` +
    "cloudSyncMigration.confirmDisableGroupWritebackV2, if it waits for it): it goes on from where it stopped and " +
    "ends with the scheduler on; then run the same command again. Or, while GroupWritebackV2 is still on, back out " +
    'of the migration by hand as docs/cloud-sync-migration.md describes ("Backing out by hand"), then run the same ' +
    "command again." +
    (WITHOUT_STACK.has(kind)
      ? ` (If ${STACK} is not this stack, run the same command again once its migration has finished.)`
      : "")
  );
}

/** Every delete refused: the messages, and nothing written (the scheduler off, the window, rules, OU, ACE as they were). */
async function expectDestroyRefused(stored: Stored[]): Promise<void> {
  const window = (await readState(lab.stateFile)).servers[0]?.syncWindow;
  expect(window).toMatchObject({ owner: STACK, change: MIGRATION_WINDOW_CHANGE, held: true });
  const before = lab.operations().length;
  const stateBefore = (await readState(lab.stateFile)).servers[0];
  for (const resource of stored) {
    expect([
      resource.kind,
      await destroy(resource).then(
        () => "deleted",
        (error: Error) => error.message,
      ),
    ]).toEqual([resource.kind, deleteRefusal(resource.kind, window!.openedAtUtc)]);
  }
  expect(lab.writesSince(before)).toEqual([]);
  expect(await lab.syncCycleEnabled()).toBe(false);
  expect((await readState(lab.stateFile)).servers[0]).toEqual(stateBefore);
  expect(await written()).toHaveLength(9);
}

test("pulumi destroy while the migration holds its window: every delete that would write to the server (a reverted rule, the ACE, the OU with its groups, SchedulerState) refuses and changes nothing, before and after v2 went off; finishing the migration with pulumi up, as the message says, and then the same destroy runs", async () => {
  await legacyLab();
  const stored = await storedBeforeTheMigration();
  const { schedulerOff } = await migrateIntoTheWindow();
  expect((await lab.features()).groupWritebackV2).toBe(true);
  // A step done is in the state too: a destroy would forget it (the next up would run it again).
  stored.push({
    kind: "CloudSyncMigrationStep",
    id: "cloud-sync-migration/schedulerOff",
    outs: { ...schedulerOff },
  });
  await expectDestroyRefused(stored);

  // An up that declares the migration (its steps' checks ran) may replace a step, as the irreversible step's advice
  // asks (--replace): the old step's delete goes through, writing nothing.
  await closeClients();
  clearClaimsForTests();
  await inputsOf("schedulerOff");
  const beforeReplace = lab.operations().length;
  await provider.delete!("cloud-sync-migration/schedulerOff", { ...schedulerOff });
  expect(lab.writesSince(beforeReplace)).toEqual([]);

  // pulumi up with the key: the steps go on inside the window; a destroy between them is still refused.
  await closeClients();
  await run("initialCycleBeforeV2Off");
  await run("disableGroupWritebackV2", settingsOf("disableGroupWritebackV2"));
  expect((await lab.features()).groupWritebackV2).toBe(false);
  await expectDestroyRefused(stored);

  await finishTheMigration();
  expect(await lab.syncCycleEnabled()).toBe(true);

  // Then the same destroy: each delete does what it would have done without the migration (the writes the filter
  // above looks for; a step's delete writes nothing), and the scheduler stays on.
  const before = lab.operations().length;
  for (const resource of stored) await destroy(resource);
  expect(lab.writesSince(before).map((write) => write.replace(/\(.*$/, ""))).toEqual(
    expect.arrayContaining(["setSyncRuleDisabled", "revokeWritebackAccess", "removeOrganizationalUnit"]),
  );
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow ?? null).toBeNull();
});

test("pulumi destroy refused mid-migration, then backing out by hand as docs/cloud-sync-migration.md says: the destroy re-enables the scheduler", async () => {
  await legacyLab();
  const stored = await storedBeforeTheMigration();
  const scheduler = stored.find((resource) => resource.kind === "SchedulerState")!;
  await migrateIntoTheWindow();
  await expectDestroyRefused([scheduler]);

  // Backing out by hand: the cloudNoFlow rules removed, the window's marker removed, staging mode off in the wizard.
  for (const identifier of [NO_FLOW_INBOUND_RULE_IDENTIFIER, NO_FLOW_OUTBOUND_RULE_IDENTIFIER])
    await lab.call("removeSyncRule", { identifier });
  await withState(lab.stateFile, (tx) => {
    tx.state.servers[0]!.syncWindow = null;
  });
  await wizardSetStagingMode(lab.stateFile, false);

  // Then pulumi destroy: SchedulerState's delete never leaves the scheduler disabled (a write the filter above sees).
  const before = lab.operations().length;
  await destroy(scheduler);
  expect(lab.writesSince(before)).toEqual([
    `setSchedulerSyncCycleEnabled(${JSON.stringify({ enabled: true })})`,
  ]);
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await lab.features()).groupWritebackV2).toBe(true);
});

test("a preview mid-migration: SchedulerState's diff says the migration holds the scheduler off and plans nothing while the stack declares the migration; without the key it says the update refuses, and the update does", async () => {
  await legacyLab();
  const scheduler = (await storedBeforeTheMigration()).find(
    (resource) => resource.kind === "SchedulerState",
  )!;
  await migrateIntoTheWindow();
  const opened = (await readState(lab.stateFile)).servers[0]!.syncWindow!.openedAtUtc;
  const held = `the sync scheduler on CONNECT01 is held off by this stack's migration to Cloud Sync (its pause window, opened ${opened})`;

  // The preview of an up that declares the migration: its steps' checks ran first, step 5's among them (not run yet).
  await closeClients();
  clearClaimsForTests();
  await inputsOf("plan", settingsOf("plan"));
  await inputsOf("schedulerOn");
  progress.lines.length = 0;
  const declared = await schedulerProvider.diff(
    scheduler.id,
    scheduler.outs,
    await schedulerInputs("active"),
  );
  expect(declared.changes).toBe(false);
  expect(progress.lines).toContain(
    `[entra-writeback] SchedulerState: ${held}; the migration re-enables it at its step 5, before this resource`,
  );

  // The preview of an up without the key, or of one whose step 5 has already run (only the plan's check, with its
  // old state: the claim of step 5 is made by its check without old state): a change, which the update refuses.
  await closeClients();
  clearClaimsForTests();
  await provider.check(
    await inputsOf("schedulerOn"),
    versioned({ target: lab.target, step: "schedulerOn", writebackOu: lab.ou, stack: STACK }),
  );
  clearClaimsForTests();
  progress.lines.length = 0;
  const dropped = await schedulerProvider.diff(scheduler.id, scheduler.outs, await schedulerInputs("active"));
  expect(dropped.changes).toBe(true);
  expect(progress.lines).toContain(
    `[entra-writeback] SchedulerState: ${held}, and this deployment runs SchedulerState without the migration's step ` +
      "that re-enables it (entra-writeback:cloudSyncMigration no longer declared, or --target left the steps out): " +
      'the update refuses to end that window (docs/cloud-sync-migration.md, "Dropping the key mid-migration")',
  );
  expect(
    await rejection(schedulerProvider.update!(scheduler.id, scheduler.outs, await schedulerInputs("active"))),
  ).toContain("SchedulerState: REFUSED: the migration to Cloud Sync is under way on CONNECT01");
  expect(await lab.syncCycleEnabled()).toBe(false);
});

test("another stack's migration window on the same server: a delete refuses while it holds, saying to wait for that stack, and goes through once it has lapsed; the OU and the ACE, whose inputs name no stack, refuse for a lapsed one too, as their message says", async () => {
  await legacyLab();
  const stored = await storedBeforeTheMigration();
  const byKind = (kind: Stored["kind"]): Stored => stored.find((resource) => resource.kind === kind)!;
  const marker = (expiresAtUtc: string) =>
    withState(lab.stateFile, (tx) => {
      tx.state.servers[0]!.syncWindow = {
        owner: "entra-writeback/other",
        change: MIGRATION_WINDOW_CHANGE,
        initialCycle: false,
        held: true,
        openedAtUtc: "2025-01-06T08:00:00.000Z",
        expiresAtUtc,
      };
    });
  await marker("2099-01-01T00:00:00.000Z");
  const description = clientFor(lab.target).description;
  const before = lab.operations().length;
  expect(await rejection(destroy(byKind("SyncRule")))).toBe(
    `SyncRule: REFUSED: the migration to Cloud Sync is under way on ${description}: another stack, ` +
      "entra-writeback/other, holds the sync scheduler off for it in its pause window (opened " +
      "2025-01-06T08:00:00.000Z), and deleting this resource (pulumi destroy, or a resource the stack no longer " +
      `declares) would enable synchronization rule "${OUT_TO_AD_MEMBER_LIMIT}" again in the middle of the migration. ` +
      "Nothing was changed on the server. Run the same command again once entra-writeback/other's migration has " +
      "finished (its window lapses 2099-01-01T00:00:00.000Z at the latest).",
  );
  expect(await rejection(destroy(byKind("WritebackPermission")))).toContain(
    "the stack entra-writeback/other holds the sync scheduler off for it in its pause window (opened " +
      "2025-01-06T08:00:00.000Z), and deleting this resource (pulumi destroy, or a resource the stack no longer " +
      `declares) would revoke the writeback rights of ${lab.account} on ${lab.ou} in the middle of the migration.`,
  );
  expect(lab.writesSince(before)).toEqual([]);

  // Lapsed (its deployment died long ago): the ACE's and the OU's deletes, which cannot tell the window is not their
  // stack's, still refuse and say what to do if it is another stack's; the rule's, which knows its stack, goes through
  // in its own pause window, which takes the lapsed marker over (as any deployment of any stack does).
  await marker("2020-01-01T00:00:00.000Z");
  for (const kind of ["WritebackPermission", "WritebackOU"] as const) {
    expect(await rejection(destroy(byKind(kind)))).toContain(
      "(If entra-writeback/other is not this stack, run the same command again once its migration has finished.)",
    );
  }
  expect(lab.writesSince(before)).toEqual([]);
  await destroy(byKind("SyncRule"));
  expect(lab.writesSince(before).map((write) => write.replace(/\(.*$/, ""))).toEqual([
    "openSyncWindow",
    "setSchedulerSyncCycleEnabled",
    "setSyncRuleDisabled",
    "setSchedulerSyncCycleEnabled",
    "closeSyncWindow",
  ]);

  // No migration window left (a finished migration closes its own; here the rule's window closed the lapsed marker):
  // the same command again, as the ACE's and the OU's refusals say, goes through.
  expect((await readState(lab.stateFile)).servers[0]?.syncWindow ?? null).toBeNull();
  const afterRule = lab.operations().length;
  for (const kind of ["WritebackPermission", "WritebackOU"] as const) await destroy(byKind(kind));
  expect(lab.writesSince(afterRule).map((write) => write.replace(/\(.*$/, ""))).toEqual([
    "revokeWritebackAccess",
    "removeOrganizationalUnit",
  ]);
});
