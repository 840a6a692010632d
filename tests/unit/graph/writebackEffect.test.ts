import { withState, wizardEnableGroupWriteback } from "../../../simulator";
import { prepareOu, waitForIdle } from "../simulator/testSupport";
import { newGraphSim, type GraphSim } from "./support";

let g: GraphSim;
afterEach(async () => g.cleanup());

describe("the Graph side and the Connect side share one tenant", () => {
  it("a Microsoft 365 group opted out through Graph is not written back by the next sync cycle; the others are", async () => {
    g = await newGraphSim({ m365: 6, m365OptedOut: 0, security: 0, securityEnabled: 0 });
    const client = g.client();
    const unified = await client.listGroups({
      filter: "groupTypes/any(c:c eq 'Unified')",
      select: ["id", "writebackConfiguration"],
    });
    expect(unified).toHaveLength(6);
    const [optedOut, ...others] = unified.map((group) => group.id);
    await client.updateGroupWriteback(optedOut as string, { isEnabled: false });

    const sim = g.sim;
    await prepareOu(sim);
    await sim.client.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
    await waitForIdle(sim);

    const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
    const written = groups.map((group) => group.cloudObjectId).sort();
    // The cycle wrote groups back (so the absence below means something), all but the opted-out one.
    expect(written).toEqual([...others].sort());
    expect(written).not.toContain(optedOut);
  });

  it("a group Connect syncs from Active Directory (init --synced) is mastered on-premises: Graph says so, refuses to change it, and no cycle writes it back", async () => {
    g = await newGraphSim({ m365: 2, m365OptedOut: 0, security: 2, securityEnabled: 1, synced: 2 });
    const tenant = (await g.sim.state()).tenant.groups;
    const synced = tenant.filter((group) => group.onPremisesSyncEnabled === true);
    expect(synced.map((group) => group.type)).toEqual(["security", "security"]);
    // The seed's other groups keep the objectIds they have without --synced (the synced ones come last).
    const plain = await newGraphSim({ m365: 2, m365OptedOut: 0, security: 2, securityEnabled: 1 });
    try {
      expect((await plain.sim.state()).tenant.groups).toEqual(tenant.slice(0, 4));
    } finally {
      await plain.cleanup();
    }
    // Their AD side: the groups Connect syncs, in the sync scope (OU=Groups,OU=Corp), not written-back copies.
    const adGroups = Object.values((await g.sim.state()).domain.objects).filter(
      (object) => object.objectClass === "group" && object.dn.endsWith(`,${g.sim.ouParent}`),
    );
    expect(
      adGroups
        .map((object) => [object.dn.split(",")[0], "adminDescription" in object && object.adminDescription])
        .sort(),
    ).toEqual(synced.map((group) => [`CN=${group.displayName}`, null]).sort());

    // The Connect side counts cloud-mastered groups only (as the PowerShell backend does): 2 security groups, not 4.
    const counts = await g.sim.client.call("getCloudGroupWriteback", { dn: null, sampleSize: 0 });
    expect(counts).toMatchObject({ securityGroups: 2, writebackEnabledSecurityGroups: 1 });

    const client = g.client();
    const security = await client.listGroups({
      filter: "securityEnabled eq true",
      select: ["id", "displayName", "onPremisesSyncEnabled"],
    });
    expect(security.map((group) => [group.id, group.onPremisesSyncEnabled])).toEqual(
      tenant
        .filter((group) => group.type === "security")
        .map((group) => [group.objectId, group.onPremisesSyncEnabled ? true : null]),
    );
    await expect(client.updateGroupWriteback(synced[0]!.objectId, { isEnabled: true })).rejects.toThrow(
      "Microsoft Graph refused PATCH",
    );
    const [cloudSecurity] = tenant.filter(
      (group) => group.type === "security" && !group.onPremisesSyncEnabled,
    );
    await client.updateGroupWriteback(cloudSecurity!.objectId, { isEnabled: true });
    // Even enabled for writeback (as no Graph call can do it), a synced group stays out of the cycle's scope.
    await withState(g.sim.file, (tx) => {
      for (const group of tx.state.tenant.groups)
        if (group.onPremisesSyncEnabled) group.writebackEnabled = true;
    });

    const sim = g.sim;
    await prepareOu(sim);
    await sim.client.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(sim.file, { ou: sim.ou });
    await waitForIdle(sim);
    const { groups } = await sim.client.call("listWrittenBackGroups", { dn: sim.ou });
    const written = groups.map((group) => group.cloudObjectId);
    // Cloud security groups enabled for writeback are written back (so the absence below means something).
    expect(written).toContain(cloudSecurity!.objectId);
    expect(written.filter((id) => synced.some((group) => group.objectId === id))).toEqual([]);
  });
});
