// Scenario 6: a current-era tenant, where enabling Group Writeback V2 is refused: enable, require and skip.
import {
  convergeLab,
  failureOf,
  groupsIn,
  LAB_OU,
  labServersForThisFile,
  labStack,
  providerOperations,
  show,
} from "./support/lab";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();

function currentTenant(): string {
  return newServer([
    "--era",
    "current",
    "--m365",
    "5",
    "--m365-opted-out",
    "2",
    "--security",
    "2",
    "--security-enabled",
    "1",
  ]);
}

test("enable: refused with a message pointing to Cloud Sync; the scheduler ends enabled", async () => {
  const stateFile = currentTenant();
  const testStack = await labStack("era-enable", stateFile, { groupWritebackV2: "enable" });
  try {
    const output = await failureOf(testStack.stack.up());
    expect(output).toContain("the tenant refused to enable GroupWritebackV2");
    expect(output).toContain("Microsoft Entra Cloud Sync (Group Provision to Active Directory)");
    expect(output).toContain("The sync scheduler was re-enabled");
    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(false);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(0);
  } finally {
    await testStack.cleanup();
  }
});

test("require: only verifies; with the flag off it fails without writing anything", async () => {
  const stateFile = currentTenant();
  const testStack = await labStack("era-require", stateFile, { groupWritebackV2: "require" });
  try {
    const output = await failureOf(testStack.stack.up());
    expect(output).toContain('groupWritebackV2 is "require", which only verifies it. Nothing was changed.');
    expect(providerOperations(stateFile).filter((o) => o.operation.startsWith("set"))).toEqual([]);
  } finally {
    await testStack.cleanup();
  }
});

test("skip: v2 is left alone and v1 alone writes back every Microsoft 365 group, as documented", async () => {
  const stateFile = currentTenant();
  const testStack = await labStack("era-skip", stateFile, { groupWritebackV2: "skip" });
  try {
    await convergeLab(testStack, stateFile);
    const outputs = await testStack.stack.outputs();
    expect(outputs.v2State?.value).toBe("skipped");
    expect(outputs.v1State?.value).toBe("configured");
    const { state } = show(stateFile);
    const allM365 = state.tenant.groups
      .filter((g) => g.type === "m365")
      .map((g) => `Group_${g.objectId}`)
      .sort();
    expect(
      groupsIn(stateFile, LAB_OU)
        .map((g) => g.adminDescription)
        .sort(),
    ).toEqual(allM365);
    expect(providerOperations(stateFile).map((o) => o.operation)).not.toContain("setGroupWritebackV2");
  } finally {
    await testStack.cleanup();
  }
});
