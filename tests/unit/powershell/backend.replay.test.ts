// The real node-powershell and backend against the fake executable, answering from Microsoft's samples:
// what goes over the wire for every operation, and what comes back.
import * as fs from "node:fs";
import * as path from "node:path";
import { EntraConnectClient } from "../../../contract/backend";
import {
  type OperationArgs,
  type OperationName,
  operationNames,
  operations,
} from "../../../contract/contract";
import { isOperationError } from "../../../contract/errors";
import { DELETE_RULE_IDENTIFIER, deleteOutOfScopeGroupsRule } from "../../../domain/groupWritebackRules";
import { MIGRATION_WINDOW_CHANGE } from "../../../domain/cloudSyncMigration";
import { isHeldWindow, isHeldWindowFor, windowPurpose } from "../../../domain/syncWindow";
import { COMMANDS, loadModule } from "../../../powershell/module";
import { bootstrapText } from "../../../powershell/invocation";
import { createTestBackend, errorOf, type TestBackend } from "../../support/powerShellTestBackend";

const REPLAY = path.join(__dirname, "..", "..", "fixtures", "powershell", "replay");
const OU = "OU=Writeback,DC=contoso,DC=com";
const ACCOUNT = "CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com";

const SAMPLE_ARGUMENTS: { [N in OperationName]: OperationArgs<N> } = {
  getServerInfo: {},
  getScheduler: {},
  getSyncWindow: {},
  openSyncWindow: {
    owner: "entra-writeback/production",
    change: "enabling Group Writeback V2",
    initialCycle: false,
    leaseSeconds: 2100,
  },
  closeSyncWindow: { owner: "entra-writeback/production" },
  getServerState: {},
  setSchedulerSyncCycleEnabled: { enabled: false },
  startSyncCycle: { policyType: "Delta" },
  getCompanyFeatures: {},
  setGroupWritebackV2: { enabled: true },
  getGroupWritebackV1Config: {},
  getSyncScope: {},
  getOrganizationalUnit: { dn: OU },
  newOrganizationalUnit: { name: "Writeback", parentDn: "DC=contoso,DC=com" },
  removeOrganizationalUnit: { dn: OU, recursive: false },
  getAccessRules: { dn: OU, accountDn: ACCOUNT },
  grantWritebackAccess: { dn: OU, accountDn: ACCOUNT },
  revokeWritebackAccess: { dn: OU, accountDn: ACCOUNT },
  setForestWritebackPermissions: { accountDn: ACCOUNT },
  listWrittenBackGroups: { dn: OU },
  listPendingExports: { dn: OU },
  getCloudGroupWriteback: { dn: OU, sampleSize: 10 },
  getSyncRules: {},
  newSyncRule: deleteOutOfScopeGroupsRule(50),
  removeSyncRule: { identifier: DELETE_RULE_IDENTIFIER },
  setSyncRuleDisabled: { identifier: "0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a03", disabled: true },
  listGroupDirectoryObjectIds: { dn: OU },
  copyGroupDirectoryObjectIds: { dn: OU },
};

function fixture(operation: string, variant = "default"): { result?: unknown; error?: unknown } {
  return JSON.parse(fs.readFileSync(path.join(REPLAY, operation, `${variant}.json`), "utf8")) as {
    result?: unknown;
    error?: unknown;
  };
}

function lineParts(line: string): { prefix: string; first: string; args: string } {
  const match = /^(.*) '([A-Za-z0-9+/]*={0,2})' '([A-Za-z0-9+/]*={0,2})'$/.exec(line);
  if (match === null) throw new Error(`not an invocation line: ${line.slice(0, 100)}`);
  return {
    prefix: match[1] as string,
    first: Buffer.from(match[2] as string, "base64").toString("utf8"),
    args: Buffer.from(match[3] as string, "base64").toString("utf8"),
  };
}

describe("every operation over the wire (replay of recorded output)", () => {
  let harness: TestBackend;
  let client: EntraConnectClient;

  beforeAll(() => {
    harness = createTestBackend();
    client = new EntraConnectClient(harness.backend);
  });
  afterAll(() => harness.dispose());

  it.each(operationNames)(
    "%s: the decoded command is its EntraWriteback function, the arguments the expected JSON",
    async (operation) => {
      const args = SAMPLE_ARGUMENTS[operation];
      expect(operations[operation].args.safeParse(args).success).toBe(true);
      const before = harness.fake.commandLines().length;

      // Through the typed client, so the recorded answer is also checked against the contract.
      const result = await client.call(operation, args as never);
      expect(result).toEqual(fixture(operation).result);

      // The first call also carries the session's _session.ps1 open line before its own.
      const lines = harness.fake.commandLines().slice(before);
      expect(lines.length).toBe(operation === operationNames[0] ? 2 : 1);
      const line = lines.at(-1) as string;
      expect(line).toMatch(/^[\x20-\x7E]+$/);
      const { prefix, first, args: argumentsJson } = lineParts(line);
      expect(prefix).toBe(bootstrapText("local"));
      expect(first).toBe(COMMANDS[operation]);
      expect(argumentsJson).toBe(JSON.stringify(args));
      expect(harness.fake.calls().at(-1)).toMatchObject({
        shape: "local",
        script: operation,
        command: COMMANDS[operation],
        arguments: args,
      });
    },
  );

  it("all of it ran in one PowerShell process, started with the safe flags, prepared once", () => {
    const log = harness.fake.log();
    const starts = log.filter((record) => record.event === "start");
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({
      argv: [
        "-NoLogo",
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-NoExit",
        "-Command",
        "-",
      ],
    });
    const sessionCalls = harness.fake.calls().filter((call) => call.script === "_session");
    expect(sessionCalls).toEqual([
      expect.objectContaining({ shape: "session", arguments: { action: "open", transport: "local" } }),
    ]);
    // The open line carried the module's text as data (the fake refuses an open without it).
    const openLine = lineParts(harness.fake.commandLines()[0] as string);
    expect(openLine.prefix).toBe(bootstrapText("session"));
    expect(JSON.parse(openLine.args)).toMatchObject({ module: loadModule() });
    expect(harness.fake.calls()[0]?.script).toBe("_session");
    expect(log.filter((record) => record.event === "refused")).toEqual([]);
  });

  it("close() ends the session with _session.ps1 close, and the next call opens a new one", async () => {
    await harness.backend.close();
    expect(harness.fake.calls().at(-1)).toMatchObject({ script: "_session", arguments: { action: "close" } });
    await harness.backend.run("getScheduler", {});
    expect(harness.fake.processIds()).toHaveLength(2);
  });
});

describe("recorded errors become the contract's codes, with Microsoft's messages", () => {
  let harness: TestBackend;

  beforeEach(() => {
    harness = createTestBackend();
  });
  afterEach(() => harness.dispose());

  it.each([
    ["startSyncCycle", "busy", "SyncBusy", "Connector: contoso.onmicrosoft.com - AAD is busy."],
    [
      "startSyncCycle",
      "alreadyRunning",
      "SyncBusy",
      "Sync is already running. Cannot start a new run till this one completes.",
    ],
    [
      "startSyncCycle",
      "suspended",
      "SchedulerSuspended",
      "Scheduler is already suspended via global parameters.",
    ],
    [
      "grantWritebackAccess",
      "insufficientRights",
      "AccessDenied",
      "Insufficient access rights to perform the operation",
    ],
    ["getAccessRules", "accountMissing", "NotFound", "Cannot find an object with identity"],
    ["removeOrganizationalUnit", "notEmpty", "Refused", "is not empty"],
    ["removeOrganizationalUnit", "missing", "NotFound", "Cannot find an object with identity"],
    ["setGroupWritebackV2", "refused", "FeatureRefused", "The tenant refused"],
    ["newOrganizationalUnit", "nameInUse", "CmdletError", "already in use"],
    ["newSyncRule", "precedenceTaken", "Refused", "precedence must be unique"],
    ["setSyncRuleDisabled", "missing", "NotFound", "no synchronization rule with identifier"],
    [
      "copyGroupDirectoryObjectIds",
      "conflict",
      "Refused",
      "already carry another msDS-ExternalDirectoryObjectID",
    ],
  ] as const)("%s (%s): %s", async (operation, variant, code, text) => {
    harness.fake.setControl({ plan: { [operation]: [variant] } });
    const error = await errorOf(harness.backend.run(operation, SAMPLE_ARGUMENTS[operation]));
    expect(isOperationError(error, code)).toBe(true);
    expect(error.message).toContain(text);
    expect(error.message).not.toMatch(/^\s+at /m);
    expect((error as { operation?: string }).operation).toBe(operation);
    // An error record is an answer: the session stays and the next call works in it.
    await expect(harness.backend.run(operation, SAMPLE_ARGUMENTS[operation])).resolves.toEqual(
      fixture(operation).result,
    );
    expect(harness.fake.processIds()).toHaveLength(1);
  });

  it("a busy cycle, then success, as a provider retrying would see it", async () => {
    harness.fake.setControl({ plan: { startSyncCycle: ["busy", "alreadyRunning", "default"] } });
    const codes: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        codes.push(JSON.stringify(await harness.backend.run("startSyncCycle", { policyType: "Initial" })));
      } catch (error) {
        codes.push((error as { code: string }).code);
      }
    }
    expect(codes).toEqual(["SyncBusy", "SyncBusy", '{"result":"Success"}']);
  });
});

describe("non-ASCII data round-trips through a console that mangles non-ASCII output", () => {
  const name = "\u00dcn\u00efc\u00f8d\u00e9 \u2013 \u201Cquotes\u201D";
  let harness: TestBackend;

  beforeEach(() => {
    // The fake turns every non-ASCII character it writes to stdout into "?", like a legacy code page.
    harness = createTestBackend({ stdoutEncoding: "ascii" });
  });
  afterEach(() => harness.dispose());

  it("display names in results", async () => {
    harness.fake.setControl({ plan: { listWrittenBackGroups: ["unicode"] } });
    const { groups } = (await harness.backend.run("listWrittenBackGroups", { dn: OU })) as {
      groups: { displayName: string; dn: string }[];
    };
    expect(groups[0]?.displayName).toBe(name);
    expect(groups[0]?.dn).toContain(name);
  });

  it("names in arguments and results", async () => {
    harness.fake.setControl({ plan: { getOrganizationalUnit: ["unicode"] } });
    const dn = `OU=${name},DC=contoso,DC=com`;
    await expect(harness.backend.run("getOrganizationalUnit", { dn })).resolves.toMatchObject({ name, dn });
    expect(harness.fake.calls().at(-1)?.arguments).toEqual({ dn });
    expect(harness.fake.commandLines().at(-1)).toMatch(/^[\x20-\x7E]+$/);
  });
});

describe("the held pause window over the wire", () => {
  let harness: TestBackend;
  let client: EntraConnectClient;

  beforeEach(() => {
    harness = createTestBackend();
    client = new EntraConnectClient(harness.backend);
  });
  afterEach(() => harness.dispose());

  it("held goes to Open-EntraWritebackSyncWindow as its -Held switch", async () => {
    const args = { ...SAMPLE_ARGUMENTS.openSyncWindow, held: true };
    await client.call("openSyncWindow", args);
    expect(harness.fake.calls().at(-1)).toMatchObject({ command: COMMANDS.openSyncWindow, arguments: args });
    expect(harness.fake.log().filter((record) => record.event === "refused")).toEqual([]);
  });

  it.each([
    ["held", true],
    ["olderHeldMarker", undefined],
  ] as const)("a marker read as %s is this migration's held window (held: %s)", async (variant, held) => {
    harness.fake.setControl({ plan: { getSyncWindow: [variant, "default"] } });
    const { window } = await client.call("getSyncWindow", {});
    expect(window?.held).toBe(held);
    expect(isHeldWindow(window!)).toBe(true);
    expect(windowPurpose(window!)).toBe(MIGRATION_WINDOW_CHANGE);
    expect(isHeldWindowFor(window, "entra-writeback/production", MIGRATION_WINDOW_CHANGE)).toBe(true);
    // The server with no marker: nothing is held (the same call answers from the default recording).
    expect((await client.call("getSyncWindow", {})).window).toBeNull();
  });

  it("a window of one change is not held", async () => {
    const { window } = await client.call("openSyncWindow", SAMPLE_ARGUMENTS.openSyncWindow);
    expect(window.held).toBe(false);
    expect(isHeldWindow(window)).toBe(false);
  });
});

describe("warning, verbose and information records reach the log", () => {
  let harness: TestBackend;

  beforeEach(() => {
    harness = createTestBackend();
  });
  afterEach(() => harness.dispose());

  it("one log line per message, after the result was decoded; none when the function wrote none", async () => {
    harness.fake.setControl({ plan: { setSchedulerSyncCycleEnabled: ["default", "withMessages"] } });
    await harness.backend.run("setSchedulerSyncCycleEnabled", { enabled: false });
    const streamLines = () =>
      harness.logLines.filter((line) => /: (warning|verbose|information): /.test(line));
    expect(streamLines()).toEqual([]);

    const result = await harness.backend.run("setSchedulerSyncCycleEnabled", { enabled: false });
    expect(result).toEqual(fixture("setSchedulerSyncCycleEnabled", "withMessages").result);
    expect(streamLines()).toEqual([
      'setSchedulerSyncCycleEnabled: verbose: Performing the operation "Set-ADSyncScheduler -SyncCycleEnabled False" on target "CONNECT01".',
      "setSchedulerSyncCycleEnabled: warning: constructed: a warning the cmdlet wrote",
      "setSchedulerSyncCycleEnabled: information: constructed: a line written with Write-Host",
    ]);
  });
});
