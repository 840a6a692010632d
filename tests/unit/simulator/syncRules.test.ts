// Sync rules on the simulated Connect server: the built-in group rules, Microsoft's custom delete rule and its effect
// on the next cycle (both directions), precedence refusal, and the full-sync flag a rule change sets.
import { runAction, updateCloudGroup, wizardEnableGroupWriteback } from "../../../simulator";
import { isOperationError } from "../../../contract/errors";
import {
  DELETE_RULE_IDENTIFIER,
  DELETE_RULE_NAME,
  deleteOutOfScopeGroupsRule,
  IN_FROM_AAD_GROUP_SOA_IN_AAD,
  OUT_TO_AD_GROUP_SOA_IN_AAD,
  OUT_TO_AD_MEMBER_LIMIT,
} from "../../../domain/groupWritebackRules";
import { newSim, prepareOu, type Sim, waitForIdle } from "./testSupport";

let sim: Sim;
afterEach(async () => sim.cleanup());

async function ruleNames(): Promise<string[]> {
  return (await sim.client.call("getSyncRules", {})).rules.map((rule) => rule.name);
}

async function nextPolicy(): Promise<string> {
  return (await sim.client.call("getScheduler", {})).nextSyncCyclePolicyType;
}

async function syncAndWait(): Promise<void> {
  await sim.client.call("startSyncCycle", { policyType: "Delta" });
  await waitForIdle(sim);
}

async function writtenBackIds(): Promise<Set<string>> {
  const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
  return new Set(groups.map((group) => group.cloudObjectId));
}

async function change(objectId: string, update: Parameters<typeof updateCloudGroup>[2]): Promise<void> {
  await runAction(sim.file, "test.change", update, {}, (tx) => updateCloudGroup(tx, objectId, update));
}

/** v2 then v1 (the documented order), every Microsoft 365 group written back; two of them in hand. */
async function writebackWithTwoGroups(): Promise<[string, string]> {
  sim = await newSim({ m365: 4, m365OptedOut: 0, security: 1, securityEnabled: 0 });
  await prepareOu(sim);
  await sim.client.call("setGroupWritebackV2", { enabled: true });
  await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
  await waitForIdle(sim);
  const [first, second] = (await sim.state()).tenant.groups.filter((group) => group.type === "m365");
  const ids: [string, string] = [first?.objectId ?? "", second?.objectId ?? ""];
  const written = await writtenBackIds();
  expect(written.has(ids[0]) && written.has(ids[1])).toBe(true);
  return ids;
}

describe("the built-in rules", () => {
  it("a new server has the inbound group rule; enabling group writeback adds the two outbound writeback rules", async () => {
    sim = await newSim();
    expect(await ruleNames()).toEqual([IN_FROM_AAD_GROUP_SOA_IN_AAD]);
    await prepareOu(sim);
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
    const { rules } = await sim.client.call("getSyncRules", {});
    expect(rules.map((rule) => [rule.name, rule.disabled])).toEqual([
      [IN_FROM_AAD_GROUP_SOA_IN_AAD, false],
      [OUT_TO_AD_GROUP_SOA_IN_AAD, false],
      [OUT_TO_AD_MEMBER_LIMIT, false],
    ]);
    expect(rules.every((rule) => rule.precedence >= 100 && rule.immutableTag !== null)).toBe(true);
  });
});

describe("the custom delete rule (Modify group writeback default behavior)", () => {
  it("without it an opted-out or soft-deleted group stays in AD; with it the next cycle deletes both", async () => {
    const [optedOut, softDeleted] = await writebackWithTwoGroups();
    await change(optedOut, { writeback: false });
    await change(softDeleted, { deleted: "soft" });

    // Without the rule (today's behaviour): both stay.
    await syncAndWait();
    let written = await writtenBackIds();
    expect(written.has(optedOut)).toBe(true);
    expect(written.has(softDeleted)).toBe(true);

    // With it: the same cycle deletes both, and only them.
    const before = written.size;
    const created = await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(50));
    expect(created).toMatchObject({ name: DELETE_RULE_NAME, precedence: 50, immutableTag: null });
    await syncAndWait();
    written = await writtenBackIds();
    expect(written.has(optedOut)).toBe(false);
    expect(written.has(softDeleted)).toBe(false);
    expect(written.size).toBe(before - 2);
  });

  it("disabled, or removed again, it deletes nothing", async () => {
    const [optedOut] = await writebackWithTwoGroups();
    await sim.client.call("newSyncRule", { ...deleteOutOfScopeGroupsRule(50), disabled: true });
    await change(optedOut, { writeback: false });
    await syncAndWait();
    expect((await writtenBackIds()).has(optedOut)).toBe(true);

    await sim.client.call("setSyncRuleDisabled", { identifier: DELETE_RULE_IDENTIFIER, disabled: false });
    expect(await sim.client.call("removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER })).toEqual({
      removed: true,
    });
    await syncAndWait();
    expect((await writtenBackIds()).has(optedOut)).toBe(true);
    expect(await ruleNames()).not.toContain(DELETE_RULE_NAME);
  });
});

describe("precedence and the full-sync flag", () => {
  it("refuses a precedence another rule has, and the advised free one works", async () => {
    sim = await newSim();
    await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(0));
    const refusal = await sim.client
      .call("newSyncRule", {
        ...deleteOutOfScopeGroupsRule(0),
        identifier: "11111111-2222-4333-8444-555555555555",
        name: "In from AAD - Custom",
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isOperationError(refusal, "Refused")).toBe(true);
    expect((refusal as Error).message).toBe(
      'Precedence 0 is already taken on CONNECT01 by "In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete"; a sync rule precedence must be unique: choose a free one (the lowest free is 1).',
    );
    // Following the advice works.
    await sim.client.call("newSyncRule", {
      ...deleteOutOfScopeGroupsRule(1),
      identifier: "11111111-2222-4333-8444-555555555555",
      name: "In from AAD - Custom",
    });
    expect((await sim.client.call("getSyncRules", {})).rules.map((rule) => rule.precedence)).toEqual([
      0, 1, 115,
    ]);
  });

  it("refuses a precedence of 100 or more before anything changes", async () => {
    sim = await newSim();
    const refusal = await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(100)).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(refusal?.message).toContain("a custom sync rule takes a precedence from 0 to 99");
    expect(await ruleNames()).toEqual([IN_FROM_AAD_GROUP_SOA_IN_AAD]);
  });

  it("creating, disabling and removing a rule each make the next cycle Initial; the cycle clears it", async () => {
    const [optedOut] = await writebackWithTwoGroups();
    expect(optedOut).not.toBe("");
    expect(await nextPolicy()).toBe("Delta");
    await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(50));
    expect(await nextPolicy()).toBe("Initial");
    await syncAndWait();
    expect((await sim.state()).servers[0]?.lastCycle?.policyType).toBe("Initial");
    expect(await nextPolicy()).toBe("Delta");

    const limit = (await sim.client.call("getSyncRules", {})).rules.find(
      (rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT,
    );
    const disabled = await sim.client.call("setSyncRuleDisabled", {
      identifier: limit?.identifier ?? "",
      disabled: true,
    });
    expect(disabled.disabled).toBe(true);
    expect(await nextPolicy()).toBe("Initial");
    await syncAndWait();
    // Asking for the state it already has changes nothing, and flags nothing.
    await sim.client.call("setSyncRuleDisabled", { identifier: limit?.identifier ?? "", disabled: true });
    expect(await nextPolicy()).toBe("Delta");

    await sim.client.call("removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER });
    expect(await nextPolicy()).toBe("Initial");
  });

  it("refuses to remove a rule Connect ships (disable it instead), and changes during a cycle", async () => {
    const [optedOut] = await writebackWithTwoGroups();
    expect(optedOut).not.toBe("");
    const limit = (await sim.client.call("getSyncRules", {})).rules.find(
      (rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT,
    );
    const refusal = await sim.client.call("removeSyncRule", { identifier: limit?.identifier ?? "" }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(isOperationError(refusal, "Refused")).toBe(true);
    expect(refusal?.message).toContain("Disable it instead");
    await sim.client.call("startSyncCycle", { policyType: "Delta" });
    const busy = await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(50)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isOperationError(busy, "SyncBusy")).toBe(true);
    await waitForIdle(sim);
    await sim.client.call("newSyncRule", deleteOutOfScopeGroupsRule(50));
    expect(await ruleNames()).toContain(DELETE_RULE_NAME);
  });
});
