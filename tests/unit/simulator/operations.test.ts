import { EntraConnectClient } from "../../../contract/backend";
import { WRITEBACK_ACCESS_RULE } from "../../../contract/contract";
import { isOperationError, OperationError } from "../../../contract/errors";
import {
  runAction,
  SCHEDULER_ALREADY_SUSPENDED,
  startBusyCycle,
  SYNC_ALREADY_RUNNING,
  withState,
  compareVersions,
  addServer,
  createSimulatorBackend,
} from "../../../simulator";
import { newSim, type Sim } from "./testSupport";

let sim: Sim;
afterEach(async () => sim.cleanup());

async function expectError(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp | string,
): Promise<OperationError> {
  const error = await promise.then(
    () => {
      throw new Error("expected an OperationError");
    },
    (caught: unknown) => caught,
  );
  expect(isOperationError(error)).toBe(true);
  expect((error as OperationError).code).toBe(code);
  if (message !== undefined) expect((error as OperationError).message).toMatch(message);
  return error as OperationError;
}

describe("server info, scheduler and sync cycles", () => {
  beforeEach(async () => {
    sim = await newSim({ connectVersion: "2.3.20.0" });
  });

  it("reports the server and every Get-ADSyncScheduler field", async () => {
    expect(await sim.client.call("getServerInfo", {})).toEqual({
      computerName: "CONNECT01",
      connectVersion: "2.3.20.0",
      stagingModeEnabled: false,
    });
    expect(await sim.client.call("getScheduler", {})).toEqual({
      allowedSyncCycleInterval: "00:30:00",
      currentlyEffectiveSyncCycleInterval: "00:30:00",
      customizedSyncCycleInterval: null,
      nextSyncCyclePolicyType: "Delta",
      nextSyncCycleStartTimeInUtc: "2025-01-06T08:30:00.000Z",
      purgeRunHistoryInterval: "7.00:00:00",
      syncCycleEnabled: true,
      maintenanceEnabled: true,
      stagingModeEnabled: false,
      schedulerSuspended: false,
      syncCycleInProgress: false,
    });
  });

  it("starts a cycle that runs for the configured time and refuses a second one with Microsoft's text", async () => {
    expect(await sim.client.call("startSyncCycle", { policyType: "Initial" })).toEqual({ result: "Success" });
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
    await expectError(
      sim.client.call("startSyncCycle", { policyType: "Delta" }),
      "SyncBusy",
      SYNC_ALREADY_RUNNING,
    );
    await sim.client.sleep(39_000);
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
    await sim.client.sleep(1_000);
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(false);
    expect((await sim.state()).servers[0]?.lastCycle).toMatchObject({
      policyType: "Initial",
      completedAt: "2025-01-06T08:00:40.000Z",
    });
  });

  it("allows a manual cycle while SyncCycleEnabled is false", async () => {
    await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: false });
    expect(await sim.client.call("startSyncCycle", { policyType: "Delta" })).toEqual({ result: "Success" });
  });

  it("setSchedulerSyncCycleEnabled is allowed during a cycle and returns the new scheduler", async () => {
    await withState(sim.file, (tx) => startBusyCycle(tx, tx.state.servers[0]!, 300));
    const scheduler = await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: false });
    expect(scheduler).toMatchObject({ syncCycleEnabled: false, syncCycleInProgress: true });
  });

  it("refuses to start while the scheduler is suspended", async () => {
    await runAction(sim.file, "suspend", {}, {}, (_tx, server) => {
      server.schedulerSuspended = true;
    });
    expect((await sim.client.call("getScheduler", {})).schedulerSuspended).toBe(true);
    await expectError(
      sim.client.call("startSyncCycle", { policyType: "Delta" }),
      "SchedulerSuspended",
      SCHEDULER_ALREADY_SUSPENDED,
    );
  });
});

describe("company features and the GroupWritebackV2 gates", () => {
  it("reads the tenant's features", async () => {
    sim = await newSim();
    expect(await sim.client.call("getCompanyFeatures", {})).toEqual({
      passwordHashSync: true,
      forcePasswordChangeOnLogOn: false,
      userWriteback: false,
      deviceWriteback: false,
      unifiedGroupWriteback: false,
      groupWritebackV2: false,
    });
  });

  it("legacy tenant: enables v2, and disabling it is irreversible", async () => {
    sim = await newSim({ era: "legacy" });
    expect((await sim.client.call("setGroupWritebackV2", { enabled: true })).groupWritebackV2).toBe(true);
    expect((await sim.client.call("setGroupWritebackV2", { enabled: true })).groupWritebackV2).toBe(true);
    expect((await sim.client.call("setGroupWritebackV2", { enabled: false })).groupWritebackV2).toBe(false);
    expect((await sim.state()).tenant.v2EverDisabled).toBe(true);
    await expectError(
      sim.client.call("setGroupWritebackV2", { enabled: true }),
      "FeatureRefused",
      /no longer allows enabling Group Writeback V2/,
    );
    expect((await sim.client.call("getCompanyFeatures", {})).groupWritebackV2).toBe(false);
  });

  it("turning v2 off when it was never on does not make it irreversible", async () => {
    sim = await newSim({ era: "legacy" });
    await sim.client.call("setGroupWritebackV2", { enabled: false });
    expect((await sim.state()).tenant.v2EverDisabled).toBe(false);
    expect((await sim.client.call("setGroupWritebackV2", { enabled: true })).groupWritebackV2).toBe(true);
  });

  it("current tenant: refuses to enable v2", async () => {
    sim = await newSim({ era: "current" });
    await expectError(
      sim.client.call("setGroupWritebackV2", { enabled: true }),
      "FeatureRefused",
      /no longer allows enabling Group Writeback V2/,
    );
    expect((await sim.client.call("setGroupWritebackV2", { enabled: false })).groupWritebackV2).toBe(false);
  });

  it("a build below 1.6.2.4 has no -GroupWritebackV2 parameter", async () => {
    sim = await newSim({ connectVersion: "1.6.1.0" });
    await expectError(
      sim.client.call("setGroupWritebackV2", { enabled: true }),
      "CmdletError",
      "A parameter cannot be found that matches parameter name 'GroupWritebackV2'.",
    );
    expect((await sim.client.call("getServerInfo", {})).connectVersion).toBe("1.6.1.0");
  });

  it("refuses to change v2 while a cycle runs", async () => {
    sim = await newSim();
    await sim.client.call("startSyncCycle", { policyType: "Delta" });
    await expectError(sim.client.call("setGroupWritebackV2", { enabled: true }), "SyncBusy");
    expect((await sim.client.call("getCompanyFeatures", {})).groupWritebackV2).toBe(false);
  });

  it("compares versions numerically", () => {
    expect(compareVersions("2.0.89.0", "1.6.4.0")).toBe(1);
    expect(compareVersions("1.6.10.0", "1.6.2.4")).toBe(1);
    expect(compareVersions("1.6.2.4", "1.6.2.4")).toBe(0);
    expect(compareVersions("1.6.2", "1.6.2.4")).toBe(-1);
  });
});

describe("wizard configuration and sync scope reads", () => {
  it("reads the v1 configuration and the AD connector's OU filtering", async () => {
    sim = await newSim();
    expect(await sim.client.call("getGroupWritebackV1Config", {})).toEqual({
      unifiedGroupWriteback: false,
      optionalFeatureGroupWriteBack: false,
      containerDn: null,
      displayNameDn: false,
    });
    expect(await sim.client.call("getSyncScope", {})).toEqual({
      connectorName: "contoso.com",
      connectorAccountDn: sim.account,
      includedContainers: ["DC=contoso,DC=com"],
      excludedContainers: ["OU=Excluded,DC=contoso,DC=com"],
    });
  });
});

describe("organizational units", () => {
  beforeEach(async () => {
    sim = await newSim();
  });

  it("creates a protected OU, reads it with its direct child count, refuses a duplicate", async () => {
    expect(await sim.client.call("getOrganizationalUnit", { dn: sim.ou })).toEqual({
      exists: false,
      dn: sim.ou,
    });
    const created = await sim.client.call("newOrganizationalUnit", {
      name: "Entra Writeback",
      parentDn: sim.ouParent,
    });
    expect(created).toEqual({
      exists: true,
      dn: sim.ou,
      name: "Entra Writeback",
      protectedFromAccidentalDeletion: true,
      childCount: 0,
    });
    await sim.client.call("newOrganizationalUnit", { name: "Child", parentDn: sim.ou });
    await sim.client.call("newOrganizationalUnit", { name: "Grandchild", parentDn: `OU=Child,${sim.ou}` });
    expect(await sim.client.call("getOrganizationalUnit", { dn: sim.ou.toUpperCase() })).toMatchObject({
      exists: true,
      dn: sim.ou,
      childCount: 1,
    });
    await expectError(
      sim.client.call("newOrganizationalUnit", { name: "entra writeback", parentDn: sim.ouParent }),
      "CmdletError",
      /name that is already in use/,
    );
  });

  it("escapes special characters in the OU name", async () => {
    const created = await sim.client.call("newOrganizationalUnit", {
      name: "Sales, EMEA",
      parentDn: sim.ouParent,
    });
    expect(created.dn).toBe(`OU=Sales\\, EMEA,${sim.ouParent}`);
    expect(created).toMatchObject({ exists: true, name: "Sales, EMEA" });
  });

  it("needs an existing parent", async () => {
    await expectError(
      sim.client.call("newOrganizationalUnit", { name: "X", parentDn: "OU=Nowhere,DC=contoso,DC=com" }),
      "NotFound",
    );
  });

  it("removes an empty OU, refuses a non-empty one unless recursive, and reports a missing one", async () => {
    await sim.client.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: sim.ouParent });
    await sim.client.call("newOrganizationalUnit", { name: "A", parentDn: sim.ou });
    await sim.client.call("newOrganizationalUnit", { name: "B", parentDn: sim.ou });
    await expectError(
      sim.client.call("removeOrganizationalUnit", { dn: sim.ou, recursive: false }),
      "Refused",
      /2 direct child/,
    );
    expect((await sim.client.call("getOrganizationalUnit", { dn: sim.ou })).exists).toBe(true);
    expect(
      await sim.client.call("removeOrganizationalUnit", { dn: `OU=A,${sim.ou}`, recursive: false }),
    ).toEqual({ removed: true });
    expect(await sim.client.call("removeOrganizationalUnit", { dn: sim.ou, recursive: true })).toEqual({
      removed: true,
    });
    expect((await sim.client.call("getOrganizationalUnit", { dn: `OU=B,${sim.ou}` })).exists).toBe(false);
    await expectError(
      sim.client.call("removeOrganizationalUnit", { dn: sim.ou, recursive: false }),
      "NotFound",
      /Cannot find an object/,
    );
  });
});

describe("access rules", () => {
  const other = "CN=Administrator,CN=Users,DC=contoso,DC=com";

  beforeEach(async () => {
    sim = await newSim();
    await sim.client.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: sim.ouParent });
  });

  it("grants exactly the writeback ACE, idempotently, and revokes only it", async () => {
    expect((await sim.client.call("getAccessRules", { dn: sim.ou, accountDn: sim.account })).rules).toEqual(
      [],
    );
    const granted = await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: sim.account });
    expect(granted.rules).toEqual([WRITEBACK_ACCESS_RULE]);
    expect(
      (await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: sim.account })).rules,
    ).toEqual([WRITEBACK_ACCESS_RULE]);
    await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: other });
    await runAction(sim.file, "test.extraAce", {}, {}, (tx) => {
      const ou = Object.values(tx.state.domain.objects).find((object) => object.dn === sim.ou);
      ou?.aces.push({
        accountDn: sim.account,
        rights: ["ReadProperty"],
        accessControlType: "Allow",
        inheritanceType: "None",
        inheritedObjectType: null,
      });
    });
    expect(await sim.client.call("revokeWritebackAccess", { dn: sim.ou, accountDn: sim.account })).toEqual({
      removed: 1,
    });
    expect(await sim.client.call("revokeWritebackAccess", { dn: sim.ou, accountDn: sim.account })).toEqual({
      removed: 0,
    });
    expect((await sim.client.call("getAccessRules", { dn: sim.ou, accountDn: sim.account })).rules).toEqual([
      {
        rights: ["ReadProperty"],
        accessControlType: "Allow",
        inheritanceType: "None",
        inheritedObjectType: null,
        isInherited: false,
      },
    ]);
    expect((await sim.client.call("getAccessRules", { dn: sim.ou, accountDn: other })).rules).toEqual([
      WRITEBACK_ACCESS_RULE,
    ]);
  });

  it("shows inherited ACEs from ancestors, marked isInherited", async () => {
    expect(await sim.client.call("setForestWritebackPermissions", { accountDn: sim.account })).toEqual({
      domainDns: ["DC=contoso,DC=com"],
    });
    const rules = (await sim.client.call("getAccessRules", { dn: sim.ou, accountDn: sim.account })).rules;
    expect(rules).toEqual([{ ...WRITEBACK_ACCESS_RULE, isInherited: true }]);
    // The domain root itself holds it explicitly; Descendents does not apply to the root.
    expect(
      (await sim.client.call("getAccessRules", { dn: "DC=contoso,DC=com", accountDn: sim.account })).rules,
    ).toEqual([WRITEBACK_ACCESS_RULE]);
    // Revoking on the OU removes nothing: the inherited ACE is not the OU's.
    expect(await sim.client.call("revokeWritebackAccess", { dn: sim.ou, accountDn: sim.account })).toEqual({
      removed: 0,
    });
  });

  it("reports a missing object and a missing account", async () => {
    await expectError(
      sim.client.call("getAccessRules", { dn: "OU=Nope,DC=contoso,DC=com", accountDn: sim.account }),
      "NotFound",
    );
    await expectError(
      sim.client.call("grantWritebackAccess", {
        dn: sim.ou,
        accountDn: "CN=Ghost,CN=Users,DC=contoso,DC=com",
      }),
      "NotFound",
      /does not exist/,
    );
  });
});

describe("argument validation and the journal", () => {
  it("rejects bad arguments as CmdletError and journals every call with its outcome", async () => {
    sim = await newSim();
    await expectError(
      sim.client.backend.run("getOrganizationalUnit", { dn: 42 }),
      "CmdletError",
      /invalid arguments/,
    );
    await expectError(
      sim.client.backend.run("noSuchOperation" as never, {}),
      "CmdletError",
      /unknown operation/,
    );
    await sim.client.call("getServerInfo", {});
    const operations = sim.journal().filter((entry) => entry.kind === "operation");
    expect(
      operations.map((entry) => entry.kind === "operation" && [entry.operation, entry.outcome, entry.client]),
    ).toEqual([
      ["init", "ok", "cli"],
      ["getOrganizationalUnit", "error", "test"],
      ["noSuchOperation", "error", "test"],
      ["getServerInfo", "ok", "test"],
    ]);
    const last = operations.at(-1);
    expect(last).toMatchObject({ server: "CONNECT01", at: "2025-01-06T08:00:00.000Z" });
    expect(Date.parse(last?.wallAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("targets the named server, and reports an unknown one", async () => {
    sim = await newSim();
    const named = (server: string) =>
      new EntraConnectClient(createSimulatorBackend({ stateFile: sim.file, server }));
    await runAction(sim.file, "add-server", {}, {}, (tx) =>
      addServer(tx, { name: "CONNECT02", staging: true, connectVersion: "2.5.3.0" }),
    );
    expect(await named("connect02").call("getServerInfo", {})).toEqual({
      computerName: "CONNECT02",
      connectVersion: "2.5.3.0",
      stagingModeEnabled: true,
    });
    expect(named("CONNECT02").description).toBe(`simulator ${sim.file} (CONNECT02)`);
    expect(sim.client.description).toBe(`simulator ${sim.file} (CONNECT01)`);
    await expectError(named("NOPE").call("getServerInfo", {}), "NotFound", /no server named "NOPE"/);
  });
});
