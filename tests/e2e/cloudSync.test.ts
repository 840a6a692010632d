// Cloud Sync group provisioning on the real engine against the simulated Microsoft Graph and its Cloud Sync engine:
// 30 selected security groups provisioned to the declared OU with the declared names; a converged stack shows no
// changes; drift on each part is named on its resource and repaired; 600 cloud deletes are held in quarantine until
// the stack names the release; Connect Sync's v1 writeback runs side by side, neither touching the other's groups.
import { readState, withState } from "../../simulator";
import { dnKey, firstRdn, parentDn } from "../../domain/dn";
import { runCloudSyncCycle, seedCloudSyncGroups, type SeededGroup } from "../../simulator/cloudSync";
import { startGraphSimulator, type RunningGraphSimulator } from "../../simulator/graph";
import { graphKeysFor } from "./support/graph";
import { CloudSyncGroupProvisioning } from "../../components/cloudSync";
import { createTestStack, type TestStack } from "./support/pulumiHarness";
import program from "../../index";
import {
  convergeLab,
  failureOf,
  groupsIn,
  labConfig,
  LAB_OU,
  labServersForThisFile,
  simOk,
  throughCli,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

const newLab = labServersForThisFile();
const CLOUD_OU = "OU=Groups,OU=Corp,DC=contoso,DC=com";

interface GraphLab {
  stateFile: string;
  simulator: RunningGraphSimulator;
  graphConfig: string;
  secret: string;
}

async function graphLab(): Promise<GraphLab> {
  const stateFile = newLab();
  const simulator = await startGraphSimulator({ stateFile });
  const keys = await graphKeysFor(stateFile, simulator);
  return { stateFile, simulator, secret: keys.clientSecret, graphConfig: keys.graph };
}

const seed = (stateFile: string, groups: number, namePrefix: string, members = 1): Promise<SeededGroup[]> =>
  withState(stateFile, (tx) =>
    seedCloudSyncGroups(tx, {
      groups,
      membersPerGroup: members,
      onPremisesMembersPerGroup: members,
      namePrefix,
    }),
  );

/** The Cloud Sync resource types a preview plans to update, sorted. */
function planned(stdout: string): string[] {
  return [...stdout.matchAll(/entra-writeback:(CloudSync\w+): \(update\)/g)].map((match) => match[1]!).sort();
}

/** What the refresh of a preview shows for one resource type (its `(refresh)` block). */
function refreshed(stdout: string, kind: string): string {
  const start = stdout.indexOf(`entra-writeback:${kind}: (refresh)`);
  if (start < 0) return "";
  const rest = stdout.slice(start + 1);
  const end = rest.search(/entra-writeback:\w+: \((refresh|update|same)\)|pulumi:pulumi:Stack: \(same\)/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Cloud Sync's default name: <display name>_<last 12 of the objectId>. */
const cloudSyncName = (group: SeededGroup) => `${group.displayName}_${group.objectId.slice(24)}`;

/** The names (cn) of the groups directly in an OU of the simulated AD. */
async function cnsIn(stateFile: string, ou: string): Promise<string[]> {
  const state = await readState(stateFile);
  const key = dnKey(ou);
  return Object.values(state.domain.objects)
    .filter(
      (object) =>
        object.objectClass === "group" && parentDn(object.dn) !== null && dnKey(parentDn(object.dn)!) === key,
    )
    .map((object) => firstRdn(object.dn).value)
    .sort();
}

test("30 selected groups: up and one cycle provision exactly them; converged; drift on each part named and repaired", async () => {
  const lab = await graphLab();
  let testStack: TestStack | undefined;
  try {
    const selected = await seed(lab.stateFile, 30, "CS");
    // Groups that exist in the tenant but are not selected: the cycle must leave them out.
    const others = await seed(lab.stateFile, 5, "Other");
    testStack = await createTestStack({
      stackName: "cloud-sync-30",
      program: async () => {
        const cloudSync = new CloudSyncGroupProvisioning("cloud-sync", {
          domain: "contoso.com",
          targetOu: CLOUD_OU,
          groupIds: selected.map((group) => group.objectId),
        });
        return {
          jobState: cloudSync.jobState,
          statusCode: cloudSync.statusCode,
          prerequisites: cloudSync.prerequisites,
        };
      },
      config: {
        "entra-writeback:graph": { value: lab.graphConfig },
        "entra-writeback:graphClientSecret": { value: lab.secret, secret: true },
      },
    });
    const { stack } = testStack;
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 6 }); // the stack, the component, four resources
    expect(up.outputs.jobState?.value).toBe("running");
    expect(up.stdout).toContain("the provisioning agent APIs are delegated-only");
    expect(up.stdout).not.toContain(lab.secret);

    // Starting the job made a cycle due at once (the simulator may have run it already); this one runs now.
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toEqual(selected.map(cloudSyncName).sort());
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).not.toContain(cloudSyncName(others[0]!));

    const again = await stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 6 });
    await stack.preview({ refresh: true, expectNoChanges: true });

    // The delete threshold raised by hand: only the configuration is planned (the others keep its ids).
    await withState(lab.stateFile, (tx) => {
      const sp = tx.state.cloudSync!.servicePrincipals[0]!;
      sp.secrets = sp.secrets.map((each) =>
        each.key === "SyncNotificationSettings"
          ? {
              ...each,
              value: each.value.replace('"DeleteThresholdValue":500', '"DeleteThresholdValue":5000'),
            }
          : each,
      );
    });
    const threshold = await stack.preview({ refresh: true, diff: true });
    expect(threshold.changeSummary.update).toBe(1);
    expect(planned(threshold.stdout)).toEqual(["CloudSyncConfiguration"]);
    expect(threshold.stdout).toMatch(/~ deleteThreshold\s*: 500 => 5000/);

    // Three more changes by hand, one per part: the job paused, cn changed, a group unassigned.
    const removed = selected[0]!.objectId;
    await withState(lab.stateFile, (tx) => {
      const cloudSync = tx.state.cloudSync!;
      const job = cloudSync.servicePrincipals[0]!.jobs[0]!;
      job.schedule.state = "Paused";
      job.status.code = "Paused";
      const cn = job.schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find(
        (each) => each.targetAttributeName === "cn",
      )!;
      cn.source = { expression: "[displayName]", name: "displayName", parameters: [], type: "Attribute" };
      cloudSync.appRoleAssignments = cloudSync.appRoleAssignments.filter(
        (each) => each.principalId !== removed,
      );
    });
    const drift = await stack.preview({ refresh: true, diff: true });
    expect(drift.changeSummary.update).toBe(4);
    expect(planned(drift.stdout)).toEqual([
      "CloudSyncConfiguration",
      "CloudSyncJob",
      "CloudSyncMappings",
      "CloudSyncScope",
    ]);
    // The refresh names each live value on its resource.
    expect(refreshed(drift.stdout, "CloudSyncJob")).toMatch(/~ state\s*: "running" => "paused"/);
    expect(refreshed(drift.stdout, "CloudSyncMappings")).toMatch(
      /~ expression: "Append\(Append.* => "\[displayName\]"/,
    );
    expect(refreshed(drift.stdout, "CloudSyncScope")).toMatch(/~ groupIds\s*:/);
    expect(refreshed(drift.stdout, "CloudSyncScope")).toContain(removed);
    expect(refreshed(drift.stdout, "CloudSyncConfiguration")).toMatch(/~ deleteThreshold\s*: 500 => 5000/);

    const repair = await stack.up({ refresh: true });
    expect(repair.summary.resourceChanges).toMatchObject({ update: 4 });
    await stack.preview({ refresh: true, expectNoChanges: true });
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toEqual(selected.map(cloudSyncName).sort());
  } finally {
    await testStack?.cleanup();
    await lab.simulator.stop();
  }
});

test("all security groups with attribute filters: up and one cycle provision what the filter selects; converged; SyncAll and the filter changed by hand named and repaired", async () => {
  const lab = await graphLab();
  let testStack: TestStack | undefined;
  try {
    const sales = await seed(lab.stateFile, 4, "Sales");
    const hr = await seed(lab.stateFile, 3, "HR");
    testStack = await createTestStack({
      stackName: "cloud-sync-all",
      program: async () => {
        const cloudSync = new CloudSyncGroupProvisioning("cloud-sync", {
          domain: "contoso.com",
          targetOu: CLOUD_OU,
          groupIds: [],
          allSecurityGroups: {
            filters: [{ clauses: [{ attribute: "displayName", operator: "REGEX MATCH", value: "^Sales " }] }],
          },
        });
        return { jobState: cloudSync.jobState };
      },
      config: {
        "entra-writeback:graph": { value: lab.graphConfig },
        "entra-writeback:graphClientSecret": { value: lab.secret, secret: true },
      },
    });
    const { stack } = testStack;
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 6 });
    const sp = async () => (await readState(lab.stateFile)).cloudSync!.servicePrincipals[0]!;
    expect((await sp()).secrets.find((each) => each.key === "SyncAll")?.value).toBe("true");
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toEqual(sales.map(cloudSyncName).sort());
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).not.toContain(cloudSyncName(hr[0]!));

    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 6 });
    await stack.preview({ refresh: true, expectNoChanges: true });

    // By hand: "selected security groups" again (SyncAll false) and the filter removed.
    await withState(lab.stateFile, (tx) => {
      const live = tx.state.cloudSync!.servicePrincipals[0]!;
      live.secrets = live.secrets.map((each) =>
        each.key === "SyncAll" ? { ...each, value: "false" } : each,
      );
      live.jobs[0]!.schema.synchronizationRules[0]!.objectMappings[0]!.scope = null;
    });
    const drift = await stack.preview({ refresh: true, diff: true });
    expect(planned(drift.stdout)).toEqual(["CloudSyncConfiguration", "CloudSyncMappings"]);
    expect(refreshed(drift.stdout, "CloudSyncConfiguration")).toMatch(/~ syncAll\s*: true => false/);
    expect(refreshed(drift.stdout, "CloudSyncMappings")).toMatch(/scopingFilter/);

    const repair = await stack.up({ refresh: true });
    expect(repair.summary.resourceChanges).toMatchObject({ update: 2 });
    await stack.preview({ refresh: true, expectNoChanges: true });
    expect((await sp()).secrets.find((each) => each.key === "SyncAll")?.value).toBe("true");
    expect((await sp()).jobs[0]!.schema.synchronizationRules[0]!.objectMappings[0]!.scope).not.toBeNull();
  } finally {
    await testStack?.cleanup();
    await lab.simulator.stop();
  }
});

test("side by side with Connect Sync v1 through the project's program; 600 cloud deletes held until the stack names the release", async () => {
  const lab = await graphLab();
  let testStack: TestStack | undefined;
  try {
    const selected = await seed(lab.stateFile, 600, "CS", 0);
    testStack = await createTestStack({
      stackName: "cloud-sync-lab",
      program,
      config: {
        ...labConfig(lab.stateFile, { graph: lab.graphConfig }),
        "entra-writeback:graphClientSecret": { value: lab.secret, secret: true },
      },
    });
    const { stack } = testStack;
    // entra-writeback:cloudSync as an object, as docs/cloud-sync.md says to set it (pulumi config set --path).
    await stack.setAllConfig(
      {
        "entra-writeback:cloudSync.domain": { value: "contoso.com" },
        "entra-writeback:cloudSync.targetOu": { value: CLOUD_OU },
        ...Object.fromEntries(
          selected.map((group, index) => [
            `entra-writeback:cloudSync.groupIds[${index}]`,
            { value: group.objectId },
          ]),
        ),
      },
      true,
    );
    await convergeLab(testStack, lab.stateFile);
    // The stack's Connect server is new enough for the users it syncs to be members.
    const outputs = await stack.outputs();
    expect((outputs.cloudSync?.value as { prerequisites: string[] }).prerequisites).toContain(
      "Connect Sync 2.4.18.0 on CONNECT01 syncs onPremisesObjectIdentifier (2.2.8.0 or later): the users it syncs can be written as members",
    );
    const connectGroups = groupsIn(lab.stateFile, LAB_OU)
      .map((group) => group.dn)
      .sort();
    expect(connectGroups.length).toBeGreaterThan(0);

    // Cloud Sync provisions the security groups to its OU; Connect's writeback OU is left as it was.
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toEqual(selected.map(cloudSyncName).sort());
    expect(
      groupsIn(lab.stateFile, LAB_OU)
        .map((group) => group.dn)
        .sort(),
    ).toEqual(connectGroups);
    // A Connect sync cycle leaves Cloud Sync's groups alone.
    simOk(["sync", lab.stateFile, "--policy", "Delta", "--wait"]);
    expect(
      groupsIn(lab.stateFile, LAB_OU)
        .map((group) => group.dn)
        .sort(),
    ).toEqual(connectGroups);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toHaveLength(600);
    await stack.preview({ refresh: true, expectNoChanges: true });

    // 600 groups deleted in the cloud: the cycle holds the deletes and quarantines the job (threshold 500).
    const deleted = new Set(selected.map((group) => group.objectId));
    await withState(lab.stateFile, (tx) => {
      for (const group of tx.state.tenant.groups) if (deleted.has(group.objectId)) group.deleted = "hard";
    });
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toHaveLength(600);
    const preview = await stack.preview({ refresh: true, diff: true });
    expect(refreshed(preview.stdout, "CloudSyncJob")).toMatch(/~ state\s*: "running" => "quarantined"/);
    expect(preview.stdout).toContain("is quarantined with TooManyDeletes");

    // The deleted groups leave the declaration; up still releases nothing and says how to. Run by the CLI: the job
    // is refused while the Connect side may still be registering (throughCli in support/lab.ts).
    await stack.removeConfig("entra-writeback:cloudSync.groupIds", true);
    const refused = await failureOf(throughCli(testStack, (cli) => cli.up()));
    const advice =
      /set entra-writeback:cloudSync\.releaseQuarantine to "(TooManyDeletes@[^"]+)" and run pulumi up/.exec(
        refused,
      );
    expect(advice).not.toBeNull();
    expect(refused).toContain("Nothing is released automatically");
    expect(refused).not.toMatch(/\n\s+at .*\.js:\d+/);
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toHaveLength(600);

    // Following the advice.
    await stack.setConfig("entra-writeback:cloudSync.releaseQuarantine", { value: advice![1]! }, true);
    const released = await stack.up();
    expect(released.summary.result).toBe("succeeded");
    expect(released.stdout).toContain(`releasing the deletes held back by ${advice![1]}`);
    await runCloudSyncCycle(lab.stateFile);
    expect(await cnsIn(lab.stateFile, CLOUD_OU)).toEqual([]);
    // Connect's groups are still there.
    expect(
      groupsIn(lab.stateFile, LAB_OU)
        .map((group) => group.dn)
        .sort(),
    ).toEqual(connectGroups);
    await stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack?.cleanup();
    await lab.simulator.stop();
  }
});
