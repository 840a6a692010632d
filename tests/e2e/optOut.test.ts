// The per-group opt-out (GroupWritebackOptOut) in the project's program on the real engine, against the simulated
// Graph and Connect server: a tenant of 2,000 Microsoft 365 groups, every one opted out but 20 kept; a 429 in the
// middle of the paging waited for; the wizard's cycle writes back exactly the 20 (and the enabled security groups);
// a group synced from AD listed in keepEnabled skipped as mastered on-premises; drift named by preview --refresh;
// destroy keeps the opt-outs (and, asked by allowNonEmptyOuDeletion, deletes the writeback OU). And an opt-out killed midway (SIGKILL of the CLI)
// finishes on the next up without writing any group twice.
import { setTimeout as sleep } from "node:timers/promises";
import program from "../../index";
import {
  armGraphFault,
  startGraphSimulator,
  withGraphTenant,
  type RunningGraphSimulator,
} from "../../simulator/graph";
import { graphKeysFor } from "./support/graph";
import { cliProject } from "./support/cliProject";
import {
  failureOf,
  finishSync,
  groupsIn,
  LAB_OU,
  labConfig,
  labServersForThisFile,
  show,
  sim,
  type JournalOperation,
  wizardEnable,
} from "./support/lab";
import { createTestStack } from "./support/pulumiHarness";

jest.setTimeout(8 * 60_000);

const newLab = labServersForThisFile();
const WIZARD_STOP = "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard";

/** The Graph connection keys of the stack, for a simulator started by the test. */
async function graphKeys(stateFile: string, simulator: RunningGraphSimulator) {
  const keys = await graphKeysFor(stateFile, simulator);
  return { graph: keys.graph, secret: keys.clientSecret };
}

function graphOperations(stateFile: string): JournalOperation[] {
  return show(stateFile).journal.filter(
    (entry): entry is JournalOperation => entry.kind === "operation" && entry.server === "graph",
  );
}

const statusOf = (entry: JournalOperation): unknown => (entry.args as { status?: unknown }).status;
const groupIdOf = (entry: JournalOperation): string =>
  String((entry.args as { path: string }).path)
    .split("/")
    .at(-1) as string;

/** Successful PATCHes of a group's writeback, per group id, from the simulator's journal. */
function patchesPerGroup(entries: JournalOperation[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (entry.operation !== "graph.updateGroup" || statusOf(entry) !== 204) continue;
    counts.set(groupIdOf(entry), (counts.get(groupIdOf(entry)) ?? 0) + 1);
  }
  return counts;
}

test("2,000 groups opted out but 20: a 429 waited for, exactly the 20 written back, drift named, destroy retains", async () => {
  const stateFile = newLab([
    "--m365",
    "2000",
    "--m365-opted-out",
    "0",
    "--security",
    "4",
    "--security-enabled",
    "1",
    "--synced",
    "1",
  ]);
  const simulator = await startGraphSimulator({ stateFile });
  const { graph, secret } = await graphKeys(stateFile, simulator);
  const m365 = show(stateFile).state.tenant.groups.filter((group) => group.type === "m365");
  const kept = m365.filter((_group, index) => index % 100 === 7).map((group) => group.objectId);
  expect(kept).toHaveLength(20);
  // A security group Connect syncs from AD, listed in keepEnabled by mistake: skipped (Graph would refuse it).
  const synced = (show(stateFile).state.tenant.groups as { objectId: string; onPremisesSyncEnabled?: true }[])
    .filter((group) => group.onPremisesSyncEnabled === true)
    .map((group) => group.objectId);
  expect(synced).toHaveLength(1);
  // Graph throttles the second page of the listing and asks for 2 s (two listings of the kept ids come first).
  await armGraphFault(stateFile, {
    method: "GET",
    path: "/beta/groups",
    kind: "throttle",
    retryAfterSeconds: 2,
    after: 3,
  });
  const testStack = await createTestStack({
    stackName: "opt-out",
    program,
    config: {
      ...labConfig(stateFile, {
        defaults: JSON.stringify({
          newUnifiedGroupWritebackDefault: false,
          optOut: "all",
          keepEnabled: [...kept, ...synced],
        }),
        graph,
        // Declared from the first up, so destroy may delete the writeback OU with the groups written back to it.
        allowNonEmptyOuDeletion: true,
      }),
      "entra-writeback:graphClientSecret": { value: secret, secret: true },
    },
  });
  const { stack } = testStack;
  try {
    const first = await failureOf(stack.up());
    expect(first).toContain(WIZARD_STOP);
    const alreadyEnabled = m365.filter(
      (group) => kept.includes(group.objectId) && group.writebackEnabled === true,
    ).length;
    expect(first).toContain(
      `keepEnabled: ${20 - alreadyEnabled} set to isEnabled = true, ${alreadyEnabled} already enabled; ` +
        "1 group skipped: mastered on-premises (onPremisesSyncEnabled) (2,000 groups selected, 3 pages read)",
    );
    const tenant = show(stateFile).state.tenant.groups;
    const keptSet = new Set(kept);
    expect(
      tenant
        .filter((group) => group.type === "m365" && keptSet.has(group.objectId))
        .map((g) => g.writebackEnabled),
    ).toEqual(new Array(20).fill(true));
    expect(
      tenant.filter(
        (group) => group.type === "m365" && !keptSet.has(group.objectId) && group.writebackEnabled !== false,
      ),
    ).toEqual([]);

    // Every group that needed it written (the filter finds PATCHes), the synced group never.
    const written = patchesPerGroup(graphOperations(stateFile));
    expect(written.size).toBe(2000 - alreadyEnabled);
    expect(written.has(synced[0]!)).toBe(false);

    // The 429 was answered in the middle of the paging, and the next page was asked for only after its Retry-After.
    const journal = graphOperations(stateFile);
    const listings = journal.filter(
      (entry) => entry.operation === "graph.listGroups" && /Unified/.test(JSON.stringify(entry.args)),
    );
    const throttled = listings.findIndex((entry) => statusOf(entry) === 429);
    expect(listings.map(statusOf)).toEqual([200, 429, 200, 200]);
    const waitedMs = Date.parse(listings[throttled + 1]!.wallAt) - Date.parse(listings[throttled]!.wallAt);
    expect(waitedMs).toBeGreaterThanOrEqual(2000);
    // Microsoft's order: the tenant default, then the opt-outs, then the first change on the Connect server.
    const all = show(stateFile).journal.filter(
      (entry): entry is JournalOperation => entry.kind === "operation",
    );
    const lastPatch = all.map((entry) => entry.operation).lastIndexOf("graph.updateGroup");
    const windowOpened = all.findIndex(
      (entry) => entry.client === "pulumi" && entry.operation === "openSyncWindow",
    );
    expect(all.findIndex((entry) => entry.operation === "graph.createSetting")).toBeLessThan(lastPatch);
    expect(windowOpened).toBeGreaterThan(lastPatch);

    // The wizard step and its cycle: exactly the 20 kept groups (and the enabled security group) are written back.
    wizardEnable(stateFile);
    const second = await stack.up();
    expect(second.summary.result).toBe("succeeded");
    finishSync(stateFile);
    const enabledSecurity = tenant
      .filter((group) => group.type === "security" && group.writebackEnabled === true)
      .map((group) => group.objectId);
    expect(enabledSecurity).toHaveLength(1);
    const inOu = groupsIn(stateFile, LAB_OU).map((group) =>
      String(group.adminDescription).replace(/^Group_/, ""),
    );
    expect(inOu.sort()).toEqual([...kept, ...enabledSecurity].sort());

    // Someone opts a group back in by hand: preview --refresh names it.
    const victim = m365.find((group) => !keptSet.has(group.objectId))!.objectId;
    await withGraphTenant(stateFile, (tx) => {
      tx.state.tenant.groups.find((group) => group.objectId === victim)!.writebackEnabled = true;
    });
    const drift = await stack.preview({ refresh: true, diff: true });
    // The refresh shows the resource's drifted groups (count and ids), and the plan updates it.
    expect(drift.stdout).toMatch(
      new RegExp(`~ drifted\\s*: \\{\\s*~ count\\s*: 0 => 1\\s*~ sample: \\[\\s*\\+ \\[0\\]: "${victim}"`),
    );
    expect(drift.stdout).toContain("~ pulumi-nodejs:dynamic/entra-writeback:GroupWritebackOptOut: (update)");
    expect(drift.changeSummary.update).toBeGreaterThanOrEqual(1);
    // Following its advice repairs it.
    await stack.up({ refresh: true });
    expect(
      show(stateFile).state.tenant.groups.find((group) => group.objectId === victim)?.writebackEnabled,
    ).toBe(false);

    // Destroy: allowNonEmptyOuDeletion (recorded since the first up) lets it delete the OU and the 21 groups in it.
    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toContain(
      `WritebackOU: removing ${LAB_OU} and the 21 object(s) in it, as allowed`,
    );
    // The OU is gone: listing it fails (the same listing found the 21 groups before).
    expect(sim(["ad", stateFile, "list", LAB_OU, "--json"]).status).not.toBe(0);
    expect(destroy.stdout).toContain(
      "GroupWritebackOptOut: leaving every Microsoft 365 group opted out of group writeback (writebackConfiguration.isEnabled = false; onDelete: retain)",
    );
    const after = show(stateFile).state.tenant.groups;
    expect(
      after.filter(
        (group) => group.type === "m365" && !keptSet.has(group.objectId) && group.writebackEnabled !== false,
      ),
    ).toEqual([]);
  } finally {
    await testStack.cleanup();
    await simulator.stop();
  }
});

test("an opt-out killed midway (SIGKILL) finishes on the next up without writing any group twice", async () => {
  const stateFile = newLab([
    "--m365",
    "2000",
    "--m365-opted-out",
    "0",
    "--security",
    "2",
    "--security-enabled",
    "0",
  ]);
  const simulator = await startGraphSimulator({ stateFile });
  const { graph, secret } = await graphKeys(stateFile, simulator);
  // The 1,200th PATCH (in the second page) is throttled for a minute: the CLI is killed while the provider waits.
  await armGraphFault(stateFile, {
    method: "PATCH",
    path: "/beta/groups/*",
    kind: "throttle",
    retryAfterSeconds: 60,
    after: 1199,
  });
  const project = await cliProject("opt-out-killed", stateFile, {
    defaults: JSON.stringify({ optOut: "all" }),
    graph,
    graphClientSecret: secret,
  });
  try {
    const up = project.start(["up", "--yes", "--skip-preview"]);
    const deadline = Date.now() + 180_000;
    while (
      !graphOperations(stateFile).some(
        (entry) => entry.operation === "graph.updateGroup" && statusOf(entry) === 429,
      )
    ) {
      if (Date.now() > deadline) throw new Error(`the throttled PATCH never came:\n${up.output()}`);
      await sleep(250);
    }
    await sleep(500);
    up.child.kill("SIGKILL");
    expect((await up.done).signal).toBe("SIGKILL");
    const before = graphOperations(stateFile);
    const patchedBefore = patchesPerGroup(before);
    // The filter finds PATCHes: more than a page was written before the kill, not all of it.
    expect(patchedBefore.size).toBeGreaterThanOrEqual(999);
    expect(patchedBefore.size).toBeLessThan(2000);

    let next = await project.run(["up", "--yes", "--skip-preview"]);
    if (/locked/.test(next.output)) {
      expect((await project.run(["cancel", "--yes"])).exitCode).toBe(0);
      next = await project.run(["up", "--yes", "--skip-preview"]);
    }
    expect(next.output).toContain(WIZARD_STOP); // the opt-out finished; the stack stops at the wizard step
    expect(next.output).toMatch(
      /GroupWritebackOptOut: \d[\d,]* Microsoft 365 groups? opted out of writeback/,
    );
    const journal = graphOperations(stateFile);
    const perGroup = patchesPerGroup(journal);
    expect(perGroup.size).toBe(2000);
    expect([...perGroup.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // No group written before the kill was written again after it.
    const after = journal.slice(before.length);
    expect([...patchesPerGroup(after).keys()].filter((id) => patchedBefore.has(id))).toEqual([]);
    expect(
      show(stateFile).state.tenant.groups.filter(
        (group) => group.type === "m365" && group.writebackEnabled !== false,
      ),
    ).toEqual([]);
  } finally {
    await project.cleanup();
    await simulator.stop();
  }
});
