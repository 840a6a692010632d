// The migration's safety rules that depend on the engine (docs/cloud-sync-migration.md), run by the real `pulumi` CLI
// against the simulated server: what Pulumi runs in which order when a step stops (--continue-on-error), and what a
// message's advice does when followed as written.
import * as fs from "node:fs";
import * as path from "node:path";
import { type RunningGraphSimulator, startGraphSimulator } from "../../simulator/graph";
import { type CliProject, type CliRun, cliProject, failed, setKey } from "./support/cliProject";
import { graphKeysFor } from "./support/graph";
import {
  type AdObject,
  groupsIn,
  LAB_OU,
  labServersForThisFile,
  providerOperations,
  show,
  simOk,
  wizardEnable,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

const newServer = labServersForThisFile();
const LEGACY = ["--m365", "4", "--m365-opted-out", "1", "--security", "5", "--security-enabled", "5"];
const UP = ["up", "--yes", "--skip-preview"];
const MIGRATION = "entra-writeback:cloudSyncMigration";

/** Converged by today's stack (v2 on, v1 by the wizard), then the migration declared with the simulated Graph. */
async function declaredMigration(
  name: string,
  overrides: Record<string, string | number | boolean> = {},
): Promise<{ stateFile: string; project: CliProject; simulator: RunningGraphSimulator }> {
  const stateFile = newServer(LEGACY);
  const project = await cliProject(name, stateFile, overrides);
  failed(await project.run(UP));
  wizardEnable(stateFile);
  expect((await project.run(UP)).exitCode).toBe(0);
  expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);

  simOk(["cloudsync", stateFile, "settings", "--replication-delay", "0"]);
  const simulator = await startGraphSimulator({ stateFile });
  const keys = await graphKeysFor(stateFile, simulator);
  await setKey(project, "graph", keys.graph);
  await setKey(project, "graphClientSecret", keys.clientSecret, true);
  await setKey(
    project,
    "cloudSync",
    JSON.stringify({ domain: "contoso.com", targetOu: LAB_OU, naming: "connect" }),
  );
  const confirm = await project.run([
    "config",
    "set",
    "--path",
    `${MIGRATION}.confirmDisableGroupWritebackV2`,
    "false",
  ]);
  expect(confirm.exitCode).toBe(0);
  return { stateFile, project, simulator };
}

function resourcesOf(exported: CliRun): string[] {
  const deployment = JSON.parse(exported.stdout) as { deployment: { resources?: { urn: string }[] } };
  return (deployment.deployment.resources ?? []).map((resource) => resource.urn);
}

const V2_URN_SUFFIX = "GroupWritebackFeature::group-writeback-v2";

/** The GroupWritebackV2 resource as the stack's state stores it (what a destroy runs). */
async function storedV2(project: CliProject): Promise<{ urn: string; mode: unknown; onDelete: unknown }> {
  const exported = await project.run(["stack", "export"]);
  expect(exported.exitCode).toBe(0);
  const deployment = JSON.parse(exported.stdout) as {
    deployment: { resources?: { urn: string; outputs?: Record<string, unknown> }[] };
  };
  const v2 = (deployment.deployment.resources ?? []).find((resource) => resource.urn.endsWith(V2_URN_SUFFIX));
  expect(v2).toBeDefined();
  return { urn: v2!.urn, mode: v2!.outputs?.mode, onDelete: v2!.outputs?.onDelete };
}

function v2Offs(stateFile: string): unknown[] {
  return providerOperations(stateFile).filter(
    (entry) =>
      entry.outcome === "ok" &&
      entry.operation === "setGroupWritebackV2" &&
      (entry.args as { enabled: boolean }).enabled === false,
  );
}

test("disableV2OnDestroy true with the migration is refused; following the advice, --continue-on-error stopping at the wizard step deletes nothing, and v2 goes off once, by the migration", async () => {
  const { stateFile, project, simulator } = await declaredMigration("safety-v2-delete", {
    disableV2OnDestroy: true,
  });
  try {
    const refused = failed(await project.run(["preview"]));
    expect(refused).toContain(
      "GroupWriteback: cloudSyncMigration is declared with disableV2OnDestroy true, which asks the GroupWritebackV2 " +
        "resource to turn v2 off when it leaves the stack",
    );
    expect(refused).toContain(
      "Run `pulumi config set entra-writeback:disableV2OnDestroy false`, then pulumi up again",
    );
    const v2Urn = resourcesOf(await project.run(["stack", "export"])).find((urn) =>
      urn.endsWith("GroupWritebackFeature::group-writeback-v2"),
    );
    expect(v2Urn).toBeDefined();

    // The advice, as written. The stored v2 resource still says onDelete disable (set by the last up).
    expect(await storedV2(project)).toMatchObject({ mode: "enable", onDelete: "disable" });
    await setKey(project, "disableV2OnDestroy", "false");
    const up = failed(await project.run([...UP, "--continue-on-error"]));
    // The migration stopped at step 2, before its window and its rules ...
    expect(up).toContain(
      "Staging mode is off on CONNECT01; step 2 of the migration to Cloud Sync needs it on",
    );
    expect(show(stateFile).state.servers[0]?.syncWindow ?? null).toBeNull();
    // ... and the engine ran no delete: the v2 resource is still declared, updated before the steps to release mode
    // (it only reads the flag) with onDelete retain. v2 on.
    expect(await storedV2(project)).toMatchObject({ urn: v2Urn, mode: "release", onDelete: "retain" });
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);

    // The migration goes on as documented and v2 goes off once, by its irreversible step.
    simOk(["wizard", stateFile, "staging", "--enable"]);
    expect(failed(await project.run(UP))).toContain("WAITING FOR CONFIRMATION");
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);
    const confirm = await project.run([
      "config",
      "set",
      "--path",
      `${MIGRATION}.confirmDisableGroupWritebackV2`,
      "true",
    ]);
    expect(confirm.exitCode).toBe(0);
    expect(failed(await project.run(UP))).toContain('Clear "Enable staging mode"');
    simOk(["wizard", stateFile, "staging", "--disable"]);
    const last = await project.run(UP);
    expect(last.exitCode).toBe(0);
    expect(await storedV2(project)).toMatchObject({ urn: v2Urn, mode: "release", onDelete: "retain" });
    expect(v2Offs(stateFile)).toHaveLength(1);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);
  } finally {
    await simulator.stop();
    await project.cleanup();
  }
});

test("a v2 resource stored with onDelete disable: the first migration up updates it to retain before any step; after that up stopped at the wizard step, pulumi up --target on it and pulumi destroy leave GroupWritebackV2 on", async () => {
  // allowNonEmptyOuDeletion: the destroy removes the OU (and its groups) and so gets to the v2 resource, deleted last.
  const { stateFile, project, simulator } = await declaredMigration("safety-v2-destroy", {
    disableV2OnDestroy: true,
    allowNonEmptyOuDeletion: true,
  });
  try {
    // What a destroy would run before the fix: the stored v2 resource turns the flag off (onDelete disable).
    const before = await storedV2(project);
    expect(before).toMatchObject({ mode: "enable", onDelete: "disable" });

    // The refusal's advice, then the first migration up: it stops at the wizard step for staging mode, before the
    // migration's window and rules exist on the server.
    await setKey(project, "disableV2OnDestroy", "false");
    const up = failed(await project.run(UP));
    expect(up).toContain(
      "Staging mode is off on CONNECT01; step 2 of the migration to Cloud Sync needs it on",
    );
    expect(up).toContain(
      "GroupWritebackV2 is on for the tenant of CONNECT01; this resource only reads it: the migration to Cloud Sync " +
        "(entra-writeback:cloudSyncMigration) turns it off itself, after its sync rules and with its confirmation. " +
        "Its delete never turns it off.",
    );
    expect(show(stateFile).state.servers[0]?.syncWindow ?? null).toBeNull();
    expect(await storedV2(project)).toEqual({ urn: before.urn, mode: "release", onDelete: "retain" });

    // The v2 resource alone: nothing to change (no drift, whatever the flag).
    const targeted = await project.run([...UP, "--target", before.urn]);
    expect(targeted.exitCode === 0 ? "" : targeted.output).toBe("");
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);

    // pulumi destroy (no program, no step checked): the v2 resource's delete leaves the flag.
    const destroyed = await project.run(["destroy", "--yes"]);
    expect(destroyed.exitCode === 0 ? "" : destroyed.output).toBe("");
    expect(destroyed.output).toContain("GroupWritebackV2 is left as it is for the tenant of simulator");
    expect(resourcesOf(await project.run(["stack", "export"]))).not.toContain(before.urn);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);
    expect(v2Offs(stateFile)).toEqual([]);
  } finally {
    await simulator.stop();
    await project.cleanup();
  }
});

test("a security group written back after the plan: the irreversible step refuses with v2 on; the pulumi up --replace the message gives reads the plan and step 1 again, and Cloud Sync takes the group over too", async () => {
  const { stateFile, project, simulator } = await declaredMigration("safety-late-group");
  try {
    expect(failed(await project.run(UP))).toContain("Staging mode is off on CONNECT01");
    // While the admin gets to the wizard, a security group is enabled for writeback and a cycle writes it back.
    const added = simOk([
      "tenant",
      stateFile,
      "add-group",
      "--type",
      "security",
      "--name",
      "SG-Late",
      "--writeback",
      "true",
    ]);
    const late = show(stateFile).state.tenant.groups.find((group) => group.displayName === "SG-Late")!;
    expect(added).toContain(late.objectId);
    simOk(["sync", stateFile, "--policy", "Delta", "--wait"]);
    const lateDn = () =>
      (groupsIn(stateFile, LAB_OU) as (AdObject & { externalDirectoryObjectId?: string | null })[]).find(
        (group) => group.adminDescription === `Group_${late.objectId}`,
      );
    expect(lateDn()).toBeDefined();
    simOk(["wizard", stateFile, "staging", "--enable"]);

    const refused = failed(await project.run(UP));
    expect(refused).toContain("REFUSED: the written-back security groups in");
    expect(refused).toContain("took over: 1 written back since the plan was read: SG-Late (CN=Group_");
    expect(refused).toContain("GroupWritebackV2 stays on; nothing was changed.");
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);
    const advice = /pulumi up ((?:--replace '[^']+' ?)+)/.exec(refused);
    expect(advice).not.toBeNull();
    const replaces = [...advice![1]!.matchAll(/--replace '([^']+)'/g)].flatMap((match) => [
      "--replace",
      match[1]!,
    ]);
    expect(replaces).toHaveLength(4);

    // The advice, as written: the plan and step 1 again; then the migration waits for the confirmation as usual.
    const replanned = failed(await project.run([...UP, ...replaces]));
    expect(replanned).toContain("Cloud Sync takes over 6 written-back security groups");
    expect(replanned).toContain("1 copied from adminDescription, 5 already set");
    expect(replanned).toContain("WAITING FOR CONFIRMATION");
    expect(lateDn()?.externalDirectoryObjectId).toBe(lateDn()?.adminDescription);

    const confirm = await project.run([
      "config",
      "set",
      "--path",
      `${MIGRATION}.confirmDisableGroupWritebackV2`,
      "true",
    ]);
    expect(confirm.exitCode).toBe(0);
    expect(failed(await project.run(UP))).toContain('Clear "Enable staging mode"');
    simOk(["wizard", stateFile, "staging", "--disable"]);
    expect((await project.run(UP)).exitCode).toBe(0);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);
    // Cloud Sync's scope: the plan's groups, the late one with them (5 before).
    expect(simOk(["cloudsync", stateFile, "show"])).toContain("scope 6 selected group(s)");
    const outputs = await project.run(["stack", "output", "--json"]);
    const plan = (JSON.parse(outputs.stdout) as { cloudSyncMigrationPlan: { securityGroupIds: string[] } })
      .cloudSyncMigrationPlan;
    expect(plan.securityGroupIds).toContain(late.objectId);
  } finally {
    await simulator.stop();
    await project.cleanup();
  }
});

test("a stack mid-migration whose syncRules step was stored by the earlier version (no choice, no SyncRule resources): pulumi up reads the rules' precedences from the server, adopts the rules as they are and finishes", async () => {
  const { stateFile, project, simulator } = await declaredMigration("safety-earlier-state");
  try {
    expect(failed(await project.run(UP))).toContain("Staging mode is off on CONNECT01");
    simOk(["wizard", stateFile, "staging", "--enable"]);
    expect(failed(await project.run(UP))).toContain("WAITING FOR CONFIRMATION");

    // The state as the earlier version left it: the step without its choice, the rules not resources of the stack.
    const exported = JSON.parse((await project.run(["stack", "export"])).stdout) as {
      deployment: {
        resources: {
          urn: string;
          outputs?: Record<string, unknown>;
          dependencies?: string[];
          propertyDependencies?: Record<string, string[]>;
        }[];
      };
    };
    const resources = exported.deployment.resources;
    const syncRules = resources.find((resource) => resource.urn.endsWith("-cloud-sync-migration-syncRules"))!;
    delete syncRules.outputs!.syncRules;
    const rules = resources.filter((resource) =>
      /-cloud-sync-migration-rule-(inbound|outbound)$/.test(resource.urn),
    );
    expect(rules).toHaveLength(2);
    const gone = new Set(rules.map((resource) => resource.urn));
    exported.deployment.resources = resources
      .filter((resource) => !gone.has(resource.urn))
      .map((resource) => {
        const dependencies = (resource.dependencies ?? []).filter((urn) => !gone.has(urn));
        const replaced = dependencies.length < (resource.dependencies ?? []).length;
        return {
          ...resource,
          ...(resource.dependencies
            ? { dependencies: replaced ? [...dependencies, syncRules.urn] : dependencies }
            : {}),
          ...(resource.propertyDependencies
            ? {
                propertyDependencies: Object.fromEntries(
                  Object.entries(resource.propertyDependencies).map(([key, urns]) => [
                    key,
                    urns.filter((urn) => !gone.has(urn)),
                  ]),
                ),
              }
            : {}),
        };
      });
    const file = path.join(project.directory, "earlier.json");
    fs.writeFileSync(file, JSON.stringify(exported));
    expect((await project.run(["stack", "import", "--file", file])).exitCode).toBe(0);

    const preview = await project.run(["preview"]);
    expect(preview.exitCode).toBe(0);
    expect(preview.output).not.toContain("has no chosen precedences");

    const confirm = await project.run([
      "config",
      "set",
      "--path",
      `${MIGRATION}.confirmDisableGroupWritebackV2`,
      "true",
    ]);
    expect(confirm.exitCode).toBe(0);
    const up = failed(await project.run(UP));
    expect(up).toContain("read from the server (this step was stored by an earlier version, without them)");
    expect(up).toContain('Clear "Enable staging mode"');
    simOk(["wizard", stateFile, "staging", "--disable"]);
    expect((await project.run(UP)).exitCode).toBe(0);
    // The rules adopted as they were: the two made before the state was rewound, none made again.
    const made = providerOperations(stateFile).filter(
      (entry) => entry.outcome === "ok" && entry.operation === "newSyncRule",
    );
    expect(made).toHaveLength(2);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);
    expect((await project.run(["preview", "--expect-no-changes"])).exitCode).toBe(0);
  } finally {
    await simulator.stop();
    await project.cleanup();
  }
});
