// Scenario 1: a lab server whose tenant has M365 groups (some opted out) and security groups (some
// enabled). pulumi up waits for the admin's wizard step, which the test performs with entra-sim as an
// admin would; then the documented order, exactly the expected groups, and a converged stack.
import * as fs from "fs";
import {
  groupsIn,
  LAB_OU,
  labStack,
  newLabDirectory,
  newLabServer,
  providerOperations,
  show,
  wizardEnable,
} from "./support/lab";

jest.setTimeout(5 * 60_000);

test("pulumi up converges a lab server in Microsoft's order, waiting for the wizard step", async () => {
  const directory = newLabDirectory();
  // The real clock, so the wait for the admin is a real wait; short cycles keep it quick.
  const stateFile = newLabServer(directory, [
    "--clock",
    "real",
    "--sync-seconds",
    "2",
    "--m365",
    "8",
    "--m365-opted-out",
    "3",
    "--security",
    "4",
    "--security-enabled",
    "2",
  ]);
  const testStack = await labStack("lab", stateFile, { wizardWaitSeconds: 120, wizardPollSeconds: 1 });
  try {
    let transcript = "";
    let wizardDone = false;
    const up = await testStack.stack.up({
      onOutput: (text) => {
        transcript += text;
        if (!wizardDone && transcript.includes("Waiting up to 120 s for the wizard step")) {
          wizardDone = true;
          wizardEnable(stateFile);
        }
      },
    });
    expect(up.summary.result).toBe("succeeded");
    expect(wizardDone).toBe(true);
    expect(transcript).toContain(
      "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
    );
    expect(transcript).toContain(`choose the OU ${LAB_OU}`);
    expect(transcript).toMatch(/the wizard step is done on CONNECT01/);

    // The documented order: pause -> v2 -> resume -> OU -> permission -> v1 (the wizard, then its verification).
    const journal = show(stateFile).journal;
    const at = (predicate: (entry: (typeof journal)[number]) => boolean, from = 0) =>
      journal.findIndex((entry, index) => index >= from && predicate(entry));
    const op = (name: string, args?: Record<string, unknown>) => (entry: (typeof journal)[number]) =>
      entry.kind === "operation" &&
      entry.operation === name &&
      (args === undefined || JSON.stringify(entry.args) === JSON.stringify(args));
    const pause = at(op("setSchedulerSyncCycleEnabled", { enabled: false }));
    const v2 = at(op("setGroupWritebackV2", { enabled: true }));
    const resume = at(op("setSchedulerSyncCycleEnabled", { enabled: true }), v2);
    const ou = at(op("newOrganizationalUnit"));
    const permission = at(op("grantWritebackAccess"));
    const wizard = at(
      (e) => e.kind === "operation" && e.client === "cli" && e.operation.startsWith("wizard"),
    );
    expect([pause, v2, resume, ou, permission, wizard].every((index) => index >= 0)).toBe(true);
    expect(pause).toBeLessThan(v2);
    expect(v2).toBeLessThan(resume);
    expect(resume).toBeLessThan(ou);
    expect(ou).toBeLessThan(permission);
    expect(permission).toBeLessThan(wizard);

    // Exactly the expected groups: M365 unless opted out, security only when enabled.
    const { state } = show(stateFile);
    const expected = state.tenant.groups
      .filter((g) => (g.type === "m365" ? g.writebackEnabled !== false : g.writebackEnabled === true))
      .map((g) => `Group_${g.objectId}`)
      .sort();
    const optedOut = state.tenant.groups.filter((g) => g.type === "m365" && g.writebackEnabled === false);
    expect(optedOut).toHaveLength(3);
    const written = groupsIn(stateFile, LAB_OU);
    expect(written.map((g) => g.adminDescription).sort()).toEqual(expected);
    expect(expected).toHaveLength(5 + 2);
    expect(up.outputs.writtenBackGroupCount?.value).toBe(7);
    expect(up.outputs.v2State?.value).toBe("enabled");
    expect(up.outputs.v1State?.value).toBe("configured");
    expect(up.outputs.serverVersion?.value).toBe("2.4.18.0");

    // The serialized providers in state stay thin shells.
    const exported = await testStack.stack.exportStack();
    const providers = (exported.deployment.resources as { urn: string; outputs?: { __provider?: string } }[])
      .filter((r) => r.outputs?.__provider)
      .map((r) => ({ resource: r.urn.split("::").pop(), bytes: String(r.outputs!.__provider).length }));
    expect(providers).toHaveLength(5);
    console.log(
      `serialized providers in state (bytes): ${providers.map((p) => `${p.resource} ${p.bytes}`).join(", ")}`,
    );
    expect(Math.max(...providers.map((p) => p.bytes))).toBeLessThan(8_000);

    // Converged: a second up changes nothing and a refreshed preview expects no changes.
    const before = providerOperations(stateFile).filter(
      (o) =>
        o.operation.startsWith("set") || o.operation.startsWith("new") || o.operation.startsWith("grant"),
    ).length;
    const again = await testStack.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 7 });
    const writesAfter = providerOperations(stateFile).filter(
      (o) =>
        o.operation.startsWith("set") || o.operation.startsWith("new") || o.operation.startsWith("grant"),
    ).length;
    expect(writesAfter).toBe(before);
    await expect(testStack.stack.preview({ refresh: true, expectNoChanges: true })).resolves.toBeDefined();
  } finally {
    await testStack.cleanup();
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
