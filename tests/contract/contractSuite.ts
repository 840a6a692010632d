// One behavioural suite for every backend of the operation contract: what providers may rely on, observed only
// through EntraConnectClient. Each test gets a fresh server from makeClient and may change it freely.
//
// The fixture behind makeClient must be: a legacy-era tenant with GroupWritebackV2 off and v1 never enabled, at
// least one Microsoft 365 group and at least one that opted out of writeback (isEnabled false), the scheduler enabled and idle, an AD connector account that exists in the
// domain, and `scratchParentDn` inside the sync scope with no OU named like the ones the suite creates.
import { type EntraConnectClient } from "../../contract/backend";
import { WRITEBACK_ACCESS_RULE } from "../../contract/contract";
import { isOperationError } from "../../contract/errors";
import { DELETE_RULE_IDENTIFIER, deleteOutOfScopeGroupsRule } from "../../domain/groupWritebackRules";

/** The out-of-band control the suite needs: things an administrator does that no contract operation does. */
export interface ContractControl {
  /** DN of the server's AD connector account (CN=MSOL_...). */
  readonly connectorAccountDn: string;
  /** Another account that exists in the domain; the suite gives it ACEs to check they are left alone. */
  readonly otherAccountDn: string;
  /** An existing container inside the sync scope under which the suite creates and removes OUs. */
  readonly scratchParentDn: string;
  /** Starts a sync cycle that keeps running for `seconds` of server time (entra-sim busy). */
  startBusyCycle(seconds: number): Promise<void>;
  /**
   * Enables the original (v1) group writeback in the Connect wizard with this OU (entra-sim wizard group-writeback
   * --enable); like the wizard, this starts an Initial sync cycle at once.
   */
  enableV1Wizard(ouDn: string): Promise<void>;
  /** Turns staging mode on or off in the wizard (entra-sim wizard staging). */
  setStaging(enabled: boolean): Promise<void>;
  /** Adds a cloud security group enabled for writeback (writebackConfiguration.isEnabled true), as Graph would. */
  addWritebackSecurityGroup(name: string): Promise<void>;
  /** Sets or clears a group's msDS-ExternalDirectoryObjectID by hand, as ADSI Edit would. */
  setExternalDirectoryObjectId(dn: string, value: string | null): Promise<void>;
  /** Lets `seconds` of server time pass, so running cycles complete (entra-sim clock --advance). */
  advance(seconds: number): Promise<void>;
}

export interface ContractFixture {
  client: EntraConnectClient;
  control: ContractControl;
  cleanup(): Promise<void>;
}

const OU_NAME = "Contract Suite Writeback";

export function describeContract(label: string, makeClient: () => Promise<ContractFixture>): void {
  describe(`operation contract: ${label}`, () => {
    let client: EntraConnectClient;
    let control: ContractControl;
    let cleanup: () => Promise<void>;
    let ouDn: string;

    beforeEach(async () => {
      ({ client, control, cleanup } = await makeClient());
      ouDn = `OU=${OU_NAME},${control.scratchParentDn}`;
    });
    afterEach(async () => cleanup());

    async function expectCode(call: Promise<unknown>, code: string): Promise<Error> {
      const error = await call.then(
        () => new Error(`expected an OperationError with code ${code}, but the call succeeded`),
        (caught: unknown) => caught as Error,
      );
      expect(isOperationError(error) ? error.code : error.message).toBe(code);
      return error;
    }

    async function waitUntilIdle(): Promise<void> {
      for (let attempt = 0; attempt < 40; attempt++) {
        if (!(await client.call("getScheduler", {})).syncCycleInProgress) return;
        await control.advance(15);
      }
      throw new Error("the sync cycle did not complete after 600 s of server time");
    }

    async function createGrantedOu(): Promise<void> {
      await client.call("newOrganizationalUnit", { name: OU_NAME, parentDn: control.scratchParentDn });
      await client.call("grantWritebackAccess", { dn: ouDn, accountDn: control.connectorAccountDn });
    }

    it("keeps one pause-window marker: another owner's live window is refused, an expired one taken over", async () => {
      const window = (owner: string, leaseSeconds = 600) => ({
        owner,
        change: "enabling Group Writeback V2",
        initialCycle: true,
        leaseSeconds,
      });
      expect((await client.call("getSyncWindow", {})).window).toBeNull();
      const opened = await client.call("openSyncWindow", window("entra-writeback/staging"));
      expect(opened.replaced).toBeNull();
      expect(opened.window).toMatchObject({ owner: "entra-writeback/staging", initialCycle: true });
      const { openedAtUtc, expiresAtUtc } = opened.window;
      expect(Date.parse(expiresAtUtc) - Date.parse(openedAtUtc)).toBe(600_000);
      const seen = await client.call("getSyncWindow", {});
      expect(seen.window).toEqual(opened.window);
      expect(Date.parse(seen.serverTimeUtc)).toBeLessThan(Date.parse(expiresAtUtc));

      const refused = await expectCode(
        client.call("openSyncWindow", window("entra-writeback/production")),
        "Refused",
      );
      expect(refused.message).toContain(
        `entra-writeback/staging has the sync scheduler on ${(await client.call("getServerInfo", {})).computerName} paused for enabling Group Writeback V2`,
      );
      expect(await client.call("closeSyncWindow", { owner: "entra-writeback/production" })).toEqual({
        closed: false,
      });
      expect((await client.call("getSyncWindow", {})).window).toEqual(opened.window);

      // Its own owner may always open it again (the next run after an interruption).
      const again = await client.call("openSyncWindow", window("entra-writeback/staging"));
      expect(again.replaced).toEqual(opened.window);

      // Expired: the stack that held it is gone; another stack takes it over and learns whose it was.
      await control.advance(601);
      const takeover = await client.call("openSyncWindow", window("entra-writeback/production"));
      expect(takeover.replaced).toEqual(again.window);
      expect(await client.call("closeSyncWindow", { owner: "entra-writeback/production" })).toEqual({
        closed: true,
      });
      expect((await client.call("getSyncWindow", {})).window).toBeNull();
    });

    it("a held window says so in its marker; a window of one change says it is not held", async () => {
      const opened = await client.call("openSyncWindow", {
        owner: "entra-writeback/staging",
        change: "migrating Group Writeback V2 security groups to Cloud Sync",
        initialCycle: false,
        held: true,
        leaseSeconds: 7 * 86_400,
      });
      expect(opened.window.held).toBe(true);
      expect((await client.call("getSyncWindow", {})).window).toEqual(opened.window);
      const oneChange = await client.call("openSyncWindow", {
        owner: "entra-writeback/staging",
        change: "enabling Group Writeback V2",
        initialCycle: false,
        leaseSeconds: 600,
      });
      expect(oneChange.window.held).toBe(false);
      expect(oneChange.replaced).toEqual(opened.window);
      expect((await client.call("getSyncWindow", {})).window).toEqual(oneChange.window);
      await client.call("closeSyncWindow", { owner: "entra-writeback/staging" });
    });

    it("reports the server and a consistent scheduler", async () => {
      const info = await client.call("getServerInfo", {});
      expect(info.computerName).not.toBe("");
      const scheduler = await client.call("getScheduler", {});
      expect(scheduler.stagingModeEnabled).toBe(info.stagingModeEnabled);
      expect(scheduler.allowedSyncCycleInterval).toMatch(/^(\d+\.)?\d{2}:\d{2}:\d{2}$/);
      expect(scheduler.purgeRunHistoryInterval).toMatch(/^(\d+\.)?\d{2}:\d{2}:\d{2}$/);
      expect(Number.isNaN(Date.parse(scheduler.nextSyncCycleStartTimeInUtc))).toBe(false);
      expect(scheduler.syncCycleInProgress).toBe(false);
    });

    it("round-trips SyncCycleEnabled", async () => {
      expect((await client.call("setSchedulerSyncCycleEnabled", { enabled: false })).syncCycleEnabled).toBe(
        false,
      );
      expect((await client.call("getScheduler", {})).syncCycleEnabled).toBe(false);
      expect((await client.call("setSchedulerSyncCycleEnabled", { enabled: true })).syncCycleEnabled).toBe(
        true,
      );
      expect((await client.call("getScheduler", {})).syncCycleEnabled).toBe(true);
    });

    it("refuses to start a sync cycle while one runs, and starts one afterwards", async () => {
      await control.startBusyCycle(120);
      expect((await client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
      const error = await expectCode(client.call("startSyncCycle", { policyType: "Delta" }), "SyncBusy");
      expect(error.message).toContain("Sync is already running");
      // Disabling the scheduler is allowed during a cycle and does not stop it.
      await client.call("setSchedulerSyncCycleEnabled", { enabled: false });
      expect((await client.call("getScheduler", {})).syncCycleInProgress).toBe(true);
      await control.advance(120);
      await waitUntilIdle();
      expect(await client.call("startSyncCycle", { policyType: "Initial" })).toEqual({ result: "Success" });
      await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    });

    it("sets and reads GroupWritebackV2", async () => {
      expect((await client.call("getCompanyFeatures", {})).groupWritebackV2).toBe(false);
      expect((await client.call("setGroupWritebackV2", { enabled: true })).groupWritebackV2).toBe(true);
      expect((await client.call("getCompanyFeatures", {})).groupWritebackV2).toBe(true);
    });

    it("creates, reads and removes an OU, and refuses to remove a non-empty one", async () => {
      expect(await client.call("getOrganizationalUnit", { dn: ouDn })).toEqual({ exists: false, dn: ouDn });
      expect(
        await client.call("newOrganizationalUnit", { name: OU_NAME, parentDn: control.scratchParentDn }),
      ).toEqual({
        exists: true,
        dn: ouDn,
        name: OU_NAME,
        protectedFromAccidentalDeletion: true,
        childCount: 0,
      });
      await client.call("newOrganizationalUnit", { name: "Child", parentDn: ouDn });
      expect(await client.call("getOrganizationalUnit", { dn: ouDn })).toMatchObject({
        exists: true,
        childCount: 1,
      });
      await expectCode(client.call("removeOrganizationalUnit", { dn: ouDn, recursive: false }), "Refused");
      expect((await client.call("getOrganizationalUnit", { dn: ouDn })).exists).toBe(true);
      expect(await client.call("removeOrganizationalUnit", { dn: ouDn, recursive: true })).toEqual({
        removed: true,
      });
      expect((await client.call("getOrganizationalUnit", { dn: ouDn })).exists).toBe(false);
      await expectCode(client.call("removeOrganizationalUnit", { dn: ouDn, recursive: false }), "NotFound");
    });

    it("grants, reads and revokes exactly the writeback ACE, leaving other ACEs", async () => {
      await client.call("newOrganizationalUnit", { name: OU_NAME, parentDn: control.scratchParentDn });
      const account = control.connectorAccountDn;
      const granted = await client.call("grantWritebackAccess", { dn: ouDn, accountDn: account });
      expect(granted.rules).toContainEqual(WRITEBACK_ACCESS_RULE);
      const again = await client.call("grantWritebackAccess", { dn: ouDn, accountDn: account });
      expect(again.rules.filter((rule) => !rule.isInherited)).toEqual(
        granted.rules.filter((rule) => !rule.isInherited),
      );
      await client.call("grantWritebackAccess", { dn: ouDn, accountDn: control.otherAccountDn });
      expect((await client.call("getAccessRules", { dn: ouDn, accountDn: account })).rules).toContainEqual(
        WRITEBACK_ACCESS_RULE,
      );
      expect(await client.call("revokeWritebackAccess", { dn: ouDn, accountDn: account })).toEqual({
        removed: 1,
      });
      expect(
        (await client.call("getAccessRules", { dn: ouDn, accountDn: account })).rules,
      ).not.toContainEqual(WRITEBACK_ACCESS_RULE);
      expect(
        (await client.call("getAccessRules", { dn: ouDn, accountDn: control.otherAccountDn })).rules,
      ).toContainEqual(WRITEBACK_ACCESS_RULE);
      expect(await client.call("revokeWritebackAccess", { dn: ouDn, accountDn: account })).toEqual({
        removed: 0,
      });
    });

    it("lists the groups a sync cycle wrote back after the wizard enabled v1", async () => {
      await createGrantedOu();
      await control.enableV1Wizard(ouDn);
      expect(await client.call("getGroupWritebackV1Config", {})).toMatchObject({
        unifiedGroupWriteback: true,
        optionalFeatureGroupWriteBack: true,
        containerDn: ouDn,
      });
      await waitUntilIdle();
      const { groups } = await client.call("listWrittenBackGroups", { dn: ouDn });
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) {
        expect(group.adminDescription).toBe(`Group_${group.cloudObjectId}`);
        expect(group.dn.toLowerCase().endsWith(`,${ouDn.toLowerCase()}`)).toBe(true);
        // v2 is off: v1 writes every Microsoft 365 group back as a distribution group.
        expect(group.groupCategory).toBe("Distribution");
      }
      expect((await client.call("listPendingExports", { dn: ouDn })).exports).toEqual([]);
    });

    it("counts the tenant's groups by writeback setting, and finds the opted-out ones v1 alone wrote back", async () => {
      const before = await client.call("getCloudGroupWriteback", { dn: null, sampleSize: 2 });
      expect(before.inOu).toBeNull();
      expect(before.microsoft365Groups).toBeGreaterThan(0);
      expect(before.optedOutMicrosoft365Groups.count).toBeGreaterThan(0);
      expect(before.optedOutMicrosoft365Groups.count).toBeLessThanOrEqual(before.microsoft365Groups);
      expect(before.optedOutMicrosoft365Groups.sample.length).toBe(
        Math.min(2, before.optedOutMicrosoft365Groups.count),
      );
      expect(before.writebackEnabledSecurityGroups).toBeLessThanOrEqual(before.securityGroups);
      // A DN that does not exist: no OU to compare with.
      expect((await client.call("getCloudGroupWriteback", { dn: ouDn, sampleSize: 2 })).inOu).toBeNull();

      await createGrantedOu();
      expect((await client.call("getCloudGroupWriteback", { dn: ouDn, sampleSize: 2 })).inOu).toEqual({
        writtenBack: 0,
        optedOutMicrosoft365: { count: 0, sample: [] },
        security: { count: 0, sample: [] },
      });
      // v2 is off: v1 alone writes back every Microsoft 365 group, the opted-out ones too.
      await control.enableV1Wizard(ouDn);
      await waitUntilIdle();
      const after = await client.call("getCloudGroupWriteback", { dn: ouDn, sampleSize: 100 });
      expect(after.inOu?.optedOutMicrosoft365.count).toBe(before.optedOutMicrosoft365Groups.count);
      expect(after.inOu?.security.count).toBe(0);
      const written = new Map(
        (await client.call("listWrittenBackGroups", { dn: ouDn })).groups.map((g) => [g.cloudObjectId, g.dn]),
      );
      expect(after.inOu?.writtenBack).toBe(written.size);
      expect(written.size).toBeGreaterThan(0);
      for (const group of after.inOu?.optedOutMicrosoft365.sample ?? []) {
        expect(group.dn).toBe(written.get(group.cloudObjectId));
      }
    });

    it("in staging mode exports nothing and lists the pending exports", async () => {
      await control.setStaging(true);
      expect((await client.call("getServerInfo", {})).stagingModeEnabled).toBe(true);
      await createGrantedOu();
      await control.enableV1Wizard(ouDn);
      await waitUntilIdle();
      expect((await client.call("listWrittenBackGroups", { dn: ouDn })).groups).toEqual([]);
      const { exports } = await client.call("listPendingExports", { dn: ouDn });
      expect(exports.length).toBeGreaterThan(0);
      for (const pending of exports) {
        expect(pending).toMatchObject({ modification: "add", objectType: "group" });
        expect(pending.dn.toLowerCase().endsWith(`,${ouDn.toLowerCase()}`)).toBe(true);
      }
    });
    it("creates a sync rule, refuses a taken precedence, flags a full sync, disables and removes the rule", async () => {
      const before = (await client.call("getSyncRules", {})).rules;
      expect(before.length).toBeGreaterThan(0);
      expect(before.some((rule) => rule.identifier === DELETE_RULE_IDENTIFIER)).toBe(false);
      expect((await client.call("getScheduler", {})).nextSyncCyclePolicyType).toBe("Delta");

      const created = await client.call("newSyncRule", deleteOutOfScopeGroupsRule(42));
      expect(created).toEqual({ ...deleteOutOfScopeGroupsRule(42), immutableTag: null });
      expect((await client.call("getSyncRules", {})).rules).toContainEqual(created);
      expect((await client.call("getScheduler", {})).nextSyncCyclePolicyType).toBe("Initial");

      const taken = await expectCode(
        client.call("newSyncRule", {
          ...deleteOutOfScopeGroupsRule(42),
          identifier: "11111111-2222-4333-8444-555555555555",
          name: "In from AAD - Contract Suite",
        }),
        "Refused",
      );
      expect(taken.message).toContain("precedence must be unique");
      await expectCode(client.call("newSyncRule", deleteOutOfScopeGroupsRule(7)), "Refused");
      await expectCode(
        client.call("setSyncRuleDisabled", {
          identifier: "11111111-2222-4333-8444-555555555555",
          disabled: true,
        }),
        "NotFound",
      );

      const disabled = await client.call("setSyncRuleDisabled", {
        identifier: DELETE_RULE_IDENTIFIER,
        disabled: true,
      });
      expect(disabled).toEqual({ ...created, disabled: true });
      expect(await client.call("removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER })).toEqual({
        removed: true,
      });
      expect(await client.call("removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER })).toEqual({
        removed: false,
      });
      expect((await client.call("getSyncRules", {})).rules).toEqual(before);
    });
    it("copies adminDescription into msDS-ExternalDirectoryObjectID once, skips what is right, refuses a conflict naming the group", async () => {
      await control.addWritebackSecurityGroup("Contract Suite Finance");
      await createGrantedOu();
      await client.call("setGroupWritebackV2", { enabled: true });
      await control.enableV1Wizard(ouDn);
      await waitUntilIdle();
      const before = (await client.call("listGroupDirectoryObjectIds", { dn: ouDn })).groups;
      // Only the cloud security groups: the Microsoft 365 groups written back to the same OU are not listed.
      const written = (await client.call("listWrittenBackGroups", { dn: ouDn })).groups;
      const tenant = await client.call("getCloudGroupWriteback", { dn: ouDn, sampleSize: 100 });
      expect(written.length).toBeGreaterThan(before.length);
      expect(before.map((group) => group.cloudObjectId).sort()).toEqual(
        tenant.inOu?.security.sample.map((group) => group.cloudObjectId).sort(),
      );
      expect(before.length).toBeGreaterThanOrEqual(2);
      for (const group of before) {
        expect(group.adminDescription).toBe(`Group_${group.cloudObjectId}`);
        expect(group.externalDirectoryObjectId).toBeNull();
      }

      const first = await client.call("copyGroupDirectoryObjectIds", { dn: ouDn });
      expect(first).toEqual({
        copied: before.length,
        alreadySet: 0,
        sample: before.map((group) => group.dn),
      });
      const after = (await client.call("listGroupDirectoryObjectIds", { dn: ouDn })).groups;
      expect(after).toEqual(
        before.map((group) => ({ ...group, externalDirectoryObjectId: group.adminDescription })),
      );
      expect(await client.call("copyGroupDirectoryObjectIds", { dn: ouDn })).toEqual({
        copied: 0,
        alreadySet: before.length,
        sample: [],
      });

      const [conflicting, cleared] = after as [(typeof after)[0], (typeof after)[0]];
      await control.setExternalDirectoryObjectId(
        conflicting.dn,
        "Group_00000000-0000-4000-8000-000000000001",
      );
      await control.setExternalDirectoryObjectId(cleared.dn, null);
      const refused = await expectCode(client.call("copyGroupDirectoryObjectIds", { dn: ouDn }), "Refused");
      expect(refused.message).toContain(conflicting.dn);
      expect(refused.message).toContain("Nothing was changed");
      const untouched = (await client.call("listGroupDirectoryObjectIds", { dn: ouDn })).groups;
      expect(untouched.find((group) => group.dn === cleared.dn)?.externalDirectoryObjectId).toBeNull();

      // The advice: clear the conflicting value, then run again.
      await control.setExternalDirectoryObjectId(conflicting.dn, null);
      expect(await client.call("copyGroupDirectoryObjectIds", { dn: ouDn })).toMatchObject({
        copied: 2,
        alreadySet: before.length - 2,
      });
      await expectCode(
        client.call("listGroupDirectoryObjectIds", { dn: `OU=Missing,${control.scratchParentDn}` }),
        "NotFound",
      );
    });
  });
}
