import {
  type AdObject,
  type CloudGroup,
  dnKey,
  runAction,
  updateCloudGroup,
  wizardDisableGroupWriteback,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
  withState,
  advance,
  addServer,
} from "../../../simulator";
import { objectIndex } from "../../../simulator/lazyState";
import { cloudAnchor } from "../../../simulator/writebackRules";
import { newSim, prepareOu, type Sim, waitForIdle } from "./testSupport";

let sim: Sim;
afterEach(async () => sim.cleanup());

async function cloudGroups(): Promise<CloudGroup[]> {
  return (await sim.state()).tenant.groups;
}

async function writtenBack(): Promise<Map<string, { dn: string; groupCategory: string }>> {
  const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
  return new Map(groups.map((group) => [group.cloudObjectId, group]));
}

async function enableV1(options: { displayNameDn?: boolean } = {}): Promise<void> {
  await wizardEnableGroupWriteback(sim.file, { ou: sim.ou, ...options });
  await waitForIdle(sim);
}

async function syncAndWait(): Promise<void> {
  await sim.client.call("startSyncCycle", { policyType: "Delta" });
  await waitForIdle(sim);
}

describe("enabling group writeback (v1) in the wizard", () => {
  it("with v2 off, the wizard's Initial cycle writes back every M365 group as distribution and no security group", async () => {
    sim = await newSim({ m365: 9, m365OptedOut: 3, security: 3, securityEnabled: 2 });
    await prepareOu(sim);
    await enableV1();
    const groups = await cloudGroups();
    const written = await writtenBack();
    const m365 = groups.filter((group) => group.type === "m365");
    expect(written.size).toBe(m365.length);
    for (const group of m365) {
      expect(written.get(group.objectId)).toMatchObject({
        dn: `CN=Group_${group.objectId},${sim.ou}`,
        groupCategory: "Distribution",
      });
    }
    const events = sim
      .journal()
      .filter((entry) => entry.kind === "event")
      .map((entry) => entry.kind === "event" && entry.event);
    expect(events).toEqual(expect.arrayContaining(["cycle-started", "groups-exported", "cycle-completed"]));
  });

  it("with v2 on first, honours isEnabled and writes back enabled security groups as security", async () => {
    sim = await newSim({ m365: 9, m365OptedOut: 3, security: 4, securityEnabled: 2 });
    await prepareOu(sim);
    await sim.client.call("setGroupWritebackV2", { enabled: true });
    await enableV1();
    const groups = await cloudGroups();
    const written = await writtenBack();
    const expected = groups.filter((group) =>
      group.type === "m365" ? group.writebackEnabled !== false : group.writebackEnabled === true,
    );
    expect([...written.keys()].sort()).toEqual(expected.map((group) => group.objectId).sort());
    for (const group of expected) {
      const category =
        group.type === "security" ||
        (group.onPremisesGroupType ?? "universalDistributionGroup") !== "universalDistributionGroup"
          ? "Security"
          : "Distribution";
      expect(written.get(group.objectId)?.groupCategory).toBe(category);
    }
  });

  it("with the display-name option, names groups <display name>_<last 12 of objectId>, escaped", async () => {
    sim = await newSim({ m365: 4, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await enableV1({ displayNameDn: true });
    const groups = await cloudGroups();
    const finance = groups.find((group) => group.displayName.startsWith("Finance, Legal"));
    expect(finance).toBeDefined();
    expect((await writtenBack()).get(finance?.objectId ?? "")?.dn).toBe(
      `CN=Finance\\, Legal & Compliance_${finance?.objectId.slice(-12)},${sim.ou}`,
    );
    const long = groups.find((group) => group.displayName.length > 51);
    expect((await writtenBack()).get(long?.objectId ?? "")?.dn).toBe(
      `CN=${long?.displayName.slice(0, 51)}_${long?.objectId.slice(-12)},${sim.ou}`,
    );
  });
});

describe("transitions of written-back groups", () => {
  beforeEach(async () => {
    sim = await newSim({ m365: 4, m365OptedOut: 0, security: 2, securityEnabled: 1 });
    await prepareOu(sim);
    await sim.client.call("setGroupWritebackV2", { enabled: true });
    await enableV1();
  });

  async function change(objectId: string, update: Parameters<typeof updateCloudGroup>[2]): Promise<void> {
    await runAction(sim.file, "test.change", update, {}, (tx) => updateCloudGroup(tx, objectId, update));
  }

  it("v2: a group whose writeback became false, or that is soft-deleted, stays in AD untouched", async () => {
    const [first, second] = (await cloudGroups()).filter((group) => group.type === "m365");
    await change(first?.objectId ?? "", { writeback: false, displayName: "Renamed while opted out" });
    await change(second?.objectId ?? "", { deleted: "soft" });
    await syncAndWait();
    const written = await writtenBack();
    expect(written.has(first?.objectId ?? "")).toBe(true);
    expect(written.has(second?.objectId ?? "")).toBe(true);
    const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
    expect(groups.find((group) => group.cloudObjectId === first?.objectId)?.displayName).toBe(
      first?.displayName,
    );
  });

  it("v2: a hard-deleted group is deleted in AD", async () => {
    const [first] = (await cloudGroups()).filter((group) => group.type === "m365");
    await change(first?.objectId ?? "", { deleted: "hard" });
    await syncAndWait();
    expect((await writtenBack()).has(first?.objectId ?? "")).toBe(false);
    expect(sim.journal().some((entry) => entry.kind === "event" && entry.event === "groups-deleted")).toBe(
      true,
    );
  });

  it("a renamed group is updated in place", async () => {
    const [first] = (await cloudGroups()).filter((group) => group.type === "m365");
    await change(first?.objectId ?? "", { displayName: "New name" });
    await syncAndWait();
    const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
    expect(groups.find((group) => group.cloudObjectId === first?.objectId)?.displayName).toBe("New name");
    expect((await sim.state()).servers[0]?.lastCycle).toMatchObject({ added: 0, updated: 1, deleted: 0 });
  });

  it("disabling v2 (irreversible) writes back every M365 group and deletes v2-only security groups", async () => {
    const groups = await cloudGroups();
    const optedOut = groups.find((group) => group.type === "m365") as CloudGroup;
    await change(optedOut.objectId, { writeback: false });
    await sim.client.call("setGroupWritebackV2", { enabled: false });
    await syncAndWait();
    const written = await writtenBack();
    expect(written.has(optedOut.objectId)).toBe(true);
    expect(
      groups.filter((group) => group.type === "security").some((group) => written.has(group.objectId)),
    ).toBe(false);
    expect(written.size).toBe(groups.filter((group) => group.type === "m365").length);
  });

  it("disabling v1 in the wizard deletes every written-back group on the next cycle", async () => {
    expect((await writtenBack()).size).toBeGreaterThan(0);
    await wizardDisableGroupWriteback(sim.file);
    expect((await sim.client.call("getScheduler", {})).nextSyncCyclePolicyType).toBe("Initial");
    expect((await writtenBack()).size).toBeGreaterThan(0);
    await syncAndWait();
    expect((await writtenBack()).size).toBe(0);
    const config = await sim.client.call("getGroupWritebackV1Config", {});
    expect(config).toEqual({
      unifiedGroupWriteback: false,
      optionalFeatureGroupWriteBack: false,
      containerDn: null,
      displayNameDn: false,
    });
  });

  it("a new OU after disable and enable moves the groups: delete the old, create the new", async () => {
    const before = await writtenBack();
    await sim.client.call("newOrganizationalUnit", { name: "Second", parentDn: sim.ouParent });
    const second = `OU=Second,${sim.ouParent}`;
    await sim.client.call("grantWritebackAccess", { dn: second, accountDn: sim.account });
    await wizardDisableGroupWriteback(sim.file);
    await wizardEnableGroupWriteback(sim.file, { ou: second });
    await waitForIdle(sim);
    expect((await writtenBack()).size).toBe(0);
    const { groups } = await sim.client.call("listWrittenBackGroups", { dn: second });
    expect(groups.map((group) => group.cloudObjectId).sort()).toEqual([...before.keys()].sort());
    expect((await sim.state()).servers[0]?.lastCycle).toMatchObject({
      added: before.size,
      deleted: before.size,
    });
  });
});

describe("a cycle applies its changes as they stream", () => {
  beforeEach(async () => {
    sim = await newSim({ m365: 3, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await enableV1();
  });

  it("an add whose name a later delete frees waits for the delete, as when every delete goes first", async () => {
    const [first] = (await cloudGroups()).filter((group) => group.type === "m365");
    const objectId = first?.objectId ?? "";
    const key = dnKey(`CN=Group_${objectId},${sim.ou}`);
    // The group's object is replaced by one anchored to a cloud group that does not exist: the cycle adds the
    // group, and deletes the stray object only after every cloud group (the last changes of the stream).
    const stray = "00000000-0000-4000-8000-000000000000";
    await withState(sim.file, (tx) => {
      const object = tx.state.domain.objects[key];
      if (object?.objectClass !== "group") throw new Error("the group was not written back");
      tx.state.domain.objects[key] = { ...object, adminDescription: cloudAnchor(stray) };
    });
    expect((await writtenBack()).has(objectId)).toBe(false);
    expect((await writtenBack()).has(stray)).toBe(true);

    await syncAndWait();
    const written = await writtenBack();
    expect(written.get(objectId)?.dn).toBe(`CN=Group_${objectId},${sim.ou}`);
    expect(written.has(stray)).toBe(false);
    const server = (await sim.state()).servers[0];
    expect(server?.lastCycle).toMatchObject({ added: 1, updated: 0, deleted: 1, exportErrors: 0 });
    expect(server?.exportErrors).toEqual([]);
  });

  it("an add whose name stays taken fails with object-already-exists", async () => {
    const [first] = (await cloudGroups()).filter((group) => group.type === "m365");
    const objectId = first?.objectId ?? "";
    const key = dnKey(`CN=Group_${objectId},${sim.ou}`);
    // Someone's own group (no cloud anchor) now holds the name.
    await withState(sim.file, (tx) => {
      const object = tx.state.domain.objects[key];
      if (object?.objectClass !== "group") throw new Error("the group was not written back");
      tx.state.domain.objects[key] = { ...object, adminDescription: null };
    });
    await syncAndWait();
    const server = (await sim.state()).servers[0];
    expect(server?.exportErrors.map((error) => `${error.modification} ${error.errorType}`)).toEqual([
      "add object-already-exists",
    ]);
    expect(server?.lastCycle).toMatchObject({ added: 0, deleted: 0, exportErrors: 1 });
  });

  it("objects flushed to the database within a transaction read back, and a rollback undoes them", async () => {
    const keyOf = (name: string) => dnKey(`CN=${name},${sim.ou}`);
    const group = (name: string): Extract<AdObject, { objectClass: "group" }> => ({
      objectClass: "group",
      dn: `CN=${name},${sim.ou}`,
      aces: [],
      displayName: name,
      groupCategory: "Distribution",
      groupScope: "Universal",
      adminDescription: null,
    });
    await withState(sim.file, (tx) => {
      const objects = tx.state.domain.objects;
      objects[keyOf("Kept")] = group("Kept");
      objects[keyOf("Gone")] = group("Gone");
      objectIndex(objects)?.flush();
      expect(objects[keyOf("Kept")]).toEqual(group("Kept")); // read back from its row
      delete objects[keyOf("Gone")];
      objectIndex(objects)?.flush();
      expect(objects[keyOf("Gone")]).toBeUndefined();
      objects[keyOf("Kept")] = { ...group("Kept"), displayName: "Changed after the flush" };
    });
    const objects = (await sim.state()).domain.objects;
    expect(objects[keyOf("Kept")]).toMatchObject({ displayName: "Changed after the flush" });
    expect(objects[keyOf("Gone")]).toBeUndefined();

    await expect(
      withState(sim.file, (tx) => {
        tx.state.domain.objects[keyOf("Rolled back")] = group("Rolled back");
        objectIndex(tx.state.domain.objects)?.flush();
        expect(tx.state.domain.objects[keyOf("Rolled back")]).toBeDefined(); // the filter below can see it
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect((await sim.state()).domain.objects[keyOf("Rolled back")]).toBeUndefined();
  });
});

describe("staging mode", () => {
  it("exports nothing and records adds, updates and deletes as pending exports", async () => {
    sim = await newSim({ m365: 3, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await wizardSetStagingMode(sim.file, true);
    await enableV1();
    expect((await writtenBack()).size).toBe(0);
    const { exports } = await sim.client.call("listPendingExports", { dn: sim.ou });
    const groups = await cloudGroups();
    expect(exports).toHaveLength(3);
    expect(exports.every((pending) => pending.modification === "add" && pending.objectType === "group")).toBe(
      true,
    );
    expect(exports.map((pending) => pending.cloudObjectId).sort()).toEqual(
      groups.map((group) => group.objectId).sort(),
    );
    expect(
      (await sim.client.call("listPendingExports", { dn: "OU=Excluded,DC=contoso,DC=com" })).exports,
    ).toEqual([]);

    await wizardSetStagingMode(sim.file, false);
    await syncAndWait();
    expect((await writtenBack()).size).toBe(3);
    expect((await sim.client.call("listPendingExports", { dn: sim.ou })).exports).toEqual([]);

    await wizardSetStagingMode(sim.file, true);
    await runAction(sim.file, "test", {}, {}, (tx) =>
      updateCloudGroup(tx, groups[0]?.objectId ?? "", { displayName: "Changed" }),
    );
    await wizardDisableGroupWriteback(sim.file);
    await syncAndWait();
    const modifications = (await sim.client.call("listPendingExports", { dn: sim.ou })).exports.map(
      (p) => p.modification,
    );
    expect(modifications).toEqual(["delete", "delete", "delete"]);
    expect((await writtenBack()).size).toBe(3);
  });

  it("a second server in staging mode shares the tenant and domain (swing migration)", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await enableV1();
    await withState(sim.file, (tx) => addServer(tx, { name: "CONNECT02", staging: true }));
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou, server: "CONNECT02" });
    await withState(sim.file, (tx) => advance(tx, 60));
    const state = await sim.state();
    const staging = state.servers[1];
    expect(staging?.stagingModeEnabled).toBe(true);
    // The groups are already there, joined by their cloud anchor: nothing to export.
    expect(staging?.pendingExports).toEqual([]);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: false });
    expect((await sim.state()).tenant.scheduler.syncCycleEnabled).toBe(false);
  });
});

describe("export permissions", () => {
  it("records permission-issue export errors without the ACE and recovers after a grant", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await sim.client.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: sim.ouParent });
    await enableV1();
    const server = (await sim.state()).servers[0];
    expect(server?.exportErrors).toHaveLength(2);
    expect(server?.exportErrors[0]).toMatchObject({
      errorType: "permission-issue",
      message: "Insufficient access rights to perform the operation.",
      modification: "add",
    });
    expect((await sim.client.call("listPendingExports", { dn: sim.ou })).exports).toHaveLength(2);
    expect((await writtenBack()).size).toBe(0);
    expect(sim.journal().some((entry) => entry.kind === "event" && entry.event === "export-errors")).toBe(
      true,
    );

    await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: sim.account });
    await syncAndWait();
    expect((await sim.state()).servers[0]?.exportErrors).toEqual([]);
    expect((await writtenBack()).size).toBe(2);
  });

  it("an inherited ACE from the forest-wide cmdlet is enough", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await sim.client.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: sim.ouParent });
    await sim.client.call("setForestWritebackPermissions", { accountDn: sim.account });
    await enableV1();
    expect((await writtenBack()).size).toBe(2);
  });

  it("deletes need the delete rights: revoking the ACE makes them fail and leaves the groups", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await enableV1();
    await sim.client.call("revokeWritebackAccess", { dn: sim.ou, accountDn: sim.account });
    await wizardDisableGroupWriteback(sim.file);
    await syncAndWait();
    expect((await writtenBack()).size).toBe(2);
    const state = await sim.state();
    expect(state.servers[0]?.exportErrors.map((error) => error.modification)).toEqual(["delete", "delete"]);
    expect(state.servers[0]?.groupWriteback.cleanupContainerDn).toBe(sim.ou);
    await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: sim.account });
    await syncAndWait();
    expect((await writtenBack()).size).toBe(0);
    expect((await sim.state()).servers[0]?.groupWriteback.cleanupContainerDn).toBeNull();
  });

  it("a deleted writeback OU gives export errors, not groups elsewhere", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await prepareOu(sim);
    await enableV1();
    await sim.client.call("removeOrganizationalUnit", { dn: sim.ou, recursive: true });
    await syncAndWait();
    const server = (await sim.state()).servers[0];
    expect(server?.exportErrors.map((error) => error.errorType)).toEqual(["no-parent", "no-parent"]);
  });
});

describe("the scheduler", () => {
  it("starts a Delta cycle every 30 minutes while enabled, and none while disabled", async () => {
    sim = await newSim({ m365: 1, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    const started = () =>
      sim
        .journal()
        .filter(
          (entry) =>
            entry.kind === "event" &&
            entry.event === "cycle-started" &&
            entry.details.trigger === "scheduler",
        );
    await sim.client.sleep(29 * 60_000);
    expect(started()).toHaveLength(0);
    await sim.client.sleep(60_000);
    expect(started()).toHaveLength(1);
    expect(await sim.client.call("getScheduler", {})).toMatchObject({
      syncCycleInProgress: true,
      nextSyncCyclePolicyType: "Delta",
      nextSyncCycleStartTimeInUtc: "2025-01-06T09:00:00.000Z",
    });
    await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: false });
    // A running cycle is not stopped by disabling the scheduler.
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
    await sim.client.sleep(2 * 3600_000);
    expect(started()).toHaveLength(1);
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(false);
    await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
    // The slot missed while disabled starts now; no cycle is invented in the past.
    expect(started()).toHaveLength(2);
    expect((await sim.state()).servers[0]?.currentCycle?.startedAt).toBe("2025-01-06T10:30:00.000Z");
  });

  it("does not replay every missed slot after a long jump", async () => {
    sim = await newSim({ m365: 1, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    await sim.client.sleep(7 * 24 * 3600_000);
    const cycles = sim
      .journal()
      .filter((entry) => entry.kind === "event" && entry.event === "cycle-completed");
    expect(cycles.length).toBeLessThanOrEqual(3);
    expect(cycles.length).toBeGreaterThanOrEqual(1);
  });
});
