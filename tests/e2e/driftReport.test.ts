// The drift command across three stacks of one project, one of them drifted: table, JSON, JUnit, exit code.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runPulumi } from "../../tools/pulumiCli";
import { LAB_ACCOUNT, LAB_OU, newLabDirectory, newLabServer, simOk, wizardEnable } from "./support/lab";
import { projectRoot, pulumiEnvironment } from "./support/pulumiHarness";

jest.setTimeout(10 * 60_000);

test("npm run drift: one drifted stack among three", async () => {
  const directory = newLabDirectory();
  const projectDir = path.join(directory, "project");
  fs.mkdirSync(path.join(projectDir, "stacks"), { recursive: true });
  fs.writeFileSync(
    path.join(projectDir, "Pulumi.yaml"),
    `name: entra-writeback\nruntime: nodejs\nmain: ${projectRoot}\nstackConfigDir: stacks\n`,
  );
  const env = pulumiEnvironment(path.join(directory, "state"));
  fs.mkdirSync(path.join(directory, "state"), { recursive: true });
  fs.mkdirSync(env.PULUMI_HOME!, { recursive: true });
  const options = { projectDir, env };
  try {
    const stacks = ["east", "west", "north"];
    for (const stack of stacks) {
      const stateFile = newLabServer(fs.mkdtempSync(path.join(directory, `${stack}-`)), [
        "--m365",
        "2",
        "--m365-opted-out",
        "0",
      ]);
      fs.writeFileSync(
        path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
        [
          "config:",
          "  entra-writeback:target:",
          "    kind: simulator",
          `    stateFile: ${stateFile}`,
          `  entra-writeback:writebackOu: ${LAB_OU}`,
          `  entra-writeback:connectorAccountDn: ${LAB_ACCOUNT}`,
          "",
        ].join("\n"),
      );
      expect((await runPulumi(["stack", "init", stack], options)).exitCode).toBe(0);
      expect((await runPulumi(["up", "--yes", "--stack", stack], options)).exitCode).not.toBe(0); // stops at the wizard
      wizardEnable(stateFile);
      expect((await runPulumi(["up", "--yes", "--stack", stack], options)).exitCode).toBe(0);
      if (stack === "west") simOk(["ad", stateFile, "revoke", LAB_OU, LAB_ACCOUNT]);
    }

    const json = path.join(directory, "reports", "drift.json");
    const junit = path.join(directory, "reports", "drift.xml");
    const runDrift = (stacks: string[]) =>
      spawnSync(
        path.join(projectRoot, "node_modules", ".bin", "node"),
        [
          path.join(projectRoot, "dist", "tools", "drift.js"),
          ...stacks,
          ...["--project-dir", projectDir, "--json", json, "--junit", junit],
        ],
        { env, encoding: "utf8" },
      );
    const drift = runDrift([]);
    expect(drift.stderr).not.toMatch(/^drift: (?!checking|reports)/m);
    // Progress: one line per stack as it finishes.
    expect(
      drift.stderr.match(/^ {2}\[[1-3]\/3\] (east|west|north): (in-sync|drifted) \(\d+\.\d s\)$/gm),
    ).toHaveLength(3);
    expect(drift.status).toBe(1);
    const table = drift.stdout.split("\n");
    expect(table[0]).toMatch(/^STACK\s+STATUS\s+CHANGES\s+DETAILS$/);
    expect(table.find((line) => line.startsWith("west"))).toMatch(
      /west\s+drifted\s+1\s+update group-writeback-permission \(WritebackPermission\)/,
    );
    expect(table.find((line) => line.startsWith("east"))).toMatch(/east\s+in-sync\s+0/);
    // The property, live against declared, as preview --diff shows it.
    expect(table.find((line) => line.startsWith("west"))).toContain(
      "update group-writeback-permission (WritebackPermission): granted: live false, declared true",
    );

    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(report.summary).toEqual({ stacks: 3, inSync: 2, drifted: 1, failed: 0 });
    expect(report.results.find((r: { stack: string }) => r.stack === "west").changes).toEqual([
      { op: "update", type: "WritebackPermission", name: "group-writeback-permission" },
    ]);
    expect(report.results.find((r: { stack: string }) => r.stack === "west").properties).toEqual([
      {
        name: "group-writeback-permission",
        type: "WritebackPermission",
        property: "granted",
        live: false,
        declared: true,
      },
    ]);
    const xml = fs.readFileSync(junit, "utf8");
    expect(xml).toContain(
      "<system-out>group-writeback-permission (WritebackPermission) granted: live false, declared true</system-out>",
    );
    expect(xml).toContain('tests="3" failures="1" errors="0"');
    expect(xml).toMatch(
      /<testcase classname="entra-writeback.drift" name="west"[^>]*>\s*<failure message="1 resource\(s\) drifted">update group-writeback-permission \(WritebackPermission\)<\/failure>/,
    );

    // A chosen list, all in sync: exit 0.
    const chosen = runDrift(["east", "north"]);
    expect(chosen.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(json, "utf8")).summary).toEqual({
      stacks: 2,
      inSync: 2,
      drifted: 0,
      failed: 0,
    });
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
