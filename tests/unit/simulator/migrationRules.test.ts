// The migration to Cloud Sync on the simulated Connect server: the two custom rules keep Connect from flowing to or
// deleting the written-back security groups; turning v2 off switches to v1 on the next cycle (every Microsoft 365
// group written back, opted out or not); staging mode holds every export back.
import {
  runAction,
  updateCloudGroup,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "../../../simulator";
import { ENTRA_ID_CONNECTOR_ID } from "../../../contract/contract";
import {
  noFlowInboundRule,
  noFlowOutboundRule,
  OUT_TO_AD_GROUP_SOA_IN_AAD,
} from "../../../domain/groupWritebackRules";
import { newSim, prepareOu, type Sim, waitForIdle } from "./testSupport";

let sim: Sim;
afterEach(async () => sim.cleanup());

interface Written {
  dn: string;
  cloudObjectId: string;
  displayName: string;
  groupCategory: string;
}

async function written(): Promise<Written[]> {
  return (await sim.client.call("listWrittenBackGroups", { dn: sim.ou })).groups;
}

async function cycle(): Promise<void> {
  await sim.client.call("startSyncCycle", { policyType: "Initial" });
  await waitForIdle(sim);
}

/** A legacy tenant with v2 and v1 on: 3 security groups and 4 Microsoft 365 groups (1 opted out) written back. */
async function legacyWriteback(): Promise<{ security: Written[]; optedOut: string }> {
  sim = await newSim({ m365: 4, m365OptedOut: 1, security: 3, securityEnabled: 3 });
  await prepareOu(sim);
  await sim.client.call("setGroupWritebackV2", { enabled: true });
  await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
  await waitForIdle(sim);
  const groups = await written();
  const security = groups.filter((group) => group.groupCategory === "Security");
  expect(security).toHaveLength(3);
  expect(groups).toHaveLength(6);
  const state = await sim.state();
  const optedOut = state.tenant.groups.find((group) => group.writebackEnabled === false)?.objectId ?? "";
  expect(groups.some((group) => group.cloudObjectId === optedOut)).toBe(false);
  return { security, optedOut };
}

async function adConnectorId(): Promise<string> {
  const { rules } = await sim.client.call("getSyncRules", {});
  return rules.find((rule) => rule.name === OUT_TO_AD_GROUP_SOA_IN_AAD)?.connector ?? "";
}

async function addMigrationRules(connectors: { inbound?: string; outbound?: string } = {}): Promise<void> {
  await sim.client.call("newSyncRule", {
    ...noFlowInboundRule(40),
    ...(connectors.inbound ? { connector: connectors.inbound } : {}),
  });
  await sim.client.call(
    "newSyncRule",
    noFlowOutboundRule(41, connectors.outbound ?? (await adConnectorId())),
  );
}

describe("turning Group Writeback V2 off", () => {
  it("without the migration rules: the next cycle deletes every security group and writes back every Microsoft 365 group", async () => {
    const { security, optedOut } = await legacyWriteback();
    // Without the rules a cloud rename flows to AD (what the rules stop, below).
    const renamed = security[0] as Written;
    await runAction(sim.file, "test.rename", {}, {}, (tx) =>
      updateCloudGroup(tx, renamed.cloudObjectId, { displayName: "Renamed in the cloud" }),
    );
    await cycle();
    expect((await written()).find((group) => group.dn === renamed.dn)?.displayName).toBe(
      "Renamed in the cloud",
    );
    await sim.client.call("setGroupWritebackV2", { enabled: false });
    // Nothing happens before the next cycle.
    expect((await written()).filter((group) => group.groupCategory === "Security")).toHaveLength(3);
    await cycle();
    const after = await written();
    expect(after.filter((group) => group.groupCategory === "Security")).toEqual([]);
    expect(after.map((group) => group.cloudObjectId)).toContain(optedOut);
    expect(after).toHaveLength(4);
    const journal = await sim.journal();
    expect(journal.some((entry) => entry.kind === "event" && entry.event === "groups-deleted")).toBe(true);
  });

  it("with both rules: the security groups stay as they are (same DN, no flow), the Microsoft 365 groups follow v1", async () => {
    const { security, optedOut } = await legacyWriteback();
    await addMigrationRules();
    const renamed = security[0] as Written;
    await runAction(sim.file, "test.rename", {}, {}, (tx) =>
      updateCloudGroup(tx, renamed.cloudObjectId, { displayName: "Renamed in the cloud" }),
    );
    await cycle();
    await sim.client.call("setGroupWritebackV2", { enabled: false });
    await cycle();
    const after = await written();
    expect(after.filter((group) => group.groupCategory === "Security")).toEqual(security);
    expect(after.map((group) => group.cloudObjectId)).toContain(optedOut);
    expect(after).toHaveLength(7);
    const journal = await sim.journal();
    expect(journal.some((entry) => entry.kind === "event" && entry.event === "groups-deleted")).toBe(false);
  });

  it.each([
    ["the inbound rule alone", { outboundDisabled: true, swapped: false }],
    ["the 2023 revision's swapped connectors", { outboundDisabled: false, swapped: true }],
  ])(
    "with %s the security groups are deleted all the same",
    async (_label, { outboundDisabled, swapped }) => {
      await legacyWriteback();
      const adConnector = await adConnectorId();
      await addMigrationRules(swapped ? { inbound: adConnector, outbound: ENTRA_ID_CONNECTOR_ID } : {});
      if (outboundDisabled) {
        await sim.client.call("setSyncRuleDisabled", {
          identifier: noFlowOutboundRule(41, adConnector).identifier,
          disabled: true,
        });
      }
      await sim.client.call("setGroupWritebackV2", { enabled: false });
      await cycle();
      expect((await written()).filter((group) => group.groupCategory === "Security")).toEqual([]);
    },
  );

  it("in staging mode the cycle exports nothing: the changes wait as pending exports until staging is off", async () => {
    const { optedOut } = await legacyWriteback();
    await wizardSetStagingMode(sim.file, true);
    await sim.client.call("setGroupWritebackV2", { enabled: false });
    await cycle();
    expect((await written()).filter((group) => group.groupCategory === "Security")).toHaveLength(3);
    const { exports } = await sim.client.call("listPendingExports", { dn: sim.ou });
    expect(exports.filter((pending) => pending.modification === "delete")).toHaveLength(3);
    expect(
      exports.some((pending) => pending.modification === "add" && pending.cloudObjectId === optedOut),
    ).toBe(true);
    await wizardSetStagingMode(sim.file, false);
    await cycle();
    expect((await written()).filter((group) => group.groupCategory === "Security")).toEqual([]);
  });
});
