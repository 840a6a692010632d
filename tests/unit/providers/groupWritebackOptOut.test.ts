// GroupWritebackOptOut against the simulated Microsoft Graph, configured as the engine configures the providers.
import type { CloudGroup } from "../../../simulator";
import { armGraphFault, withGraphTenant } from "../../../simulator/graph";
import { closeClients } from "../../../providers/common/connection";
import { runOptOut } from "../../../providers/groupWritebackOptOut/optOut";
import { groupWritebackOptOut } from "../../../providers/groupWritebackOptOut/schema";
import { explainDrift } from "../../../providers/driftDetails";
import { implementationFor } from "../../../providers/registry";
import { configureProvidersFor, graphEntries, newGraphSim, type GraphSim } from "../graph/support";
import { captureProgress, versioned } from "./support";

const provider = implementationFor("GroupWritebackOptOut");

// Hundreds of HTTPS requests per test: generous on a loaded machine.
jest.setTimeout(60_000);

let g: GraphSim;
let progress: ReturnType<typeof captureProgress>;

async function groups(): Promise<CloudGroup[]> {
  return (await g.sim.state()).tenant.groups;
}

async function setEnabled(id: string, isEnabled: boolean | null): Promise<void> {
  await withGraphTenant(g.sim.file, (tx) => {
    tx.state.tenant.groups.find((group) => group.objectId === id)!.writebackEnabled = isEnabled;
  });
}

/** PATCH /beta/groups/{id} per group id, from the journal. */
function patchesPerGroup(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of graphEntries(g)) {
    if (entry.operation !== "graph.updateGroup") continue;
    const id = (entry.args as { path: string }).path.split("/").at(-1) as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

beforeEach(async () => {
  // 250 Microsoft 365 groups (3 pages of 100), 2 of them opted out already; 5 security groups.
  g = await newGraphSim({ m365: 250, m365OptedOut: 2, security: 5, securityEnabled: 1 });
  progress = captureProgress();
  configureProvidersFor(g);
});
afterEach(async () => {
  progress.restore();
  await closeClients();
  await g.cleanup();
});

describe("GroupWritebackOptOut", () => {
  it("opts every Microsoft 365 group out, keeps the named ones enabled, and never writes a group twice", async () => {
    const all = await groups();
    const m365 = all.filter((group) => group.type === "m365");
    const security = all.filter((group) => group.type === "security");
    const keep = m365.filter((group) => group.writebackEnabled !== false).slice(0, 3);
    const { outs } = await provider.create(
      versioned({ pageSize: 100, groups: "all", keepEnabled: keep.map((group) => group.objectId) }),
    );
    const after = await groups();
    const keptIds = new Set(keep.map((group) => group.objectId));
    for (const group of after) {
      if (group.type === "security") continue;
      expect([group.objectId, group.writebackEnabled]).toEqual([
        group.objectId,
        keptIds.has(group.objectId) ? true : false,
      ]);
    }
    // Security groups are outside "all" (Microsoft 365 groups only): untouched.
    expect(after.filter((group) => group.type === "security")).toEqual(security);
    expect(outs.report).toMatchObject({
      selected: 250,
      optedOut: { count: 250 - 2 - 3 },
      alreadyOptedOut: { count: 2 },
      reEnabled: { count: keep.filter((group) => group.writebackEnabled !== true).length },
      keptEnabled: { count: keep.filter((group) => group.writebackEnabled === true).length },
      skippedNotMicrosoft365: { count: 0 },
      pages: 3,
    });
    expect(outs.report.optedOut.sample).toHaveLength(10);
    const patches = patchesPerGroup();
    // The filter finds PATCHes (one per changed group), and no group was written twice.
    expect(patches.size).toBe(245 + outs.report.reEnabled.count);
    expect([...patches.values()].every((count) => count === 1)).toBe(true);
    expect(progress.lines.join("\n")).toContain("GroupWritebackOptOut: page 3: 50 groups read (250 so far)");
    expect(progress.lines.join("\n")).toContain(
      "245 Microsoft 365 groups opted out of writeback (isEnabled = false); 2 already opted out (not written); keepEnabled: ",
    );

    // Again: reads everything, writes nothing.
    const again = await provider.update(
      "id",
      outs,
      versioned({ pageSize: 100, groups: "all", keepEnabled: [...keptIds] }),
    );
    expect(again.outs?.report).toMatchObject({
      optedOut: { count: 0 },
      alreadyOptedOut: { count: 245 + 2 },
    });
    expect(patchesPerGroup()).toEqual(patches);
  });

  it("an interrupted run, started again, re-reads but writes only the groups it had not written", async () => {
    // The connection drops on the 150th PATCH and the client gives up at once: the run stops in its second page.
    await armGraphFault(g.sim.file, { method: "PATCH", path: "/beta/groups/*", kind: "drop", after: 149 });
    const failed = await runOptOut(
      g.client({ retry: { maxRetries: 0 } }),
      { groups: "all", keepEnabled: [], concurrency: 4, pageSize: 100 },
      { progress: () => undefined },
    ).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/^could not reach Microsoft Graph for PATCH \S+\/beta\/groups\//);
    const before = patchesPerGroup();
    expect(before.size).toBeGreaterThan(99); // the first page was finished
    expect(before.size).toBeLessThan(248);
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: "all" }));
    // Every group written once when it succeeded; the one whose connection dropped was written again.
    const ok = new Map<string, number>();
    for (const entry of graphEntries(g)) {
      if (entry.operation !== "graph.updateGroup" || (entry.args as { status: unknown }).status !== 204)
        continue;
      const id = (entry.args as { path: string }).path.split("/").at(-1) as string;
      ok.set(id, (ok.get(id) ?? 0) + 1);
    }
    expect(ok.size).toBe(250 - 2);
    expect([...ok.values()].every((count) => count === 1)).toBe(true);
    expect(outs.report.optedOut.count).toBe(250 - 2 - (before.size - 1));
    expect(outs.report.optedOut.count + outs.report.alreadyOptedOut.count).toBe(250);
    expect(
      (await groups()).filter((group) => group.type === "m365" && group.writebackEnabled !== false),
    ).toEqual([]);
  });

  it("an id list and a filter select only those groups; a security group or an unknown id is reported, not written", async () => {
    const all = await groups();
    const m365 = all.filter((group) => group.type === "m365" && group.writebackEnabled !== false);
    const securityGroup = all.find((group) => group.type === "security")!;
    const unknown = "00000000-0000-4000-8000-000000000001";
    const listed = [...m365.slice(0, 20).map((group) => group.objectId), securityGroup.objectId, unknown];
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: { ids: listed } }));
    expect(outs.report).toMatchObject({
      selected: 21,
      optedOut: { count: 20 },
      skippedNotMicrosoft365: { count: 1, sample: [securityGroup.objectId] },
      notFound: { count: 1, sample: [unknown] },
    });
    const after = await groups();
    const changed = after.filter(
      (group) =>
        group.writebackEnabled !== all.find((each) => each.objectId === group.objectId)!.writebackEnabled,
    );
    expect(changed.map((group) => group.objectId).sort()).toEqual(listed.slice(0, 20).sort());

    const prefix = m365[30]!.displayName.slice(0, -1);
    const byFilter = await provider.create(
      versioned({
        pageSize: 100,
        groups: { filter: `startswith(displayName,'${prefix.replace(/'/g, "''")}')` },
      }),
    );
    const matching = new Set(
      after
        .filter((group) => group.displayName.toLowerCase().startsWith(prefix.toLowerCase()))
        .map((group) => group.objectId),
    );
    expect(matching.size).toBeGreaterThan(0);
    expect(byFilter.outs.report.selected).toBe(matching.size);
    const final = await groups();
    const changedByFilter = final.filter(
      (group) =>
        group.writebackEnabled !== after.find((each) => each.objectId === group.objectId)!.writebackEnabled,
    );
    expect(changedByFilter.length).toBe(byFilter.outs.report.optedOut.count);
    expect(changedByFilter.every((group) => matching.has(group.objectId))).toBe(true);
  });

  it("a group synced from Active Directory (onPremisesSyncEnabled) is skipped with its reason and never written", async () => {
    // Two security groups Entra Connect syncs from AD, as `entra-sim init --synced 2` seeds them.
    const synced = ["5a1e0000-0000-4000-8000-00000000a001", "5a1e0000-0000-4000-8000-00000000a002"];
    await withGraphTenant(g.sim.file, (tx) => {
      for (const [index, objectId] of synced.entries()) {
        tx.state.tenant.groups.push({
          objectId,
          displayName: `GG-Synced ${index}`,
          type: "security",
          writebackEnabled: null,
          deleted: "none",
          onPremisesSyncEnabled: true,
        });
      }
    });
    const all = await groups();
    const m365 = all.find((group) => group.type === "m365" && group.writebackEnabled !== false)!;
    const cloudSecurity = all.find((group) => group.type === "security" && !group.onPremisesSyncEnabled)!;
    // Graph reports the source, and refuses to change the writeback of a group mastered on-premises.
    const client = g.client();
    const [read] = await client.listGroups({
      filter: `id eq '${synced[0]}'`,
      select: ["id", "onPremisesSyncEnabled"],
    });
    expect(read?.onPremisesSyncEnabled).toBe(true);
    await expect(client.updateGroupWriteback(synced[0]!, { isEnabled: false })).rejects.toThrow(
      /on-premises mastered Directory Sync objects/,
    );
    const refused = patchesPerGroup();
    expect(refused.get(synced[0]!)).toBe(1); // the journal's filter finds a PATCH of a synced group

    const { outs } = await provider.create(
      versioned({
        pageSize: 100,
        groups: { ids: [synced[0], m365.objectId, cloudSecurity.objectId] },
        keepEnabled: [synced[1]],
      }),
    );
    expect(outs.report).toMatchObject({
      selected: 3,
      optedOut: { count: 1, sample: [m365.objectId] },
      skippedOnPremises: { count: 2, sample: [synced[1], synced[0]] },
      skippedNotMicrosoft365: { count: 1, sample: [cloudSecurity.objectId] },
      reEnabled: { count: 0 },
    });
    expect(progress.lines.at(-1)).toContain(
      "2 groups skipped: mastered on-premises (onPremisesSyncEnabled); 1 group skipped: not Microsoft 365 groups",
    );
    // A filter that selects security groups: the synced ones are skipped as mastered on-premises, the cloud ones as
    // not Microsoft 365 groups.
    const byFilter = await provider.create(versioned({ groups: { filter: "securityEnabled eq true" } }));
    expect(byFilter.outs.report).toMatchObject({
      optedOut: { count: 0 },
      skippedOnPremises: { count: 2, sample: synced },
    });
    expect(byFilter.outs.report.skippedNotMicrosoft365.count).toBe(
      all.filter((group) => group.type === "security" && !group.onPremisesSyncEnabled).length,
    );
    // Nothing more was sent for the synced groups (the one refused PATCH above is all), and they are as they were.
    const patches = patchesPerGroup();
    expect(synced.map((id) => patches.get(id) ?? 0)).toEqual([1, 0]);
    expect((await groups()).filter((group) => synced.includes(group.objectId))).toEqual(
      all.filter((group) => synced.includes(group.objectId)),
    );
    // Drift never names them either.
    const read2 = await provider.read("id", outs);
    expect(read2.props?.drifted).toEqual({ count: 0, sample: [] });
  });

  it("refuses a $filter it cannot honour, and an id both opted out and kept, before any request", async () => {
    const orFilter = groupWritebackOptOut.check(
      versioned({
        pageSize: 100,
        groups: { filter: "startswith(displayName,'a') or startswith(displayName,'b')" },
      }),
    );
    expect(orFilter.failures?.[0]?.property).toBe("groups.filter");
    expect(orFilter.failures?.[0]?.reason).toContain(
      "unsupported $filter clause 'startswith(displayName,'a') or startswith(displayName,'b')': GroupWritebackOptOut sends only these $filter forms",
    );
    const id = (await groups())[0]!.objectId;
    const both = groupWritebackOptOut.check(
      versioned({ pageSize: 100, groups: { ids: [id] }, keepEnabled: [id] }),
    );
    expect(both.failures?.[0]).toEqual({
      property: "keepEnabled",
      reason: `${id} is both in groups.ids and keepEnabled: a group is opted out or kept, not both`,
    });
    expect(graphEntries(g)).toEqual([]);
  });

  it("drift: a group opted back in by hand is named by read and diff, and update opts it out again", async () => {
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: "all" }));
    const victim = (await groups()).find((group) => group.type === "m365")!.objectId;
    const clean = await provider.read("id", outs);
    expect(clean.props?.drifted).toEqual({ count: 0, sample: [] });
    await setEnabled(victim, true);
    const read = await provider.read("id", outs);
    expect(read.props?.drifted).toEqual({ count: 1, sample: [victim] });
    progress.lines.length = 0;
    const diff = await provider.diff("id", read.props!, versioned({ pageSize: 100, groups: "all" }));
    expect(diff.changes).toBe(true);
    expect(progress.lines.join("\n")).toContain(
      `GroupWritebackOptOut: 1 group is no longer as declared (a selected Microsoft 365 group opted back in to writeback, or a keepEnabled group opted out, outside the stack): ${victim}. \`pulumi up --refresh\` sets them back`,
    );
    // npm run drift reports it too.
    expect(
      explainDrift("GroupWritebackOptOut", read.props, versioned({ pageSize: 100, groups: "all" })),
    ).toEqual([
      { property: "drifted", live: { count: 1, sample: [victim] }, declared: { count: 0, sample: [] } },
    ]);
    const repaired = await provider.update("id", read.props!, versioned({ pageSize: 100, groups: "all" }));
    expect(repaired.outs?.report.optedOut).toEqual({ count: 1, sample: [victim] });
    expect((await provider.read("id", repaired.outs!)).props?.drifted.count).toBe(0);
    // The message's other advice: a group to keep in writeback goes into keepEnabled.
    await setEnabled(victim, true);
    const kept = await provider.update(
      "id",
      repaired.outs!,
      versioned({ pageSize: 100, groups: "all", keepEnabled: [victim] }),
    );
    expect(kept.outs?.report).toMatchObject({
      optedOut: { count: 0 },
      keptEnabled: { count: 1, sample: [victim] },
    });
    expect((await provider.read("id", kept.outs!)).props?.drifted.count).toBe(0);
    expect((await groups()).find((group) => group.objectId === victim)?.writebackEnabled).toBe(true);
  });

  it("destroy keeps the opt-outs and says so; onDelete reEnable puts them back", async () => {
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: "all" }));
    await provider.delete("id", outs);
    expect(progress.lines.join("\n")).toContain(
      "GroupWritebackOptOut: leaving every Microsoft 365 group opted out of group writeback (writebackConfiguration.isEnabled = false; onDelete: retain)",
    );
    expect(
      (await groups()).filter((group) => group.type === "m365" && group.writebackEnabled !== false),
    ).toEqual([]);
    // Following the message: declare onDelete reEnable, update (pulumi up), then destroy.
    const updated = await provider.update(
      "id",
      outs,
      versioned({ pageSize: 100, groups: "all", onDelete: "reEnable" }),
    );
    await provider.delete("id", updated.outs!);
    expect(progress.lines.join("\n")).toContain(
      "GroupWritebackOptOut: re-enabled writeback (isEnabled = true) on 250 Microsoft 365 groups (onDelete: reEnable)",
    );
    expect(
      (await groups()).filter((group) => group.type === "m365" && group.writebackEnabled !== true),
    ).toEqual([]);
  });

  it("survives a 429 with Retry-After in the middle of the paging, waits as told and says so", async () => {
    await armGraphFault(g.sim.file, {
      method: "GET",
      path: "/beta/groups",
      kind: "throttle",
      retryAfterSeconds: 1,
      after: 1,
    });
    const started = Date.now();
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: "all" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(outs.report.selected).toBe(250);
    expect(
      graphEntries(g)
        .filter((entry) => entry.operation === "graph.listGroups")
        .map((entry) => (entry.args as { status: unknown }).status),
    ).toEqual([200, 429, 200, 200]);
    expect(progress.lines.join("\n")).toContain(
      "GroupWritebackOptOut: Microsoft Graph answered 429 to GET /beta/groups: waiting 1 s (its Retry-After) before retry 1",
    );
  });

  it("a read-only app: one line naming the permission, nothing written", async () => {
    await closeClients();
    configureProvidersFor(g, g.reader);
    const failure = await provider.create(versioned({ pageSize: 100, groups: "all" })).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /^cannot opt every Microsoft 365 group out of group writeback: Microsoft Graph refused PATCH \/beta\/groups\/\S+ with 403 Authorization_RequestDenied\. The app \(entra-writeback:graph\.clientId\) needs the application permission Group\.ReadWrite\.All with admin consent/,
    );
    expect(
      graphEntries(g).filter(
        (entry) =>
          entry.operation === "graph.updateGroup" && (entry.args as { status: unknown }).status === 204,
      ),
    ).toEqual([]);
    // Following the advice: grant the permission, run again.
    await withGraphTenant(g.sim.file, (_tx, graph) => {
      graph.apps.find((app) => app.clientId === g.reader.clientId)!.roles.push("Group.ReadWrite.All");
    });
    await closeClients();
    configureProvidersFor(g, g.reader);
    const { outs } = await provider.create(versioned({ pageSize: 100, groups: "all" }));
    expect(outs.report.optedOut.count).toBe(248);
  });

  it("runs the Connect server's live checks before its first write: a wrong connector account writes nothing", async () => {
    const target = { kind: "simulator", stateFile: g.sim.file };
    const wrong = "CN=MSOL_0000old00000,CN=Users,DC=contoso,DC=com";
    const message = await provider
      .create(
        versioned({
          pageSize: 100,
          groups: "all",
          target,
          preflight: { writebackOu: g.sim.ou, connectorAccountDn: wrong },
        }),
      )
      .then(
        () => "",
        (error: Error) => error.message,
      );
    expect(message).toContain("Nothing was changed: checked before opting groups out of writeback");
    expect(graphEntries(g).some((entry) => entry.operation === "graph.listGroups")).toBe(true);
    expect(patchesPerGroup().size).toBe(0);
    // With the right account the same declaration goes through.
    await provider.create(
      versioned({
        pageSize: 100,
        groups: "all",
        target,
        preflight: { writebackOu: g.sim.ou, connectorAccountDn: g.sim.account },
      }),
    );
    expect(patchesPerGroup().size).toBe(248);
  });
});
