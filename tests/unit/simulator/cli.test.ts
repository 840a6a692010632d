import * as fs from "node:fs";
import * as path from "node:path";
import { EntraConnectClient } from "../../../contract/backend";
import { deleteOutOfScopeGroupsRule } from "../../../domain/groupWritebackRules";
import { createSimulatorBackend, type SimState } from "../../../simulator";
import { cli, cliInProcess, type CliResult, ensureBuilt, FIXED_NOW, tempDir } from "./testSupport";

jest.setTimeout(30_000);

let dir: string;
let file: string;
const OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";

beforeAll(async () => ensureBuilt(), 180_000);
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, "lab.json");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

// The commands run through the CLI's entry function in this process; the first test shows that bin/entra-sim
// (the process around it) prints and exits the same.
function ok(args: string[]): string {
  const result = cliInProcess(args);
  expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: "" });
  return result.stdout;
}

/** A failure: the exit code, and exactly one line on stderr. */
function fails(args: string[], code: number, message: string | RegExp): CliResult {
  const result = cliInProcess(args);
  expect(result.code).toBe(code);
  const lines = result.stderr.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  if (typeof message === "string") expect(lines[0]).toBe(message);
  else expect(lines[0]).toMatch(message);
  return result;
}

function stateJson(): { state: SimState; journal: { kind: string; operation?: string; client?: string }[] } {
  return JSON.parse(ok(["show", file, "--json"])) as { state: SimState; journal: { kind: string }[] };
}

function init(...extra: string[]): string {
  return ok(["init", file, "--clock", "simulated", "--now", FIXED_NOW, ...extra]);
}

describe("entra-sim: usage", () => {
  it("bin/entra-sim prints and exits as its entry function does in process", () => {
    const commands = [
      ["--help"],
      [],
      ["frobnicate"],
      ["show", path.join(dir, "missing.json")],
      ["init", file, "--clock", "simulated", "--now", FIXED_NOW, "--seed", "3"],
      ["show", file, "--json"],
      ["busy", file, "--seconds", "x"],
    ];
    for (const args of commands) {
      const spawned = cli(args);
      if (args[0] === "init") fs.rmSync(file);
      expect({ args, ...cliInProcess(args) }).toEqual({ args, ...spawned });
    }
    expect(cli([]).code).toBe(2);
    expect(cli(["show", path.join(dir, "missing.json")]).code).toBe(1);
  });

  it("lists the commands with --help, and exits 2 without a command", () => {
    const help = ok(["--help"]);
    for (const command of [
      "init",
      "show",
      "wizard",
      "scheduler",
      "feature",
      "sync",
      "busy",
      "ad",
      "tenant",
      "fault",
      "add-server",
      "clock",
    ]) {
      expect(help).toContain(`  ${command} <state>`);
    }
    expect(cliInProcess([]).code).toBe(2);
  });

  it("explains bad input in one line with exit code 2", () => {
    init();
    fails(["busy", file, "--seconds", "x"], 2, 'entra-sim: --seconds must be a positive integer, got "x"');
    fails(["busy", file], 2, /--seconds is required/);
    fails(["frobnicate"], 2, /^entra-sim: unknown command "frobnicate"/);
    fails(["show", file, "--colour"], 2, "entra-sim: show: unknown option --colour (see entra-sim --help)");
    fails(
      ["scheduler", file, "--sync-cycle-enabled", "maybe"],
      2,
      'entra-sim: --sync-cycle-enabled must be true or false, got "maybe"',
    );
    fails(["sync", file, "--policy", "Full"], 2, 'entra-sim: --policy must be Initial or Delta, got "Full"');
    fails(["wizard", file, "group-writeback", "--enable"], 2, /--ou is missing/);
    fails(
      ["wizard", file, "group-writeback", "--enable", "--disable"],
      2,
      /exactly one of --enable or --disable/,
    );
    fails(
      ["wizard", file, "group-writeback", "--enable", "--ou", "not a dn"],
      2,
      /--ou must be a distinguished name/,
    );
    fails(["fault", file, "getEverything"], 2, /the operation must be one of getServerInfo/);
    fails(["tenant", file, "add-group", "--type", "distribution"], 2, /--type must be m365 or security/);
    fails(["init", path.join(dir, "x.json"), "--m365", "-3"], 2, /--m365/);
    fails(
      ["init", path.join(dir, "x.json"), "--m365", "2", "--m365-opted-out", "3"],
      2,
      /--m365-opted-out cannot exceed --m365/,
    );
    fails(["show"], 2, /the state file is missing/);
    fails(["show", path.join(dir, "missing.json")], 1, /does not exist; create it with: entra-sim init/);
  });
});

describe("entra-sim show: the pause window", () => {
  it("names the window's holder and purpose, and says when it is held across steps", async () => {
    init();
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile: file }));
    const open = (held?: boolean) =>
      client.call("openSyncWindow", {
        owner: "entra-writeback/lab",
        change: "migrating Group Writeback V2 security groups to Cloud Sync",
        initialCycle: false,
        ...(held === undefined ? {} : { held }),
        leaseSeconds: 600,
      });
    await open();
    const line = (text: string) => text.split("\n").find((each) => each.includes("Pause window:"));
    expect(line(ok(["show", file]))).toMatch(
      /^ {2}Pause window: entra-writeback\/lab, for migrating Group Writeback V2 security groups to Cloud Sync, opened /,
    );
    await open(true);
    expect(line(ok(["show", file]))).toMatch(
      /^ {2}Pause window: entra-writeback\/lab, for migrating Group Writeback V2 security groups to Cloud Sync \(held across steps\), opened /,
    );
    await client.close();
  });
});

describe("entra-sim: init and show", () => {
  it("creates a realistic state, prints a summary, and refuses to overwrite without --force", () => {
    const out = init(
      "--m365",
      "5",
      "--security",
      "3",
      "--security-enabled",
      "1",
      "--m365-opted-out",
      "1",
      "--sync-seconds",
      "20",
    );
    expect(out).toContain(`Created ${file}`);
    expect(out).toContain("server: CONNECT01");
    expect(out).toContain("domain: contoso.com");
    expect(out).toMatch(/connector account: CN=MSOL_[0-9a-f]{12},CN=Users,DC=contoso,DC=com/);
    expect(out).toContain(`suggested writeback OU: ${OU}`);
    const { state } = stateJson();
    expect(state.tenant.groups.filter((group) => group.type === "m365")).toHaveLength(5);
    expect(
      state.tenant.groups.filter((group) => group.writebackEnabled === false && group.type === "m365"),
    ).toHaveLength(1);
    expect(
      state.tenant.groups.filter((group) => group.type === "security" && group.writebackEnabled === true),
    ).toHaveLength(1);
    expect(state.settings.syncSeconds).toBe(20);
    expect(Object.values(state.domain.objects).map((object) => object.dn)).toEqual(
      expect.arrayContaining([
        "DC=contoso,DC=com",
        "OU=Corp,DC=contoso,DC=com",
        "OU=Groups,OU=Corp,DC=contoso,DC=com",
        "CN=Users,DC=contoso,DC=com",
        "OU=Excluded,DC=contoso,DC=com",
      ]),
    );
    fails(["init", file], 1, /already exists; pass --force to overwrite it/);
    ok([
      "init",
      file,
      "--force",
      "--domain",
      "fabrikam.net",
      "--era",
      "current",
      "--connect-version",
      "2.0.89.0",
    ]);
    const again = stateJson().state;
    expect(again.domain.rootDn).toBe("DC=fabrikam,DC=net");
    expect(again.tenant.era).toBe("current");
    expect(again.servers[0]?.connectVersion).toBe("2.0.89.0");
    expect(again.clock).toEqual({ mode: "real" });
  });

  it("is deterministic for a seed", () => {
    init("--seed", "7");
    const first = stateJson().state.tenant.groups.map((group) => group.objectId);
    init("--seed", "7", "--force");
    expect(stateJson().state.tenant.groups.map((group) => group.objectId)).toEqual(first);
  });
});

describe("entra-sim: the group writeback story", () => {
  it("enables v2, creates and grants the OU, runs the wizard, waits for the cycle and shows the result", () => {
    init("--m365", "4", "--m365-opted-out", "1", "--security", "2", "--security-enabled", "1");
    const account = stateJson().state.servers[0]?.adConnector.accountDn ?? "";
    expect(ok(["ad", file, "new-ou", "Entra Writeback", "OU=Groups,OU=Corp,DC=contoso,DC=com"])).toContain(
      `created ${OU}`,
    );
    ok(["ad", file, "grant", OU, account]);
    expect(ok(["feature", file, "--group-writeback-v2", "true"])).toContain("groupWritebackV2: true");
    fails(
      ["wizard", file, "group-writeback", "--enable", "--ou", "OU=Excluded,DC=contoso,DC=com"],
      1,
      /^entra-sim: OU is excluded/,
    );
    fails(
      ["wizard", file, "group-writeback", "--enable", "--ou", "OU=Nope,DC=contoso,DC=com"],
      1,
      /does not exist/,
    );
    expect(ok(["wizard", file, "group-writeback", "--enable", "--ou", OU])).toContain(
      "an Initial sync cycle started",
    );
    fails(
      ["wizard", file, "staging", "--enable"],
      1,
      "entra-sim: Cannot change configuration while a synchronization cycle is in progress.",
    );
    fails(
      ["sync", file],
      1,
      "entra-sim: System.InvalidOperationException: Sync is already running. Cannot start a new run till this one completes.",
    );
    expect(ok(["clock", file, "--advance", "60"])).toBe("2025-01-06T08:01:00.000Z\n");
    const summary = ok(["show", file]);
    expect(summary).toContain("Written back under the OU: 4");
    expect(summary).toContain("Not written back: 2");
    expect(summary).toMatch(/writeback disabled on the group \(isEnabled = false\)/);
    const listed = JSON.parse(ok(["ad", file, "list", OU, "--json"])) as { objectClass: string }[];
    expect(listed.filter((object) => object.objectClass === "group")).toHaveLength(4);

    expect(ok(["sync", file, "--policy", "Initial", "--wait"])).toMatch(
      /Initial sync cycle started\n(sync cycle running, \d+ s left\n)+cycle completed at .*: 0 added, 0 updated, 0 deleted, 0 pending exports, 0 export errors/,
    );

    fails(["ad", file, "delete-ou", OU], 1, /is not empty: it holds 4 direct child object\(s\)/);
    expect(ok(["ad", file, "revoke", OU, account])).toContain("removed 1 writeback ACE(s)");
    expect(ok(["ad", file, "delete-ou", OU, "--recursive"])).toContain(`deleted ${OU}`);

    const { journal } = stateJson();
    const cliOperations = journal
      .filter((entry) => entry.kind === "operation")
      .map((entry) => entry.operation);
    expect(cliOperations).toEqual(
      expect.arrayContaining([
        "newOrganizationalUnit",
        "grantWritebackAccess",
        "setGroupWritebackV2",
        "wizard.groupWriteback.enable",
        "startSyncCycle",
        "removeOrganizationalUnit",
      ]),
    );
    expect(
      journal.filter((entry) => entry.kind === "operation").every((entry) => entry.client === "cli"),
    ).toBe(true);
  });

  it("stages exports on a staging server and disables writeback", () => {
    init("--m365", "2", "--m365-opted-out", "0", "--security", "0", "--security-enabled", "0");
    ok(["wizard", file, "staging", "--enable"]);
    ok([
      "wizard",
      file,
      "group-writeback",
      "--enable",
      "--ou",
      "OU=Groups,OU=Corp,DC=contoso,DC=com",
      "--display-name-dn",
    ]);
    ok(["clock", file, "--advance", "40"]);
    const server = stateJson().state.servers[0];
    expect(server?.pendingExports.map((pending) => pending.modification)).toEqual(["add", "add"]);
    expect(server?.groupWriteback.displayNameDn).toBe(true);
    expect(ok(["wizard", file, "group-writeback", "--disable"])).toContain("the next sync cycle deletes");
    expect(stateJson().state.tenant.features.unifiedGroupWriteback).toBe(false);
  });

  it("refuses v2 on a current-era tenant", () => {
    init("--era", "current");
    fails(
      ["feature", file, "--group-writeback-v2", "true"],
      1,
      /tenant no longer allows enabling Group Writeback V2/,
    );
  });
});

describe("entra-sim: rules", () => {
  it("lists the sync rules by precedence, a custom rule first, with its state", async () => {
    init();
    expect(ok(["rules", file]).trimEnd().split("\n")).toEqual([
      " 115  Inbound  Provision  enabled  built-in In from AAD - Group SOAInAAD (0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a01)",
    ]);
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile: file, client: "test" }));
    await client.call("newSyncRule", { ...deleteOutOfScopeGroupsRule(50), disabled: true });
    await client.close();
    const lines = ok(["rules", file]).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "  50  Inbound  Join       disabled custom   In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete (cb871f2d-0f01-4c32-a333-ff809145b947)",
    );
    expect(lines).toHaveLength(2);
  });
});

describe("entra-sim: scheduler, busy, clock, tenant, fault, add-server", () => {
  it("sets the scheduler, runs a busy cycle, and moves the clock", () => {
    init();
    expect(ok(["scheduler", file, "--sync-cycle-enabled", "false"])).toContain("syncCycleEnabled: false");
    expect(ok(["busy", file, "--seconds", "300"])).toContain("a sync cycle runs for 300 s");
    expect(ok(["scheduler", file])).toContain("syncCycleInProgress: true");
    ok(["clock", file, "--advance", "300"]);
    expect(ok(["scheduler", file])).toContain("syncCycleInProgress: false");
    expect(ok(["scheduler", file, "--suspended", "true"])).toContain("schedulerSuspended: true");
    fails(
      ["sync", file],
      1,
      "entra-sim: System.InvalidOperationException: Scheduler is already suspended via global parameters.",
    );
  });

  it("refuses to move a real clock", () => {
    ok(["init", file]);
    fails(["clock", file, "--advance", "10"], 1, /the clock is real/);
  });

  it("adds and changes cloud groups", () => {
    init("--m365", "0", "--m365-opted-out", "0", "--security", "0", "--security-enabled", "0");
    const out = ok([
      "tenant",
      file,
      "add-group",
      "--type",
      "security",
      "--name",
      "SG-Writeback, Pilot",
      "--writeback",
      "true",
    ]);
    const objectId = out.split(" ")[0] ?? "";
    expect(objectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      ok(["tenant", file, "set-group", objectId, "--deleted", "soft", "--writeback", "unset"]),
    ).toContain("writeback null, deleted soft");
    expect(stateJson().state.tenant.groups).toEqual([
      {
        objectId,
        displayName: "SG-Writeback, Pilot",
        type: "security",
        writebackEnabled: null,
        deleted: "soft",
      },
    ]);
    fails(
      ["tenant", file, "set-group", "3a5c3221-c465-48c0-95b8-e9305786a271", "--deleted", "hard"],
      1,
      /no cloud group with objectId/,
    );
  });

  it("arms faults that only the backend sees", async () => {
    init();
    expect(ok(["fault", file, "getServerInfo", "--times", "2", "--message", "boom"])).toContain(
      "the next 2 call(s) of getServerInfo will fail",
    );
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile: file }));
    await expect(client.call("getServerInfo", {})).rejects.toMatchObject({
      code: "InjectedFault",
      message: "boom",
    });
    expect(stateJson().state.faults).toEqual([
      { operation: "getServerInfo", remaining: 1, kind: "error", message: "boom" },
    ]);
    expect(ok(["fault", file, "--clear"])).toContain("cleared 1 fault(s)");
    expect((await client.call("getServerInfo", {})).computerName).toBe("CONNECT01");
    fails(["fault", file, "getServerInfo", "--kind", "explode"], 2, /--kind must be error or hang/);
  });

  it("adds a second server that commands address with --server", () => {
    init();
    expect(
      ok(["add-server", file, "--name", "CONNECT02", "--staging", "--connect-version", "2.5.3.0"]),
    ).toMatch(/added server CONNECT02 \(2\.5\.3\.0, staging mode\), connector account CN=MSOL_[0-9a-f]{12}/);
    fails(["add-server", file, "--name", "CONNECT02"], 1, /already exists/);
    expect(ok(["busy", file, "--seconds", "100", "--server", "CONNECT02"])).toContain("100 s");
    expect(ok(["scheduler", file, "--server", "CONNECT02"])).toContain("stagingModeEnabled: true");
    expect(ok(["scheduler", file])).toContain("syncCycleInProgress: false");
    fails(
      ["show", file, "--server", "NOPE"],
      1,
      'entra-sim: no server named "NOPE" in the state file; servers: CONNECT01, CONNECT02',
    );
    expect(ok(["show", file, "--server", "CONNECT02"])).not.toContain("Server CONNECT01");
    fails(["scheduler", file, "--server", "NOPE"], 1, /no server named "NOPE"/);
    const summary = ok(["show", file]);
    expect(summary).toContain("Server CONNECT02: Entra Connect 2.5.3.0, STAGING mode");
  });
});

describe("entra-sim: every bad input gets one clear line and exit 2", () => {
  it.each([
    [
      ["tenant", "FILE", "add-group", "--type", "m365", "--name", ""],
      "entra-sim: tenant: --name: a group name cannot be empty",
    ],
    [
      ["tenant", "FILE", "add-group", "--type", "m365", "--name", "n".repeat(257)],
      "entra-sim: tenant: --name: a group name has at most 256 characters",
    ],
    [
      ["fault", "FILE", "getScheduler", "--message", ""],
      "entra-sim: fault: --message: the fault message cannot be empty",
    ],
    [["busy", "FILE", "--seconds", "-5"], 'entra-sim: --seconds must be a positive integer, got "-5"'],
    [["clock", "FILE", "--advance", "-5"], 'entra-sim: --advance must be a non-negative integer, got "-5"'],
    [
      ["fault", "FILE", "getScheduler", "--times", "-1"],
      'entra-sim: --times must be a positive integer, got "-1"',
    ],
  ])("%j", (args, message) => {
    init();
    fails(
      args.map((arg) => (arg === "FILE" ? file : arg)),
      2,
      message,
    );
  });

  it("a name of 256 characters and a negative-looking name are accepted (the limits above can pass)", () => {
    init();
    expect(ok(["tenant", file, "add-group", "--type", "m365", "--name", "n".repeat(256)])).toContain(
      "n".repeat(256),
    );
    expect(ok(["tenant", file, "add-group", "--type", "m365", "--name", "-5"])).toContain("-5");
  });

  it("init refuses a missing parent directory instead of creating the tree, and says how to create it", () => {
    const missing = path.join(dir, "no", "such", "dir");
    fails(
      ["init", path.join(missing, "x.json")],
      2,
      `entra-sim: init: the directory ${missing} does not exist; create it first (mkdir -p ${missing})`,
    );
    expect(fs.existsSync(path.join(dir, "no"))).toBe(false);
    // Following the advice works.
    fs.mkdirSync(missing, { recursive: true });
    ok(["init", path.join(missing, "x.json"), "--clock", "simulated"]);
    expect(fs.existsSync(path.join(missing, "x.json"))).toBe(true);
  });
});
