// The whole chain for real servers, on the real engine: providers -> PowerShell backend -> node-powershell ->
// a `powershell` process (the test fake, which speaks node-powershell's protocol, accepts only the base64
// bootstrap line, and answers by applying each operation to the simulator). Target kind `local`.
import * as fs from "fs";
import * as path from "path";
import { PowerShell } from "node-powershell";
import program from "../../index";
import { shellQuote } from "../../simulator/commandLine";
import {
  convergeLab,
  failureOf,
  groupsIn,
  LAB_ACCOUNT,
  LAB_OU,
  labConfig,
  newLabDirectory,
  newLabServer,
  plannedStep,
  show,
  simOk,
} from "./support/lab";
import { createTestStack, projectRoot } from "./support/pulumiHarness";

jest.setTimeout(10 * 60_000);

/** The fake powershell as the provider process runs it (NODE_POWERSHELL below), logging to `log`. */
function fakeExecutable(log: string, stateFile: string): string {
  const executable = path.join(path.dirname(log), "powershell");
  fs.writeFileSync(
    executable,
    [
      "#!/bin/sh",
      `export FAKE_PS_MODE=simulator FAKE_PS_SIMULATOR_STATE=${shellQuote(stateFile)} FAKE_PS_LOG=${shellQuote(log)}`,
      `exec ${shellQuote(process.execPath)} ${shellQuote(path.join(projectRoot, "tests", "support", "fakePowerShell.js"))} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return executable;
}

test("a local-target stack converges, detects drift and repairs it through PowerShell", async () => {
  const directory = newLabDirectory();
  // The real clock: the PowerShell backend really sleeps, so the simulated server must really move on.
  const stateFile = newLabServer(directory, [
    "--clock",
    "real",
    "--sync-seconds",
    "2",
    "--m365",
    "5",
    "--m365-opted-out",
    "2",
    "--security",
    "2",
    "--security-enabled",
    "1",
  ]);
  const log = path.join(directory, "powershell.log");
  const config = labConfig(stateFile);
  config["entra-writeback:target"] = { value: JSON.stringify({ kind: "local" }) };
  const testStack = await createTestStack({
    stackName: "via-powershell",
    program,
    config,
    env: {
      NODE_POWERSHELL: path.join(projectRoot, "tests", "support", "fakePowerShell.js"),
      FAKE_PS_MODE: "simulator",
      FAKE_PS_SIMULATOR_STATE: stateFile,
      FAKE_PS_LOG: log,
    },
  });
  try {
    await convergeLab(testStack, stateFile);
    const outputs = await testStack.stack.outputs();
    expect(outputs.v2State?.value).toBe("enabled");
    expect(outputs.writtenBackGroupCount?.value).toBe(3 + 1);
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(3 + 1);

    // Every operation reached the server through the PowerShell fake, in the documented order.
    const viaPowerShell = show(stateFile).journal.filter(
      (entry) => entry.kind === "operation" && entry.client === "powershell-fake",
    ) as { operation: string; args: Record<string, unknown> }[];
    const writes = viaPowerShell.map((e) => e.operation).filter((name) => /^(set|new|grant)/.test(name));
    expect(writes).toEqual([
      "setSchedulerSyncCycleEnabled",
      "setGroupWritebackV2",
      "setSchedulerSyncCycleEnabled",
      "newOrganizationalUnit",
      "grantWritebackAccess",
    ]);
    // Nothing but the one-line base64 bootstrap reached the PowerShell process.
    const events = () =>
      fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { event: string });
    expect(events().filter((e) => e.event === "refused")).toEqual([]);
    expect(events().filter((e) => e.event === "call").length).toBeGreaterThan(10);
    // The filter can match: the same fake, given a plain command, logs a "refused" event to the same log.
    const shell = new PowerShell({
      executable: fakeExecutable(log, stateFile),
      throwOnInvocationError: false,
    });
    try {
      expect((await shell.invoke("Get-ADSyncScheduler")).hadErrors).toBe(true);
    } finally {
      await shell.dispose().catch(() => undefined);
    }
    expect(events().filter((e) => e.event === "refused")).toHaveLength(1);

    // A converged preview --refresh: one PowerShell process with one session, and one read per resource
    // (the SchedulerState and v2 resources share one getServerState).
    const logged = () =>
      fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { event: string; script?: string });
    const before = logged().length;
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
    const during = logged().slice(before);
    expect(during.filter((e) => e.event === "start")).toHaveLength(1);
    expect(during.filter((e) => e.event === "session")).toHaveLength(1);
    expect(
      during
        .filter((e) => e.event === "call" && e.script !== "_session")
        .map((e) => e.script)
        .sort(),
    ).toEqual(
      [
        "getServerState",
        "getOrganizationalUnit",
        "getAccessRules",
        "getGroupWritebackV1Config",
        // v1's read: the opted-out groups in the OU and the written-back count in one call.
        "getCloudGroupWriteback",
      ].sort(),
    );
    simOk(["ad", stateFile, "revoke", LAB_OU, LAB_ACCOUNT]);
    const drift = await failureOf(testStack.stack.preview({ refresh: true, expectNoChanges: true }));
    expect(plannedStep(drift, "group-writeback-permission")).toMatch(/update$/);
    await testStack.stack.up({ refresh: true });
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack.cleanup();
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
