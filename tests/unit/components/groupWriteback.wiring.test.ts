// The component's wiring under Pulumi mocks: which resources it declares, in which order, with what
// inputs, and that every provider serializes small (the mocks receive the serialized provider).
import * as pulumi from "@pulumi/pulumi";
import { GroupWriteback, type GroupWritebackArgs } from "../../../components/groupWriteback";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":WritebackOU")) state.writebackOu = args.inputs.writebackOu;
        if (args.type.endsWith(":SchedulerState"))
          Object.assign(state, { connectVersion: "2.4.18.0", computerName: "CONNECT01" });
        if (args.type.endsWith(":CloudSyncMigrationStep")) {
          state.summary = "done";
          state.plan = args.inputs.step === "plan" ? { securityGroupIds: [MIGRATED] } : null;
          state.syncRules =
            args.inputs.step === "syncRules"
              ? { inbound: 3, outbound: 4, adConnector: "dc0a3e6e-5e34-4b1b-9d42-1c1f1d3a9b01" }
              : null;
        }
        if (args.type.endsWith(":GroupWritebackFeature") && args.inputs.version === "v2")
          state.enabled = true;
        if (args.type.endsWith(":GroupWritebackFeature") && args.inputs.version === "v1") {
          Object.assign(state, {
            configured: true,
            writtenBackGroupCount: 7,
            pendingExports: null,
            pendingManualSteps: [],
          });
        }
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    "entra-writeback",
    "wiring",
    false,
  );
  // The URNs each resource was registered with a dependency on (the mocks' arguments do not carry them).
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    dependencies.set(request.getName(), request.getDependenciesList());
    return register(request, callback);
  };
});

interface RegisterRequest {
  getName(): string;
  getDependenciesList(): string[];
}
const dependencies = new Map<string, string[]>();

const target = { kind: "simulator" as const, stateFile: ".lab/lab.json" };
const ou = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";
const account = "CN=MSOL_a1b2c3d4e5f6,CN=Users,DC=contoso,DC=com";

function outputOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

async function build(args: Partial<GroupWritebackArgs> = {}) {
  registered.length = 0;
  const component = new GroupWriteback("gw", {
    target,
    writebackOu: ou,
    connectorAccountDn: account,
    ...args,
  });
  await outputOf(component.writtenBackGroupCount);
  await outputOf(component.v2State);
  return component;
}

const byName = (name: string) => registered.find((r) => r.name === name);

test("declares scheduler, v2, OU, permission and v1, with the documented inputs", async () => {
  const component = await build();
  expect(registered.map((r) => r.name)).toEqual([
    "gw",
    "gw-scheduler",
    "gw-v2",
    "gw-ou",
    "gw-permission",
    "gw-v1",
  ]);
  expect(byName("gw-scheduler")?.inputs).toMatchObject({ syncCycleEnabled: true, role: "active", target });
  expect(byName("gw-v2")?.inputs).toMatchObject({ version: "v2", mode: "enable", onDelete: "retain" });
  expect(byName("gw-ou")?.inputs).toMatchObject({ writebackOu: ou, allowNonEmptyOuDeletion: false });
  expect(byName("gw-permission")?.inputs).toMatchObject({
    permissions: "ou",
    writebackOu: ou,
    connectorAccountDn: account,
  });
  expect(byName("gw-v1")?.inputs).toMatchObject({
    version: "v1",
    writebackOu: ou,
    requireV2: true,
    dnFormat: "objectId",
  });
  expect(await outputOf(component.v2State)).toBe("enabled");
  expect(await outputOf(component.writtenBackGroupCount)).toBe(7);
});

test("every resource carries the provider version and a small serialized provider", async () => {
  await build();
  const dynamic = registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/entra-writeback:"));
  expect(dynamic.map((r) => r.type.split(":").pop()).sort()).toEqual([
    "GroupWritebackFeature",
    "GroupWritebackFeature",
    "SchedulerState",
    "WritebackOU",
    "WritebackPermission",
  ]);
  for (const resource of dynamic) {
    const serialized = String(resource.inputs.__provider);
    expect(resource.inputs.providerVersion).toBe("1");
    expect(serialized).toContain("dist");
    // Thin: no zod, no node-powershell, no simulator code by value.
    expect(serialized).not.toMatch(/safeParse|node-powershell|ZodObject/);
    expect(serialized.length).toBeLessThan(8_000);
  }
});

test("groupWritebackV2 skip declares no v2 resource and lets v1 run without it", async () => {
  const component = await build({ groupWritebackV2: "skip" });
  expect(byName("gw-v2")).toBeUndefined();
  expect(byName("gw-v1")?.inputs).toMatchObject({ requireV2: false });
  expect(await outputOf(component.v2State)).toBe("skipped");
});

test("staging role, forest permissions, display-name DNs and destroy options reach the resources", async () => {
  await build({
    role: "staging",
    permissions: "forest",
    dnFormat: "displayName",
    allowNonEmptyOuDeletion: true,
    disableV2OnDestroy: true,
    groupWritebackV2: "require",
    wizardWaitSeconds: 900,
  });
  expect(byName("gw-scheduler")?.inputs).toMatchObject({ role: "staging" });
  expect(byName("gw-v2")?.inputs).toMatchObject({ mode: "require", onDelete: "disable" });
  expect(byName("gw-ou")?.inputs).toMatchObject({ allowNonEmptyOuDeletion: true });
  expect(byName("gw-permission")?.inputs).toMatchObject({ permissions: "forest" });
  expect(byName("gw-v1")?.inputs).toMatchObject({
    role: "staging",
    dnFormat: "displayName",
    wizardWaitSeconds: 900,
  });
});

test("values may be outputs of other resources; they reach the resources resolved", async () => {
  await build({
    target: pulumi.output(target),
    writebackOu: pulumi.output(ou),
    connectorAccountDn: pulumi.output(account),
    syncIdleTimeoutSeconds: pulumi.output(120),
    disableV2OnDestroy: pulumi.output(true),
    acknowledgedOptedOutGroups: pulumi.output(3),
  });
  expect(byName("gw-scheduler")?.inputs).toMatchObject({ target, syncIdleTimeoutSeconds: 120 });
  expect(byName("gw-v2")?.inputs).toMatchObject({
    onDelete: "disable",
    preflight: { writebackOu: ou, connectorAccountDn: account },
  });
  expect(byName("gw-ou")?.inputs).toMatchObject({ writebackOu: ou });
  expect(byName("gw-permission")?.inputs).toMatchObject({ writebackOu: ou, connectorAccountDn: account });
  expect(byName("gw-v1")?.inputs).toMatchObject({ writebackOu: ou, acknowledgedOptedOutGroups: 3 });
});

test("what the args leave out is the default of the provider's own schema", async () => {
  await build();
  expect(byName("gw-scheduler")?.inputs).toMatchObject({ syncIdleTimeoutSeconds: 600 });
  expect(byName("gw-v1")?.inputs).toMatchObject({
    wizardWaitSeconds: 0,
    wizardPollSeconds: 10,
    acknowledgedOptedOutGroups: 0,
    syncIdleTimeoutSeconds: 600,
  });
});

test("defaults declare the tenant default first, and the scheduler (so everything on the server) after it", async () => {
  const component = await build({ defaults: {} });
  expect(registered.map((r) => r.name)).toEqual([
    "gw",
    "gw-tenant-default",
    "gw-scheduler",
    "gw-v2",
    "gw-ou",
    "gw-permission",
    "gw-v1",
  ]);
  expect(byName("gw-tenant-default")?.type).toBe(
    "pulumi-nodejs:dynamic/entra-writeback:UnifiedGroupWritebackDefault",
  );
  expect(byName("gw-tenant-default")?.inputs).toMatchObject({
    newUnifiedGroupWritebackDefault: false,
    onDelete: "retain",
  });
  // The Graph connection is provider configuration, never an input; the server and the checks it runs before the
  // tenant-wide change (preflight) are.
  expect(Object.keys(byName("gw-tenant-default")!.inputs).sort()).toEqual([
    "__provider",
    "newUnifiedGroupWritebackDefault",
    "onDelete",
    "preflight",
    "providerVersion",
    "target",
  ]);
  expect(component.tenantDefault).toBeDefined();
  await build({ defaults: { newUnifiedGroupWritebackDefault: true, restoreTenantDefaultOnDestroy: true } });
  expect(byName("gw-tenant-default")?.inputs).toMatchObject({
    newUnifiedGroupWritebackDefault: true,
    onDelete: "restore",
  });
  // Without defaults: today's resources only.
  await build();
  expect(byName("gw-tenant-default")).toBeUndefined();
});

test("defaults with optOut: the tenant default, then the opt-out, then the scheduler", async () => {
  const kept = ["5C1F0A9E-0B8D-4C39-9E58-0B5C1B0F9A11"];
  const component = await build({ defaults: { optOut: "all", keepEnabled: kept } });
  expect(registered.map((r) => r.name)).toEqual([
    "gw",
    "gw-tenant-default",
    "gw-opt-out",
    "gw-scheduler",
    "gw-v2",
    "gw-ou",
    "gw-permission",
    "gw-v1",
  ]);
  expect(byName("gw-opt-out")?.type).toBe("pulumi-nodejs:dynamic/entra-writeback:GroupWritebackOptOut");
  expect(byName("gw-opt-out")?.inputs).toMatchObject({
    groups: "all",
    keepEnabled: kept,
    target,
    preflight: { writebackOu: ou, connectorAccountDn: account },
  });
  expect(byName("gw-opt-out")?.inputs.onDelete).toBeUndefined(); // the resource's default: retain
  expect(component.optOut).toBeDefined();
  await build({
    defaults: { optOut: { filter: "startswith(displayName,'Project')" }, reEnableOptOutsOnDestroy: true },
  });
  expect(byName("gw-opt-out")?.inputs).toMatchObject({
    groups: { filter: "startswith(displayName,'Project')" },
    onDelete: "reEnable",
  });
  // defaults without optOut: no opt-out resource.
  await build({ defaults: {} });
  expect(byName("gw-opt-out")).toBeUndefined();
});

const DECLARED = "11111111-2222-4333-8444-555555555555";
const MIGRATED = "66666666-2222-4333-8444-555555555555";

test("cloudSyncMigration: the v2 resource in release mode, then the migration's steps, in the documented order; v1 no longer requires v2", async () => {
  const component = await build({
    cloudSyncMigration: { confirmDisableGroupWritebackV2: true },
    cloudSync: { domain: "contoso.com", targetOu: ou, naming: "connect", groupIds: [DECLARED] },
  });
  const steps = [
    "plan",
    "copyDirectoryObjectIds",
    "stagingOn",
    "schedulerOff",
    "syncRules",
    "rule-inbound",
    "rule-outbound",
    "initialCycleBeforeV2Off",
    "disableGroupWritebackV2",
    "initialCycleAfterV2Off",
    "schedulerOn",
    "stagingOff",
  ].map((step) => `gw-cloud-sync-migration-${step}`);
  const names = registered.map((r) => r.name);
  expect(
    names.filter((n) => !n.startsWith("gw-cloud-sync") || n.startsWith("gw-cloud-sync-migration")),
  ).toEqual([
    "gw",
    "gw-v2",
    "gw-cloud-sync-migration",
    ...steps,
    "gw-scheduler",
    "gw-ou",
    "gw-permission",
    "gw-v1",
  ]);
  // Cloud Sync (step 7) is declared after the migration's last step.
  const last = names.indexOf("gw-cloud-sync-migration-stagingOff");
  expect(names.indexOf("gw-cloud-sync-configuration")).toBeGreaterThan(last);
  // The v2 resource, same name (same URN) as without the migration: it only reads the flag and never turns it off.
  expect(component.v2).toBeDefined();
  expect(byName("gw-v2")?.inputs).toMatchObject({ version: "v2", mode: "release", onDelete: "retain" });
  expect(dependencies.get("gw-v2")).toEqual([]);
  // The migration's first step waits for it (its update from a stored onDelete disable to retain); nothing of the
  // migration runs if it fails (--continue-on-error).
  const v2Urn = await outputOf(component.v2!.urn);
  expect(dependencies.get("gw-cloud-sync-migration-plan")).toContain(v2Urn);
  expect(dependencies.get("gw-cloud-sync-migration-copyDirectoryObjectIds")).not.toContain(v2Urn);
  // With the migration the stack outputs register once its last step is done, which turned v2 off.
  expect(await outputOf(component.v2State)).toBe("disabled");
  expect(byName("gw-v1")?.inputs).toMatchObject({ requireV2: false, migratedToCloudSync: true });
  // The confirmation reaches only the plan and the irreversible step; the mapping only the plan and Cloud Sync.
  const withConfirmation = registered.filter((r) => r.inputs.confirmDisableGroupWritebackV2 === true);
  expect(withConfirmation.map((r) => r.inputs.step)).toEqual(["plan", "disableGroupWritebackV2"]);
  const withMapping = registered.filter((r) => r.inputs.cloudSync !== undefined);
  expect(withMapping.map((r) => r.inputs.step)).toEqual(["plan"]);
  expect(byName("gw-cloud-sync-migration-plan")?.inputs).toMatchObject({
    writebackOu: ou,
    cloudSync: { naming: "connect", targetOu: ou },
    stack: "entra-writeback/wiring",
  });
  // Step 7: Cloud Sync's scope is the declared groups and the migrated ones.
  expect(byName("gw-cloud-sync-scope")?.inputs.groupIds).toEqual([DECLARED, MIGRATED]);
  // The plan output, once the last step is done, says its counts are from before the run.
  expect(await outputOf(component.cloudSyncMigrationPlan)).toEqual({
    securityGroupIds: [MIGRATED],
    status: expect.stringMatching(
      /^done: every step of the migration ran; the counts above were read before it ran/,
    ),
  });
  // Steps 3 and 4: SyncRule resources with what the syncRules step chose (precedences, the AD connector), kept on
  // destroy, named for this stack's window (the migration's held window: they open none of their own).
  const rules = ["gw-cloud-sync-migration-rule-inbound", "gw-cloud-sync-migration-rule-outbound"].map(byName);
  expect(rules.map((rule) => rule?.type)).toEqual([
    "pulumi-nodejs:dynamic/entra-writeback:SyncRule",
    "pulumi-nodejs:dynamic/entra-writeback:SyncRule",
  ]);
  expect(rules.map((rule) => rule?.inputs)).toMatchObject([
    {
      name: "In from AAD - Group SOAInAAD cloudNoFlow (migration to Cloud Sync)",
      disabled: false,
      onDelete: "retain",
      stack: "entra-writeback/wiring",
      definition: { precedence: 3, direction: "Inbound", linkType: "Join" },
    },
    {
      name: "Out to AD - Group SOAInAAD JoinNoFlow (migration to Cloud Sync)",
      disabled: false,
      onDelete: "retain",
      stack: "entra-writeback/wiring",
      definition: {
        precedence: 4,
        direction: "Outbound",
        linkType: "JoinNoFlow",
        connector: "dc0a3e6e-5e34-4b1b-9d42-1c1f1d3a9b01",
      },
    },
  ]);
});

/** The stack configures Microsoft Graph (entra-writeback:graph) while `run` runs. */
async function withGraphConfigured<T>(run: () => Promise<T>): Promise<T> {
  const before = pulumi.runtime.allConfig();
  pulumi.runtime.setConfig(
    "entra-writeback:graph",
    JSON.stringify({ tenantId: "contoso.onmicrosoft.com", clientId: "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f" }),
  );
  try {
    return await run();
  } finally {
    pulumi.runtime.setAllConfig(before);
  }
}

test("the Connect-side defaults: the delete rule after the scheduler and before v2, the member limit rule after v1", async () => {
  // With Graph configured, the tenant default comes first as before (without it: the next test).
  await withGraphConfigured(() => connectSideDefaults());
});

async function connectSideDefaults() {
  const component = await build({ defaults: { deleteRulePrecedence: 42, disableMemberLimitRule: true } });
  await outputOf(component.memberLimitRule!.id);
  expect(registered.map((r) => r.name)).toEqual([
    "gw",
    "gw-tenant-default",
    "gw-scheduler",
    "gw-delete-rule",
    "gw-v2",
    "gw-ou",
    "gw-permission",
    "gw-v1",
    "gw-member-limit-rule",
  ]);
  expect(byName("gw-delete-rule")?.type).toBe("pulumi-nodejs:dynamic/entra-writeback:SyncRule");
  expect(byName("gw-delete-rule")?.inputs).toMatchObject({
    name: "In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete",
    disabled: false,
    onDelete: "retain",
    definition: { identifier: "cb871f2d-0f01-4c32-a333-ff809145b947", precedence: 42, direction: "Inbound" },
  });
  expect(byName("gw-member-limit-rule")?.inputs).toMatchObject({
    name: "Out to AD \u2013 Group Writeback Member Limit",
    disabled: true,
    onDelete: "retain",
  });
  expect(byName("gw-member-limit-rule")?.inputs.definition).toBeUndefined();
  const reverting = await build({
    defaults: { deleteRulePrecedence: 0, disableMemberLimitRule: true, revertRulesOnDestroy: true },
  });
  await outputOf(reverting.memberLimitRule!.id);
  expect(byName("gw-delete-rule")?.inputs).toMatchObject({ onDelete: "revert" });
  expect(byName("gw-member-limit-rule")?.inputs).toMatchObject({ onDelete: "revert" });
  // Declared defaults without the rule keys: no rules.
  await build({ defaults: {} });
  expect(registered.filter((r) => r.type.endsWith(":SyncRule"))).toEqual([]);
  // v1 warns in the preview only when the stack declares no defaults.
  expect(byName("gw-v1")?.inputs).toMatchObject({ warnWithoutDefaults: false });
  await build();
  expect(byName("gw-v1")?.inputs).toMatchObject({ warnWithoutDefaults: true });
}

test("without Graph, the Connect-side defaults alone declare the rules and no tenant default; a Graph-side key declares it", async () => {
  expect(pulumi.runtime.getConfig("entra-writeback:graph")).toBeUndefined();
  const component = await build({ defaults: { deleteRulePrecedence: 42, disableMemberLimitRule: true } });
  await outputOf(component.memberLimitRule!.id);
  expect(registered.map((r) => r.name)).toEqual([
    "gw",
    "gw-scheduler",
    "gw-delete-rule",
    "gw-v2",
    "gw-ou",
    "gw-permission",
    "gw-v1",
    "gw-member-limit-rule",
  ]);
  expect(component.tenantDefault).toBeUndefined();
  expect(byName("gw-v1")?.inputs).toMatchObject({ warnWithoutDefaults: false });
  // The same keys with Graph configured: the tenant default is declared first (the filter above can match).
  await withGraphConfigured(() => build({ defaults: { deleteRulePrecedence: 42 } }));
  expect(registered.map((r) => r.name).slice(0, 3)).toEqual(["gw", "gw-tenant-default", "gw-scheduler"]);
  // A Graph-side key declares it too (its provider then asks for Graph; the stack configuration refuses it first).
  await build({ defaults: { deleteRulePrecedence: 42, newUnifiedGroupWritebackDefault: false } });
  expect(byName("gw-tenant-default")).toBeDefined();
  await build({ defaults: {} });
  expect(byName("gw-tenant-default")).toBeDefined();
});

test("cloudSyncMigration: the plan sees the sAMAccountName mapping and every OU the routing rules lead to", async () => {
  const elsewhere = "OU=Elsewhere,OU=Corp,DC=contoso,DC=com";
  await build({
    cloudSyncMigration: {},
    cloudSync: {
      domain: "contoso.com",
      targetOu: { attribute: "extension_x_GroupDN", defaultOu: ou, routes: [{ value: "b", ou: elsewhere }] },
      naming: "connect",
      samAccountName: "[displayName]",
      groupIds: [],
    },
  });
  expect(byName("gw-cloud-sync-migration-plan")?.inputs.cloudSync).toEqual({
    naming: "connect",
    targetOu: ou,
    samAccountName: "[displayName]",
    routedOus: [elsewhere],
  });
});

test("cloudSyncMigration with disableV2OnDestroy true is refused before anything is declared; false, as the message says, declares the migration", async () => {
  const cloudSync = { domain: "contoso.com", targetOu: ou, naming: "connect" as const, groupIds: [] };
  registered.length = 0;
  expect(
    () =>
      new GroupWriteback("gw", {
        target,
        writebackOu: ou,
        connectorAccountDn: account,
        cloudSyncMigration: {},
        cloudSync,
        disableV2OnDestroy: true,
      }),
  ).toThrow(
    "GroupWriteback: cloudSyncMigration is declared with disableV2OnDestroy true, which asks the GroupWritebackV2 " +
      "resource to turn v2 off when it leaves the stack; with the migration that resource only reads v2 and the " +
      "migration turns v2 off itself, after its rules and with its confirmation. Nothing was changed. Run `pulumi " +
      "config set entra-writeback:disableV2OnDestroy false`, then pulumi up again (docs/cloud-sync-migration.md)",
  );
  expect(registered.filter((r) => r.name !== "gw")).toEqual([]);
  // The advice: disableV2OnDestroy false.
  await build({ cloudSyncMigration: {}, cloudSync, disableV2OnDestroy: false });
  expect(byName("gw-cloud-sync-migration-plan")).toBeDefined();
});

test("cloudSyncMigration: the irreversible step puts a removed rule back at the precedence its SyncRule resource has (the syncRules step's choice), not the declared one", async () => {
  await build({
    cloudSyncMigration: { syncRulePrecedences: { inbound: 10, outbound: 11 } },
    cloudSync: { domain: "contoso.com", targetOu: ou, naming: "connect", groupIds: [] },
  });
  // The step that chooses reads the declared precedences; the server already had the rules at 3 and 4 (the mocks).
  expect(byName("gw-cloud-sync-migration-syncRules")?.inputs.syncRulePrecedences).toEqual({
    inbound: 10,
    outbound: 11,
  });
  const rules = ["gw-cloud-sync-migration-rule-inbound", "gw-cloud-sync-migration-rule-outbound"].map(
    (name) => (byName(name)?.inputs.definition as { precedence: number }).precedence,
  );
  expect(rules).toEqual([3, 4]);
  expect(byName("gw-cloud-sync-migration-disableGroupWritebackV2")?.inputs.syncRulePrecedences).toEqual({
    inbound: 3,
    outbound: 4,
  });
});

test("cloudSyncMigration: the irreversible step gets the plan's migrated groups and the URNs of the plan and step 1, to say how to read them again", async () => {
  await build({
    cloudSyncMigration: {},
    cloudSync: { domain: "contoso.com", targetOu: ou, naming: "connect", groupIds: [] },
  });
  const inputs = byName("gw-cloud-sync-migration-disableGroupWritebackV2")?.inputs;
  expect(inputs?.migratedGroupIds).toEqual([MIGRATED]);
  const urns = inputs?.planStepUrns as string[];
  expect(urns).toHaveLength(2);
  expect(urns[0]).toMatch(
    /^urn:pulumi:wiring::entra-writeback::.*CloudSyncMigrationStep::gw-cloud-sync-migration-plan$/,
  );
  expect(urns[1]).toMatch(/CloudSyncMigrationStep::gw-cloud-sync-migration-copyDirectoryObjectIds$/);
  // No other step gets them.
  const others = registered.filter(
    (r) => r.inputs.migratedGroupIds !== undefined && r.inputs.step !== "disableGroupWritebackV2",
  );
  expect(others).toEqual([]);
});

test("cloudSyncMigration: cloudSync.allowRenameOrMove reaches the plan step (it lets a changed mapping through once the migration has run), and no other step", async () => {
  await build({
    cloudSyncMigration: {},
    cloudSync: {
      domain: "contoso.com",
      targetOu: ou,
      naming: "connect",
      groupIds: [],
      allowRenameOrMove: true,
    },
  });
  const withKey = registered.filter(
    (r) => r.type.endsWith(":CloudSyncMigrationStep") && r.inputs.allowRenameOrMove !== undefined,
  );
  expect(withKey.map((r) => [r.inputs.step, r.inputs.allowRenameOrMove])).toEqual([["plan", true]]);
});
