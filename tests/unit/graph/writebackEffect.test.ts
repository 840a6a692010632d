import { wizardEnableGroupWriteback } from "../../../simulator";
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
});
