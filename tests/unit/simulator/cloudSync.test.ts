// The simulated Cloud Sync job cycle against the simulated AD (docs/simulator.md, "The job cycle").
import { DatabaseSync } from "node:sqlite";
import {
  advance,
  type AdObject,
  runAction,
  updateCloudGroup,
  withState,
  wizardEnableGroupWriteback,
} from "../../../simulator";
import {
  type ConfigurationInput,
  controlCloudSyncJob,
  createCloudSyncConfiguration,
  readCloudSync,
  runCloudSyncCycle,
  seedCloudSyncGroups,
  setCloudSyncMapping,
  setCloudSyncScope,
  setProvisioningAgent,
} from "../../../simulator/cloudSync";
import type { AdGroup } from "../../../simulator/model";
import { compileSchema } from "../../../simulator/cloudSync/engine";
import type { SynchronizationSchema } from "../../../simulator/cloudSync/model";

function compileCheck(schema: SynchronizationSchema): string {
  compileSchema(schema);
  return "accepted";
}
import { newSim, prepareOu, type Sim, waitForIdle } from "./testSupport";

let sim: Sim;
afterEach(async () => sim.cleanup());

const ROOT = "DC=contoso,DC=com";
const GROUPS_OU = `OU=Groups,OU=Corp,${ROOT}`;

async function setup(groups: number, configuration: ConfigurationInput = {}, seed = {}) {
  sim = await newSim({ m365: 2, m365OptedOut: 0, security: 1, securityEnabled: 0 });
  const seeded = await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups, ...seed }));
  const ids = await withState(sim.file, (tx) =>
    createCloudSyncConfiguration(tx, {
      assign: seeded.map((group) => group.objectId),
      start: true,
      ...configuration,
    }),
  );
  return { seeded, ...ids };
}

async function cloudSyncGroups(): Promise<AdGroup[]> {
  const state = await sim.state();
  return Object.values(state.domain.objects).filter(
    (object): object is AdGroup => object.objectClass === "group" && !!object.externalDirectoryObjectId,
  );
}

async function cycle() {
  const [report] = await runCloudSyncCycle(sim.file, { client: "test" });
  if (!report) throw new Error("no report");
  return report;
}

async function hardDelete(objectIds: readonly string[]): Promise<void> {
  await runAction(sim.file, "tenant.setGroup", {}, { client: "test" }, (tx) => {
    for (const id of objectIds) updateCloudGroup(tx, id, { deleted: "hard" });
  });
}

describe("the Cloud Sync job cycle", () => {
  it("creates Universal security groups under the mapped OU, named by the cn mapping, with only members that have an AD account", async () => {
    const { seeded } = await setup(
      3,
      { parentDistinguishedName: { constant: GROUPS_OU } },
      { membersPerGroup: 3, onPremisesMembersPerGroup: 2 },
    );
    const report = await cycle();
    expect(report.outcome).toBe("ran");
    expect(report.added).toHaveLength(3);
    const groups = await cloudSyncGroups();
    expect(groups.map((group) => group.dn).sort()).toEqual(
      seeded.map((group) => `CN=${group.displayName}_${group.objectId.slice(-12)},${GROUPS_OU}`).sort(),
    );
    const state = await sim.state();
    const usersByGuid = new Map(
      Object.values(state.domain.objects)
        .filter(
          (object): object is Extract<AdObject, { objectClass: "user" }> => object.objectClass === "user",
        )
        .map((user) => [user.objectGuid, user.dn]),
    );
    const cloudUsers = new Map(state.cloudSync!.users.map((user) => [user.objectId, user]));
    for (const group of seeded) {
      const ad = groups.find((each) => each.externalDirectoryObjectId === `Group_${group.objectId}`)!;
      expect(ad).toMatchObject({
        groupScope: "Universal",
        groupCategory: "Security",
        displayName: group.displayName,
      });
      const expected = group.onPremisesMembers.map((id) =>
        usersByGuid.get(cloudUsers.get(id)!.onPremisesObjectIdentifier!),
      );
      expect([...(ad.members ?? [])].sort()).toEqual(expected.sort());
      expect(group.members).toHaveLength(3);
    }
    const events = sim
      .journal()
      .filter((entry) => entry.kind === "event" && entry.event === "cloudsync-cycle");
    expect(events.at(-1)).toMatchObject({
      server: "cloudsync",
      details: { outcome: "ran", added: 3, trigger: "manual" },
    });
    // A second cycle changes nothing.
    const again = await cycle();
    expect([again.added, again.updated, again.moved, again.deleted]).toEqual([[], [], [], []]);
  });

  it("runs on the 40-minute schedule of the simulated clock once started, and not while paused", async () => {
    const { seeded, servicePrincipalId } = await setup(1);
    await runAction(sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 9));
    expect(await cloudSyncGroups()).toHaveLength(0);
    await runAction(sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 1));
    expect(await cloudSyncGroups()).toHaveLength(1); // the first cycle runs 10 s after start
    await withState(sim.file, (tx) =>
      seedCloudSyncGroups(tx, { groups: 1 }).map((group) => group.objectId),
    ).then((ids) => withState(sim.file, (tx) => setCloudSyncScope(tx, servicePrincipalId, { add: ids })));
    await runAction(sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 39 * 60));
    expect(await cloudSyncGroups()).toHaveLength(1);
    await runAction(sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 60));
    expect(await cloudSyncGroups()).toHaveLength(2);
    await withState(sim.file, (tx) => controlCloudSyncJob(tx, servicePrincipalId, "pause"));
    await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 1, assignTo: servicePrincipalId }));
    await runAction(sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 2 * 3600));
    expect(await cloudSyncGroups()).toHaveLength(2);
    expect(seeded).toHaveLength(1);
  });

  it("updates a group in place: same object and DN with Connect's naming, renamed or moved (same objectGuid) when the mapping says so", async () => {
    const { seeded, servicePrincipalId } = await setup(1, {
      parentDistinguishedName: { constant: GROUPS_OU },
      cn: { expression: 'Append("Group_", [objectId])' },
    });
    await cycle();
    const [first] = await cloudSyncGroups();
    expect(first!.dn).toBe(`CN=Group_${seeded[0]!.objectId},${GROUPS_OU}`);
    await runAction(sim.file, "tenant.setGroup", {}, { client: "test" }, (tx) =>
      updateCloudGroup(tx, seeded[0]!.objectId, { displayName: "Renamed in the cloud" }),
    );
    await cycle();
    const [same] = await cloudSyncGroups();
    expect(same).toMatchObject({
      dn: first!.dn,
      objectGuid: first!.objectGuid,
      displayName: "Renamed in the cloud",
    });

    await withState(sim.file, (tx) =>
      setCloudSyncMapping(tx, servicePrincipalId, "cn", {
        expression: 'Append(Append(Left(Trim([displayName]), 51), "_"), Mid([objectId], 25, 12))',
      }),
    );
    const renamed = await cycle();
    expect(renamed.updated).toEqual([
      `CN=Renamed in the cloud_${seeded[0]!.objectId.slice(-12)},${GROUPS_OU}`,
    ]);
    await withState(sim.file, (tx) =>
      setCloudSyncMapping(tx, servicePrincipalId, "parentDistinguishedName", {
        constant: `CN=Users,${ROOT}`,
      }),
    );
    const moved = await cycle();
    expect(moved.moved).toEqual([
      `CN=Renamed in the cloud_${seeded[0]!.objectId.slice(-12)},CN=Users,${ROOT}`,
    ]);
    const [after] = await cloudSyncGroups();
    expect(after!.objectGuid).toBe(first!.objectGuid);
    expect(await cloudSyncGroups()).toHaveLength(1);
  });

  it("routes groups to OUs with Switch() and writes the sAMAccountName mapping", async () => {
    const { seeded } = await setup(2, {
      parentDistinguishedName: {
        expression: `Switch([displayName], "${GROUPS_OU}", "CS Group 00004", "OU=Users,OU=Corp,${ROOT}")`,
      },
      sAMAccountName: { expression: 'Join("_", [displayName], "Contoso")' },
    });
    await cycle();
    const groups = await cloudSyncGroups();
    const byName = new Map(groups.map((group) => [group.displayName, group]));
    expect(seeded.map((group) => group.displayName)).toEqual(["CS Group 00003", "CS Group 00004"]);
    expect(byName.get("CS Group 00003")!.dn).toMatch(new RegExp(`,${GROUPS_OU}$`));
    expect(byName.get("CS Group 00004")!.dn).toMatch(/,OU=Users,OU=Corp,DC=contoso,DC=com$/);
    expect(byName.get("CS Group 00003")!.samAccountName).toBe("CS Group 00003_Contoso");
  });

  it("matches a group Connect wrote back once msDS-ExternalDirectoryObjectId is copied, and leaves Connect's other groups alone", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 3, securityEnabled: 3 });
    await prepareOu(sim);
    await sim.client.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
    await waitForIdle(sim);
    const state = await sim.state();
    const connectGroups = Object.values(state.domain.objects).filter(
      (object): object is AdGroup => object.objectClass === "group" && object.adminDescription !== null,
    );
    const security = state.tenant.groups.filter((group) => group.type === "security");
    expect(connectGroups.length).toBe(5);
    const [migrated, untouched] = security;
    // The migration's step 1 on one group.
    await withState(sim.file, (tx) => {
      const key = Object.keys(tx.state.domain.objects).find((each) =>
        each.includes(migrated!.objectId.toLowerCase()),
      )!;
      const object = tx.state.domain.objects[key] as AdGroup;
      tx.state.domain.objects[key] = { ...object, externalDirectoryObjectId: object.adminDescription };
    });
    await withState(sim.file, (tx) =>
      createCloudSyncConfiguration(tx, {
        assign: [migrated!.objectId],
        start: true,
        parentDistinguishedName: { constant: sim.ou },
        cn: { expression: 'Append("Group_", [objectId])' },
      }),
    );
    const report = await cycle();
    expect(report.added).toEqual([]);
    const after = await sim.state();
    const before = connectGroups.find((group) => group.adminDescription === `Group_${migrated!.objectId}`)!;
    const now = Object.values(after.domain.objects).find(
      (object): object is AdGroup =>
        object.objectClass === "group" && object.externalDirectoryObjectId === `Group_${migrated!.objectId}`,
    )!;
    expect(now.dn).toBe(before.dn);
    expect(now.adminDescription).toBe(before.adminDescription);
    expect(now.objectGuid).toBe(before.objectGuid);
    expect(now.aces).toEqual(before.aces);
    // Connect's next cycle neither deletes nor changes Cloud Sync's or its own other groups.
    await sim.client.call("startSyncCycle", { policyType: "Delta" });
    await waitForIdle(sim);
    const final = await sim.state();
    expect(
      Object.values(final.domain.objects).filter(
        (object) => object.objectClass === "group" && object.adminDescription !== null,
      ),
    ).toHaveLength(5);
    expect(untouched).toBeDefined();
  });

  it("side by side: Connect writes back Microsoft 365 groups (v1), Cloud Sync provisions security groups, neither touches the other's", async () => {
    sim = await newSim({ m365: 4, m365OptedOut: 0, security: 2, securityEnabled: 0 });
    await prepareOu(sim);
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
    await waitForIdle(sim);
    const connect = async () =>
      Object.values((await sim.state()).domain.objects).filter(
        (object): object is AdGroup => object.objectClass === "group" && object.adminDescription !== null,
      );
    const written = await connect();
    expect(written).toHaveLength(4);
    const seeded = await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 3 }));
    const m365 = (await sim.state()).tenant.groups.filter((group) => group.type === "m365");
    await withState(sim.file, (tx) =>
      createCloudSyncConfiguration(tx, {
        // Into the writeback OU itself, with an M365 group assigned too: Cloud Sync refuses it.
        parentDistinguishedName: { constant: sim.ou },
        assign: [...seeded.map((group) => group.objectId), m365[0]!.objectId],
        start: true,
      }),
    );
    const report = await cycle();
    expect(report.added).toHaveLength(3);
    expect(report.skipped.map((each) => each.objectId)).toEqual([m365[0]!.objectId]);
    expect(await connect()).toEqual(written);
    // Connect's next cycle: Cloud Sync's groups are in its OU but carry no anchor of Connect's; they stay.
    await sim.client.call("startSyncCycle", { policyType: "Delta" });
    await waitForIdle(sim);
    expect(await cloudSyncGroups()).toHaveLength(3);
    expect(await connect()).toEqual(written);
    // And a Connect delete (a Microsoft 365 group hard-deleted) happens beside Cloud Sync's groups.
    await hardDelete([m365[1]!.objectId]);
    await sim.client.call("startSyncCycle", { policyType: "Delta" });
    await waitForIdle(sim);
    expect(await connect()).toHaveLength(3);
    expect((await cycle()).deleted).toEqual([]);
    expect(await cloudSyncGroups()).toHaveLength(3);
  });

  it("deletes the AD group of a hard-deleted cloud group, and leaves a soft-deleted one", async () => {
    const { seeded } = await setup(2);
    await cycle();
    await runAction(sim.file, "tenant.setGroup", {}, { client: "test" }, (tx) => {
      updateCloudGroup(tx, seeded[0]!.objectId, { deleted: "hard" });
      updateCloudGroup(tx, seeded[1]!.objectId, { deleted: "soft" });
    });
    const report = await cycle();
    expect(report.deleted).toHaveLength(1);
    const left = await cloudSyncGroups();
    expect(left.map((group) => group.externalDirectoryObjectId)).toEqual([`Group_${seeded[1]!.objectId}`]);
  });

  it("quarantines the job with TooManyDeletes at the threshold and deletes nothing until restart ForceDeletes", async () => {
    const { seeded, servicePrincipalId } = await setup(9, { deleteThreshold: 5 });
    await cycle();
    await hardDelete(seeded.slice(0, 4).map((group) => group.objectId));
    expect((await cycle()).deleted).toHaveLength(4); // below the threshold: deleted
    await hardDelete(seeded.slice(4).map((group) => group.objectId));
    const held = await cycle();
    expect(held).toMatchObject({ outcome: "quarantined", heldDeletes: 5, deleted: [] });
    expect(await cloudSyncGroups()).toHaveLength(5);
    const [summary] = (await readCloudSync(sim.file)).jobs;
    expect(summary).toMatchObject({ statusCode: "Quarantine", quarantineReason: "TooManyDeletes" });
    // A later cycle does not run; a plain restart clears the quarantine, and the next cycle quarantines again.
    expect((await cycle()).outcome).toBe("not-run");
    await withState(sim.file, (tx) => controlCloudSyncJob(tx, servicePrincipalId, "restart"));
    expect((await cycle()).outcome).toBe("quarantined");
    expect(await cloudSyncGroups()).toHaveLength(5);
    await withState(sim.file, (tx) => controlCloudSyncJob(tx, servicePrincipalId, "restart", "ForceDeletes"));
    const released = await cycle();
    expect(released).toMatchObject({ outcome: "ran" });
    expect(released.deleted).toHaveLength(5);
    expect(await cloudSyncGroups()).toHaveLength(0);
  });

  it("with Microsoft's default threshold (500), 500 deletes quarantine the job", async () => {
    const { seeded } = await setup(500, {}, { membersPerGroup: 0, onPremisesMembersPerGroup: 0 });
    expect((await cycle()).added).toHaveLength(500);
    await hardDelete(seeded.map((group) => group.objectId));
    expect(await cycle()).toMatchObject({ outcome: "quarantined", heldDeletes: 500 });
    expect(await cloudSyncGroups()).toHaveLength(500);
  });

  it("refuses mail-enabled security and distribution groups (reported), provisions the security group beside them", async () => {
    sim = await newSim({ m365: 1, m365OptedOut: 0, security: 1, securityEnabled: 0 });
    const ids = await withState(sim.file, (tx) => [
      ...seedCloudSyncGroups(tx, { groups: 1 }),
      ...seedCloudSyncGroups(tx, { groups: 1, variant: "mailEnabledSecurity" }),
      ...seedCloudSyncGroups(tx, { groups: 1, variant: "distribution" }),
    ]);
    const m365 = (await sim.state()).tenant.groups.find((group) => group.type === "m365")!;
    await withState(sim.file, (tx) =>
      createCloudSyncConfiguration(tx, {
        assign: [...ids.map((group) => group.objectId), m365.objectId],
        start: true,
      }),
    );
    const report = await cycle();
    expect(report.added).toHaveLength(1);
    expect(report.skipped.map((each) => each.reason).sort()).toEqual([
      "Microsoft 365 groups are not provisioned to AD by Cloud Sync (security groups only)",
      "distribution groups aren't supported",
      "mail-enabled security groups aren't supported",
    ]);
  });

  it("provisions only assigned groups, or every security group with SyncAll", async () => {
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 2, securityEnabled: 0 });
    const seeded = await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 3 }));
    const { servicePrincipalId } = await withState(sim.file, (tx) =>
      createCloudSyncConfiguration(tx, { assign: [seeded[0]!.objectId], start: true }),
    );
    expect((await cycle()).added).toHaveLength(1);
    await withState(sim.file, (tx) =>
      setCloudSyncScope(tx, servicePrincipalId, { remove: [seeded[0]!.objectId] }),
    );
    expect((await cycle()).deleted).toHaveLength(0); // out of scope: left alone
    sim.cleanup();
    sim = await newSim({ m365: 2, m365OptedOut: 0, security: 2, securityEnabled: 0 });
    await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 3 }));
    await withState(sim.file, (tx) => createCloudSyncConfiguration(tx, { syncAll: true, start: true }));
    expect((await cycle()).added).toHaveLength(5); // 3 seeded + 2 from init; no Microsoft 365 group
  });

  it("quarantines a job without a Domain secret or without an agent, and runs once the agent is back and the job started", async () => {
    await setup(1);
    await withState(sim.file, (tx) => setProvisioningAgent(tx, { remove: true }));
    const report = await cycle();
    expect(report.outcome).toBe("quarantined");
    expect(report.message).toContain("no active provisioning agent is registered for contoso.com");
    await withState(sim.file, (tx) => setProvisioningAgent(tx, {}));
    const { servicePrincipalId } = (await readCloudSync(sim.file)).jobs[0]!;
    await withState(sim.file, (tx) => controlCloudSyncJob(tx, servicePrincipalId, "start"));
    expect((await cycle()).added).toHaveLength(1);
  });

  it("applies the schema's scoping filter (all security groups with an attribute filter) and refuses operators it does not model", async () => {
    sim = await newSim({ m365: 1, m365OptedOut: 0, security: 2, securityEnabled: 0 });
    await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 2, namePrefix: "Finance" }));
    await withState(sim.file, (tx) => createCloudSyncConfiguration(tx, { syncAll: true, start: true }));
    const scope = (operatorName: string) => ({
      groups: [
        {
          clauses: [
            { operatorName, sourceOperandName: "displayName", targetOperand: { values: ["^Finance "] } },
          ],
        },
      ],
    });
    await withState(sim.file, (tx) => {
      const job = tx.state.cloudSync!.servicePrincipals[0]!.jobs[0]!;
      const schema = structuredClone(job.schema);
      schema.synchronizationRules[0]!.objectMappings[0]!.scope = scope("REGEX MATCH");
      job.schema = schema;
    });
    const report = await cycle();
    expect(report.added.map((dn) => dn.slice(0, 17)).sort()).toEqual([
      "CN=Finance Group ",
      "CN=Finance Group ",
    ]);
    // The validation a schema PUT runs: an operator the simulator does not model is refused by name.
    const schema = structuredClone((await sim.state()).cloudSync!.servicePrincipals[0]!.jobs[0]!.schema);
    schema.synchronizationRules[0]!.objectMappings[0]!.scope = scope("SOUNDS LIKE");
    const refused = (() => {
      try {
        return compileCheck(schema);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refused).toContain('does not model the scoping operator "SOUNDS LIKE"');
  });

  it("leaves a group over 50,000 members out (reported) and provisions the others", async () => {
    const { seeded } = await setup(2, {}, { membersPerGroup: 1, onPremisesMembersPerGroup: 1 });
    await withState(sim.file, (tx) => {
      const group = tx.state.tenant.groups.find((each) => each.objectId === seeded[0]!.objectId)!;
      group.members = Array.from({ length: 50_001 }, () => seeded[1]!.members[0]!);
    });
    const report = await cycle();
    expect(report.added).toHaveLength(1);
    expect(report.skipped).toEqual([
      {
        objectId: seeded[0]!.objectId,
        displayName: seeded[0]!.displayName,
        reason: "groups with more than 50,000 members aren't supported",
      },
    ]);
  });

  it("keeps its state in the cloud_sync table, and a database made before it gets the table on first use", async () => {
    await setup(1);
    const db = new DatabaseSync(sim.file);
    const row = db.prepare("SELECT next_run_ms, json FROM cloud_sync").get() as {
      next_run_ms: number;
      json: string;
    };
    expect(JSON.parse(row.json).servicePrincipals).toHaveLength(1);
    expect(row.next_run_ms).toBe(Date.parse("2025-01-06T08:00:10.000Z")); // 10 s after start
    db.exec("DROP TABLE cloud_sync");
    db.close();
    expect((await sim.state()).cloudSync).toBeUndefined();
    await withState(sim.file, (tx) => seedCloudSyncGroups(tx, { groups: 1 }));
    expect((await sim.state()).cloudSync?.users).toHaveLength(3);
  });
});
