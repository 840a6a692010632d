// SyncRule against a simulated Entra Connect server: a custom rule (Microsoft's delete rule) declared whole and an
// existing rule (the member limit) disabled by name, each change inside a scheduler pause window.
import { advance, parentDn, readState, withState, wizardEnableGroupWriteback } from "../../../simulator";
import {
  DELETE_RULE_IDENTIFIER,
  DELETE_RULE_NAME,
  deleteOutOfScopeGroupsRule,
  OUT_TO_AD_MEMBER_LIMIT,
} from "../../../domain/groupWritebackRules";
import { MIGRATION_WINDOW_CHANGE } from "../../../domain/cloudSyncMigration";
import { explainDrift } from "../../../providers/driftDetails";
import { implementationFor } from "../../../providers/registry";
import { ENTRA_ID_CONNECTOR_ID, type SyncRule } from "../../../contract/contract";
import { SIMULATED_AD_CONNECTOR_ID } from "../../../simulator/syncRules";
import { captureProgress, type Lab, newLab, rejection, versioned } from "./support";

const provider = implementationFor("SyncRule");

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

/** The delete rule as the component declares it: Microsoft's definition, less the name and Disabled. */
function deleteRuleInputs(precedence = 50, extra: object = {}) {
  const { name, disabled, ...definition } = deleteOutOfScopeGroupsRule(precedence);
  return { target: lab.target, name, disabled, definition, stack: "entra-writeback/unit", ...extra };
}

async function checked(raw: object): Promise<Record<string, unknown>> {
  const result = await provider.check({}, versioned(raw));
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}

async function rules(): Promise<SyncRule[]> {
  return ((await lab.call("getSyncRules")) as { rules: SyncRule[] }).rules;
}

const ops = (name: string) => lab.operations().filter((op) => op.startsWith(`${name}(`));

test("a custom rule is created inside a pause window, and Connect's full-sync flag makes the next cycle Initial", async () => {
  const inputs = await checked(deleteRuleInputs());
  const created = await provider.create(inputs);
  expect(created.id).toBe(DELETE_RULE_IDENTIFIER);
  expect(created.outs).toMatchObject({ adopted: false, fullSyncPending: true, immutableTag: null });
  const rule = (await rules()).find((each) => each.name === DELETE_RULE_NAME);
  expect(rule).toMatchObject({ precedence: 50, disabled: false, direction: "Inbound" });
  // pause -> New-ADSyncRule -> resume, in that order, and the scheduler runs again.
  const journal = lab.operations();
  const pause = journal.indexOf('setSchedulerSyncCycleEnabled({"enabled":false})');
  const add = journal.findIndex((op) => op.startsWith("newSyncRule("));
  const resume = journal.indexOf('setSchedulerSyncCycleEnabled({"enabled":true})');
  expect([pause >= 0, pause < add, add < resume]).toEqual([true, true, true]);
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await readState(lab.stateFile)).servers[0]!.syncWindow ?? null).toBeNull();
  expect(await lab.call("getScheduler")).toMatchObject({ nextSyncCyclePolicyType: "Initial" });
  expect(progress.lines.join("\n")).toContain("the next sync cycle runs as Initial");
  // The scheduler's next cycle (30 minutes on) runs as Initial, as Microsoft documents for a new rule.
  await withState(lab.stateFile, (tx) => advance(tx, 31 * 60 + 120));
  expect((await readState(lab.stateFile)).servers[0]!.lastCycle).toMatchObject({ policyType: "Initial" });

  // Converged: read and diff find nothing to do.
  const read = await provider.read(created.id, created.outs);
  expect(await provider.diff(created.id, read.props, inputs)).toMatchObject({ changes: false });
});

test("a rule removed by hand reads as gone; one changed by hand is a change that update repairs", async () => {
  const inputs = await checked(deleteRuleInputs());
  const created = await provider.create(inputs);
  await lab.call("setSyncRuleDisabled", { identifier: DELETE_RULE_IDENTIFIER, disabled: true });
  const changed = await provider.read(created.id, created.outs);
  expect(changed.props).toMatchObject({ disabled: true });
  expect(await provider.diff(created.id, changed.props, inputs)).toMatchObject({
    changes: true,
    replaces: [],
  });
  await provider.update(created.id, changed.props, inputs);
  expect((await rules()).find((each) => each.name === DELETE_RULE_NAME)).toMatchObject({ disabled: false });

  await lab.call("removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER });
  expect(await provider.read(created.id, created.outs)).toEqual({ id: "" });
  // The engine then creates it again.
  await provider.create(inputs);
  expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(true);
});

test("a precedence another rule holds is refused before the scheduler is paused, naming the lowest free one", async () => {
  await lab.call("newSyncRule", {
    ...deleteOutOfScopeGroupsRule(0),
    identifier: "11111111-2222-4333-8444-555555555555",
    name: "In from AAD - someone else's rule",
  });
  const message = await rejection(provider.create(await checked(deleteRuleInputs(0))));
  expect(message).toContain('(CONNECT01) by "In from AAD - someone else\'s rule"');
  expect(message).toContain("the lowest free is 1");
  expect(ops("setSchedulerSyncCycleEnabled")).toEqual([]);
  expect(ops("newSyncRule")).toEqual([]);
  // Following the advice works.
  await provider.create(await checked(deleteRuleInputs(1)));
  expect((await rules()).find((each) => each.name === DELETE_RULE_NAME)).toMatchObject({ precedence: 1 });
});

test("a precedence outside 0-99 is refused by check", async () => {
  const result = await provider.check({}, versioned(deleteRuleInputs(100)));
  expect(result.failures).toEqual([
    { property: "definition.precedence", reason: expect.stringContaining("from 0 to 99") },
  ]);
});

test("the rule already on the server as declared is adopted without a pause window", async () => {
  await lab.call("newSyncRule", deleteOutOfScopeGroupsRule(50));
  const created = await provider.create(await checked(deleteRuleInputs()));
  expect(created.outs).toMatchObject({ adopted: true });
  expect(ops("setSchedulerSyncCycleEnabled")).toEqual([]);
});

test("another identifier is another rule: a replacement", async () => {
  const inputs = await checked(deleteRuleInputs());
  const created = await provider.create(inputs);
  const other = await checked(
    deleteRuleInputs(50, {
      definition: { ...(inputs.definition as object), identifier: "11111111-2222-4333-8444-555555555555" },
    }),
  );
  expect(await provider.diff(created.id, created.outs, other)).toMatchObject({
    changes: true,
    replaces: ["definition"],
  });
  // The same identifier in upper case is the same rule.
  const upper = await checked(
    deleteRuleInputs(50, {
      definition: { ...(inputs.definition as object), identifier: DELETE_RULE_IDENTIFIER.toUpperCase() },
    }),
  );
  expect(await provider.diff(created.id, created.outs, upper)).toMatchObject({ changes: false });
});

test("destroy keeps a custom rule and says so; onDelete revert removes it inside a pause window", async () => {
  const created = await provider.create(await checked(deleteRuleInputs()));
  await provider.delete(created.id, created.outs);
  expect(progress.lines.join("\n")).toContain(
    `(CONNECT01) (onDelete: retain). To remove it on destroy, declare onDelete: revert`,
  );
  expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(true);
  // Following the advice: onDelete revert, then destroy.
  const revert = await provider.update(
    created.id,
    created.outs,
    await checked(deleteRuleInputs(50, { onDelete: "revert" })),
  );
  const before = ops("setSchedulerSyncCycleEnabled").length;
  await provider.delete(created.id, revert.outs!);
  expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(false);
  expect(ops("setSchedulerSyncCycleEnabled").length).toBe(before + 2);
  expect(await lab.syncCycleEnabled()).toBe(true);
});

/** What the admin does in the wizard: group writeback on, with the OU (which must exist). */
async function wizardStep(): Promise<void> {
  await lab.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: parentDn(lab.ou) });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
}

describe("an existing rule by name (the member limit)", () => {
  const memberLimit = (extra: object = {}) => ({
    target: lab.target,
    name: OUT_TO_AD_MEMBER_LIMIT,
    disabled: true,
    stack: "entra-writeback/unit",
    ...extra,
  });

  test("before group writeback is enabled it does not exist: refused, saying to do the wizard step", async () => {
    const message = await rejection(provider.create(await checked(memberLimit())));
    expect(message).toContain(`there is no synchronization rule named "${OUT_TO_AD_MEMBER_LIMIT}" on `);
    expect(message).toContain("when group writeback is enabled in the wizard");
    expect(ops("setSchedulerSyncCycleEnabled")).toEqual([]);
    // Following the advice: the wizard step, then again.
    await wizardStep();
    const created = await provider.create(await checked(memberLimit()));
    expect(created.outs).toMatchObject({ disabled: true, previousDisabled: false });
  });

  test("disabled in a pause window (a hyphen for Microsoft's en dash finds it); drift, retain and revert", async () => {
    await wizardStep();
    const inputs = await checked(memberLimit({ name: "Out to AD - Group Writeback Member Limit" }));
    const created = await provider.create(inputs);
    expect(created.outs).toMatchObject({ previousDisabled: false, fullSyncPending: true });
    expect((await rules()).find((each) => each.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({
      disabled: true,
    });
    expect(ops("setSchedulerSyncCycleEnabled")).toHaveLength(2);

    await lab.call("setSyncRuleDisabled", { identifier: created.id, disabled: false });
    const drifted = await provider.read(created.id, created.outs);
    expect(await provider.diff(created.id, drifted.props, inputs)).toMatchObject({ changes: true });
    const repaired = await provider.update(created.id, drifted.props, inputs);
    expect(repaired.outs).toMatchObject({ disabled: true, previousDisabled: false });

    await provider.delete(created.id, repaired.outs!);
    expect(progress.lines.join("\n")).toContain("(onDelete: retain)");
    expect((await rules()).find((each) => each.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({
      disabled: true,
    });
    await provider.delete(created.id, { ...repaired.outs!, onDelete: "revert" });
    expect((await rules()).find((each) => each.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({
      disabled: false,
    });
  });
});

test("npm run drift names the rule's drifted key, and a definition stored in another key order is no drift", async () => {
  const inputs = await checked(deleteRuleInputs());
  const created = await provider.create(inputs);
  const converged = await provider.read(created.id, created.outs);
  const reordered = Object.fromEntries(Object.entries(inputs.definition as object).reverse());
  expect(explainDrift("SyncRule", converged.props, { ...inputs, definition: reordered })).toEqual([]);
  await lab.call("setSyncRuleDisabled", { identifier: DELETE_RULE_IDENTIFIER, disabled: true });
  const drifted = await provider.read(created.id, created.outs);
  expect(explainDrift("SyncRule", drifted.props, inputs)).toEqual([
    { property: "disabled", live: true, declared: false },
  ]);
});

test("a deployment that died inside its window: the next create takes the window over, makes the rule, resumes", async () => {
  // What an interrupted run leaves: this stack's marker open and the scheduler paused, the rule not made yet.
  await lab.call("openSyncWindow", {
    owner: "entra-writeback/unit",
    change: 'creating synchronization rule "x"',
    initialCycle: false,
    leaseSeconds: 3600,
  });
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  await provider.create(await checked(deleteRuleInputs()));
  expect(progress.lines.join("\n")).toContain(
    "took over the pause window that an interrupted deployment of this stack (entra-writeback/unit) left open",
  );
  expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(true);
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await readState(lab.stateFile)).servers[0]!.syncWindow ?? null).toBeNull();
});

test("the held field decides: this stack's window with held false is a one-change window an interrupted run left, even with the older text mark in its change: taken over and finished", async () => {
  await lab.call("openSyncWindow", {
    owner: "entra-writeback/unit",
    change: `${MIGRATION_WINDOW_CHANGE} (held across steps)`,
    initialCycle: false,
    held: false,
    leaseSeconds: 3600,
  });
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  await provider.create(await checked(deleteRuleInputs()));
  expect(progress.lines.join("\n")).toContain(
    "took over the pause window that an interrupted deployment of this stack (entra-writeback/unit) left open",
  );
  expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(true);
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect((await readState(lab.stateFile)).servers[0]!.syncWindow ?? null).toBeNull();
});

// What the migration to Cloud Sync leaves between its steps: this stack's held window, the scheduler off. The marker
// says it is held in its `held` field; a marker written before that field (a server mid-migration across an upgrade)
// said so at the end of its `change`, and still counts.
describe.each([
  ["the held field", { change: MIGRATION_WINDOW_CHANGE, held: true }],
  ["an older marker: the change's text mark", { change: `${MIGRATION_WINDOW_CHANGE} (held across steps)` }],
])("inside a window the stack already holds (nested), marked by %s", (_form, marker) => {
  // How messages name it, whichever form the marker has.
  const migrationWindow = `${MIGRATION_WINDOW_CHANGE} (held across steps)`;
  /** Opens `owner`'s window in this form; the older one as an older version left it on the server (no `held`). */
  const openMarker = async (owner: string) => {
    await lab.call("openSyncWindow", { owner, ...marker, initialCycle: false, leaseSeconds: 3600 });
    await withState(lab.stateFile, (tx) => {
      const window = tx.state.servers[0]!.syncWindow!;
      if (!("held" in marker)) delete window.held;
    });
    expect((await readState(lab.stateFile)).servers[0]!.syncWindow?.held).toBe(
      "held" in marker ? true : undefined,
    );
  };
  const resumes = () => ops("setSchedulerSyncCycleEnabled").filter((op) => op.includes('"enabled":true'));
  const windowNow = async () => (await readState(lab.stateFile)).servers[0]!.syncWindow ?? null;

  test("this stack's held window: the rule is made within it, the scheduler stays off and the window open; outside it, the rule's own window resumes the scheduler", async () => {
    await openMarker("entra-writeback/unit");
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
    const outer = await windowNow();
    const resumedBefore = resumes().length;
    const inputs = await checked(deleteRuleInputs());
    const created = await provider.create(inputs);
    expect((await rules()).find((each) => each.name === DELETE_RULE_NAME)).toMatchObject({ precedence: 50 });
    expect(await lab.syncCycleEnabled()).toBe(false);
    expect(await windowNow()).toEqual(outer);
    expect(resumes().length).toBe(resumedBefore);
    expect(progress.lines.join("\n")).toContain(
      `inside this stack's window on simulator ${lab.stateFile} (CONNECT01) (opened ${outer!.openedAtUtc} for ${migrationWindow}): the sync ` +
        "scheduler stays off and the window open",
    );
    expect(created.outs).toMatchObject({ fullSyncPending: true });

    // The holder ends its window (the migration's last step); the next change opens its own and resumes.
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: true });
    await lab.call("closeSyncWindow", { owner: "entra-writeback/unit" });
    const resumedAfterHolder = resumes().length;
    const pauses = () => ops("setSchedulerSyncCycleEnabled").filter((op) => op.includes('"enabled":false'));
    const pausedAfterHolder = pauses().length;
    await provider.update(created.id, created.outs, await checked(deleteRuleInputs(50, { disabled: true })));
    expect((await rules()).find((each) => each.name === DELETE_RULE_NAME)).toMatchObject({ disabled: true });
    expect(pauses().length).toBe(pausedAfterHolder + 1);
    expect(resumes().length).toBe(resumedAfterHolder + 1);
    expect(await lab.syncCycleEnabled()).toBe(true);
    expect(await windowNow()).toBeNull();
  });

  test("another stack's held window is refused as any window of another stack: nothing changes", async () => {
    await openMarker("other/stack");
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
    const refused = await rejection(provider.create(await checked(deleteRuleInputs())));
    expect(refused).toContain(
      `another stack, other/stack, has the sync scheduler on simulator ${lab.stateFile} (CONNECT01) paused for ${migrationWindow}`,
    );
    expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(false);
    expect(await lab.syncCycleEnabled()).toBe(false);
    expect((await windowNow())?.owner).toBe("other/stack");
    // Once that stack has finished, the same create makes the rule (the filter above can match).
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: true });
    await lab.call("closeSyncWindow", { owner: "other/stack" });
    await provider.create(await checked(deleteRuleInputs()));
    expect((await rules()).some((each) => each.name === DELETE_RULE_NAME)).toBe(true);
    expect(await lab.syncCycleEnabled()).toBe(true);
  });
});

describe("connectors by role", () => {
  // An outbound rule in the shape of Microsoft's migration step (Cloud Sync): JoinNoFlow on the AD connector.
  const outbound = (connector: string) => ({
    target: lab.target,
    name: "Out to AD - Group SOAInAAD - cloudNoFlow",
    stack: "entra-writeback/unit",
    definition: {
      identifier: "2f8c1d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
      direction: "Outbound",
      connector,
      sourceObjectType: "group",
      targetObjectType: "group",
      linkType: "JoinNoFlow",
      precedence: 60,
      scopeFilter: [[{ attribute: "cloudNoFlow", value: "True", operator: "EQUAL" }]],
    },
  });

  test("ActiveDirectory: refused while no rule of Connect's names the AD connector; resolved once one does", async () => {
    const message = await rejection(provider.create(await checked(outbound("ActiveDirectory"))));
    expect(message).toContain('connector "ActiveDirectory": none of the rules Entra Connect ships on');
    expect(message).toContain("declare the connector's identifier instead");
    expect(ops("setSchedulerSyncCycleEnabled")).toEqual([]);
    // Following the advice: the identifier, as Get-ADSyncConnector lists it.
    const byId = await provider.create(await checked(outbound(SIMULATED_AD_CONNECTOR_ID)));
    expect((await rules()).find((each) => each.identifier === byId.id)).toMatchObject({
      connector: SIMULATED_AD_CONNECTOR_ID,
    });
  });

  test("ActiveDirectory once group writeback is on; EntraID always; the alias is no drift", async () => {
    await wizardStep();
    const inputs = await checked(outbound("ActiveDirectory"));
    const created = await provider.create(inputs);
    expect((await rules()).find((each) => each.identifier === created.id)).toMatchObject({
      connector: SIMULATED_AD_CONNECTOR_ID,
      linkType: "JoinNoFlow",
    });
    const read = await provider.read(created.id, created.outs);
    expect(await provider.diff(created.id, read.props, inputs)).toMatchObject({ changes: false });
    expect(explainDrift("SyncRule", read.props, inputs)).toEqual([]);

    const { name, disabled, ...definition } = deleteOutOfScopeGroupsRule(50);
    const entra = await checked({
      target: lab.target,
      name,
      disabled,
      definition: { ...definition, connector: "EntraID" },
    });
    const made = await provider.create(entra);
    expect((await rules()).find((each) => each.identifier === made.id)).toMatchObject({
      connector: ENTRA_ID_CONNECTOR_ID,
    });
  });
});
