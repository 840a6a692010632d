// entra-sim cloudsync: seed, cycle, agent, settings, show (through the CLI's entry function).
import { withState } from "../../../simulator";
import { main } from "../../../simulator/cli";
import { createCloudSyncConfiguration } from "../../../simulator/cloudSync";
import { newSim, type Sim } from "./testSupport";

let sim: Sim;
beforeEach(async () => {
  sim = await newSim({ m365: 1, m365OptedOut: 0, security: 1, securityEnabled: 0 });
});
afterEach(async () => sim.cleanup());

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("entra-sim cloudsync", () => {
  it("refuses a cycle without a configuration, then seeds, cycles and shows one", async () => {
    const none = await run("cloudsync", sim.file, "cycle");
    expect(none.code).toBe(1);
    expect(none.err).toContain("there is no Cloud Sync group provisioning job in the simulated tenant");
    await withState(sim.file, (tx) => createCloudSyncConfiguration(tx, { start: true }));
    const seeded = await run(
      "cloudsync",
      sim.file,
      "seed",
      "--groups",
      "2",
      "--members",
      "2",
      "--on-premises-members",
      "1",
      "--assign-to",
      "contoso.com",
    );
    expect(seeded.code).toBe(0);
    expect(seeded.out.split("\n")).toHaveLength(2);
    expect(seeded.out).toContain("(2 members, 1 with an AD account)");
    const cycle = await run("cloudsync", sim.file, "cycle", "--sp", "contoso.com");
    expect(cycle.code).toBe(0);
    expect(cycle.out).toMatch(/contoso\.com AAD2ADGroupProvisioning\.\S+: ran; added 2, updated 0/);
    const show = await run("cloudsync", sim.file, "show");
    expect(show.out).toContain("schedule Active, status Active, domain contoso.com");
    expect(show.out).toContain("scope 2 selected group(s), delete threshold 500, provisioned 2");
    expect(show.out).toContain('parentDistinguishedName <- "CN=Users,DC=contoso,DC=com"');
  });

  it("removes the agent (the next cycle quarantines the job) and changes settings; refuses bad input", async () => {
    await withState(sim.file, (tx) => createCloudSyncConfiguration(tx, { start: true }));
    expect((await run("cloudsync", sim.file, "agent", "--remove")).out).toBe(
      "no provisioning agent is registered",
    );
    const cycle = await run("cloudsync", sim.file, "cycle");
    expect(cycle.out).toContain(": quarantined;");
    expect(cycle.out).toContain("no active provisioning agent is registered for contoso.com");
    expect((await run("cloudsync", sim.file, "agent", "--version", "1.1.1370.0")).out).toBe(
      "AGENT01.contoso.com (contoso.com): active, build 1.1.1370.0",
    );
    expect((await run("cloudsync", sim.file, "settings", "--start-delay", "0")).out).toBe(
      "interval 2400 s, start delay 0 s, replication delay 0 s, cloud Public",
    );
    const bad = await run("cloudsync", sim.file, "launch");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      "cloudsync: the action must be cycle, seed, configure, job, mapping, scope, threshold, agent, settings, show",
    );
    expect((await run("cloudsync", sim.file, "seed")).err).toContain("--groups N is required");
  });

  it("configures a job by hand and changes it as the drift cases do: pause, a mapping, a group unassigned, the threshold", async () => {
    const ou = "OU=Groups,OU=Corp,DC=contoso,DC=com";
    const configured = await run(
      "cloudsync",
      sim.file,
      "configure",
      "--ou",
      ou,
      "--cn",
      "connect",
      "--threshold",
      "2",
      "--start",
    );
    expect(configured.code).toBe(0);
    expect(configured.out).toMatch(
      /^service principal [0-9a-f-]{36}, job AAD2ADGroupProvisioning\.\S+, rule \S+#V2$/,
    );
    const seeded = await run("cloudsync", sim.file, "seed", "--groups", "2", "--assign-to", "contoso.com");
    const [first] = seeded.out.split("\n").map((line) => line.split(" ")[0]!);
    expect((await run("cloudsync", sim.file, "cycle")).out).toContain("ran; added 2");
    const show = (await run("cloudsync", sim.file, "show")).out;
    expect(show).toContain(`parentDistinguishedName <- "${ou}"`);
    expect(show).toContain('cn <- Append("Group_", [objectId])');
    expect(show).toContain("delete threshold 2");

    expect((await run("cloudsync", sim.file, "job", "pause", "--sp", "contoso.com")).out).toMatch(
      /schedule Paused, status Paused$/,
    );
    expect(
      (
        await run(
          "cloudsync",
          sim.file,
          "mapping",
          "--sp",
          "contoso.com",
          "--target",
          "sAMAccountName",
          "--expression",
          'Join("_", [displayName], "X")',
        )
      ).code,
    ).toBe(0);
    expect((await run("cloudsync", sim.file, "scope", "--sp", "contoso.com", "--drop", first!)).out).toBe(
      "0 group(s) assigned, 1 unassigned",
    );
    expect((await run("cloudsync", sim.file, "threshold", "off", "--sp", "contoso.com")).out).toBe(
      "delete threshold disabled",
    );
    const after = (await run("cloudsync", sim.file, "show")).out;
    expect(after).toContain("schedule Paused, status Paused, domain contoso.com"); // the Domain secret kept
    expect(after).toContain('sAMAccountName <- Join("_", [displayName], "X")');
    expect(after).toContain("scope 1 selected group(s), delete threshold disabled");
    const refused = await run(
      "cloudsync",
      sim.file,
      "mapping",
      "--sp",
      "contoso.com",
      "--target",
      "cn",
      "--expression",
      "Coalesce([displayName])",
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("does not model the function Coalesce()");
    expect((await run("cloudsync", sim.file, "job", "start", "--sp", "contoso.com")).out).toMatch(
      /schedule Active, status Active$/,
    );
  });
});
