// Swing migration on two simulated servers sharing one tenant and domain: the staging stack reports the
// pending exports (matching the simulator's truth), the servers switch, the production stack converges,
// and what the staging server reported is exactly what the new active server writes.
import * as fs from "fs";
import {
  convergeLab,
  groupsIn,
  LAB_OU,
  labStack,
  newLabDirectory,
  newLabServer,
  plannedStep,
  failureOf,
  show,
  simOk,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

test("staging verification, the switch, then the production stack", async () => {
  const directory = newLabDirectory();
  const stateFile = newLabServer(directory, [
    "--m365",
    "6",
    "--m365-opted-out",
    "2",
    "--security",
    "3",
    "--security-enabled",
    "1",
  ]);
  simOk(["add-server", stateFile, "--name", "CONNECT02", "--staging"]);
  // Every Entra Connect server has its own AD DS connector account: the writeback rights go to CONNECT02's.
  const connect02 = show(stateFile).state.servers.find(
    (server) => server.name === "CONNECT02",
  ) as unknown as {
    adConnector: { accountDn: string };
  };
  const account = connect02.adConnector.accountDn;
  const staging = await labStack("staging", stateFile, { role: "staging", connectorAccountDn: account });
  await staging.stack.setConfig("entra-writeback:target", {
    value: JSON.stringify({ kind: "simulator", stateFile, server: "CONNECT02" }),
  });
  let production: Awaited<ReturnType<typeof labStack>> | undefined;
  try {
    await convergeLab(staging, stateFile, ["--server", "CONNECT02"]);
    const outputs = await staging.stack.outputs();
    const report = outputs.pendingExports?.value as {
      adds: number;
      updates: number;
      deletes: number;
      objects: { dn: string; modification: string }[];
    };

    // The simulator's truth: M365 groups unless opted out, security groups only when enabled.
    const { state } = show(stateFile);
    const expectedDns = state.tenant.groups
      .filter((g) => (g.type === "m365" ? g.writebackEnabled !== false : g.writebackEnabled === true))
      .map((g) => `CN=Group_${g.objectId},${LAB_OU}`)
      .sort();
    expect(expectedDns).toHaveLength(4 + 1);
    expect(report).toMatchObject({ adds: expectedDns.length, updates: 0, deletes: 0 });
    expect(report.objects.map((o) => o.dn).sort()).toEqual(expectedDns);
    expect(outputs.pendingManualSteps?.value.join(" ")).toContain("docs/swing-migration.md");
    // Staging exports nothing.
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(0);

    // The switch: the old active server to staging first, then the new one to active.
    simOk(["wizard", stateFile, "staging", "--enable", "--server", "CONNECT01"]);
    simOk(["wizard", stateFile, "staging", "--disable", "--server", "CONNECT02"]);

    // The staging stack now sees an active server: drift on its role, and it refuses to act.
    const drift = await failureOf(staging.stack.preview({ refresh: true, expectNoChanges: true }));
    expect(plannedStep(drift, "group-writeback-scheduler")).toMatch(/update$/);
    const refused = await failureOf(staging.stack.up({ refresh: true }));
    expect(refused).toContain("CONNECT02 is not in staging mode, but this stack's role is staging");

    production = await labStack("production", stateFile, {
      role: "active",
      groupWritebackV2: "require",
      connectorAccountDn: account,
    });
    await production.stack.setConfig("entra-writeback:target", {
      value: JSON.stringify({ kind: "simulator", stateFile, server: "CONNECT02" }),
    });
    const up = await production.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.v2State?.value).toBe("enabled");

    simOk(["sync", stateFile, "--server", "CONNECT02", "--wait"]);
    expect(
      groupsIn(stateFile, LAB_OU)
        .map((g) => g.dn)
        .sort(),
    ).toEqual(expectedDns);
    await production.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await staging.cleanup();
    await production?.cleanup();
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
