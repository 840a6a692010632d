// From what PowerShell wrote to the contract's error codes, with Microsoft's own texts.
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeAnswer, MissingAnswerError, type PowerShellErrorRecord } from "../../../powershell/answer";
import {
  classifyErrorRecord,
  cleanMessage,
  errorFromRecord,
  indicatesLostSession,
  indicatesNotStarted,
  PowerShellOperationError,
  timeoutError,
  transportError,
} from "../../../powershell/errors";
import { createRedactor } from "../../../powershell/secrets";
import { isOperationError } from "../../../contract/errors";

const REPLAY = path.join(__dirname, "..", "..", "fixtures", "powershell", "replay");

function fixtureRecord(operation: string, variant: string): PowerShellErrorRecord {
  return (
    JSON.parse(fs.readFileSync(path.join(REPLAY, operation, `${variant}.json`), "utf8")) as {
      error: PowerShellErrorRecord;
    }
  ).error;
}

function record(overrides: Partial<PowerShellErrorRecord>): PowerShellErrorRecord {
  return {
    message: "Something failed.",
    category: "NotSpecified",
    fullyQualifiedErrorId: "RuntimeException",
    exceptionType: "System.Management.Automation.RuntimeException",
    ...overrides,
  };
}

const noRedaction = createRedactor([]);

describe("error records to codes", () => {
  it.each([
    ["startSyncCycle", "busy", "SyncBusy"],
    ["startSyncCycle", "alreadyRunning", "SyncBusy"],
    ["startSyncCycle", "suspended", "SchedulerSuspended"],
    ["grantWritebackAccess", "insufficientRights", "AccessDenied"],
    ["grantWritebackAccess", "accessDenied", "AccessDenied"],
    ["getAccessRules", "accountMissing", "NotFound"],
    ["removeOrganizationalUnit", "missing", "NotFound"],
    ["removeOrganizationalUnit", "notEmpty", "Refused"],
    ["setGroupWritebackV2", "refused", "FeatureRefused"],
    ["newOrganizationalUnit", "nameInUse", "CmdletError"],
  ])("%s (%s) is %s", (operation, variant, code) => {
    expect(classifyErrorRecord(fixtureRecord(operation, variant))).toBe(code);
  });

  it.each([
    [
      record({
        exceptionType: "Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException",
        message: "x",
      }),
      "NotFound",
    ],
    [record({ exceptionType: "System.UnauthorizedAccessException" }), "AccessDenied"],
    [record({ category: "PermissionDenied" }), "AccessDenied"],
    [record({ message: "Connecting to remote server connect01 failed: Access is denied." }), "AccessDenied"],
    [record({ message: "A synchronization cycle is in progress; wait until it completes." }), "SyncBusy"],
    // A command that is not there is not a missing directory object.
    [
      record({
        message: "The term 'Get-ADSyncScheduler' is not recognized as the name of a cmdlet",
        category: "ObjectNotFound",
        exceptionType: "System.Management.Automation.CommandNotFoundException",
      }),
      "CmdletError",
    ],
    [record({ fullyQualifiedErrorId: "EntraWriteback.Refused,removeOrganizationalUnit.ps1" }), "Refused"],
    // Only the codes the scripts raise are honoured from an error id.
    [record({ fullyQualifiedErrorId: "EntraWriteback.Timeout" }), "CmdletError"],
    [
      record({ message: "A parameter cannot be found that matches parameter name 'GroupWritebackV2'." }),
      "CmdletError",
    ],
  ])("%j is %s", (errorRecord, code) => {
    expect(classifyErrorRecord(errorRecord)).toBe(code);
  });

  it("carries the cmdlet's message without .NET stack frames, and the record", () => {
    const busy = fixtureRecord("startSyncCycle", "busy");
    const error = errorFromRecord("startSyncCycle", busy, noRedaction);
    expect(error).toBeInstanceOf(PowerShellOperationError);
    expect(isOperationError(error, "SyncBusy")).toBe(true);
    expect(error.operation).toBe("startSyncCycle");
    expect(error.message).toBe(
      "System.InvalidOperationException: Connector: contoso.onmicrosoft.com - AAD is busy.",
    );
    expect(error.errorRecord).toEqual(busy);
    expect(cleanMessage("first\r\n   at A.B()\r\n   at C.D()\r\nlast")).toBe("first\nlast");
  });

  it("explains a missing command", () => {
    const error = errorFromRecord(
      "getScheduler",
      record({
        message: "The term 'Get-ADSyncScheduler' is not recognized as the name of a cmdlet.",
        exceptionType: "System.Management.Automation.CommandNotFoundException",
      }),
      noRedaction,
    );
    expect(error.message).toMatch(/not loaded in the PowerShell session/);
  });

  it("redacts secrets from the message and the record", () => {
    const error = errorFromRecord(
      "x",
      record({ message: "bad password hunter2!" }),
      createRedactor(["hunter2!"]),
    );
    expect(error.message).toBe("bad password ***");
    expect(JSON.stringify(error.errorRecord)).not.toContain("hunter2!");
  });

  it("timeouts and transport failures", () => {
    const timeout = timeoutError("getScheduler", 120_000, "connect01 over WinRM");
    expect(timeout.code).toBe("Timeout");
    expect(timeout.message).toContain("within 120 s on connect01 over WinRM");
    expect(timeoutError("getScheduler", 250, "x").message).toContain("within 250 ms");
    expect(transportError("getScheduler", "gone").code).toBe("Transport");
  });
});

describe("decoding the answer line", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");
  const answered = (result: unknown, messages: unknown[] = []) => b64({ result, messages });

  it("a result, with stray host output before it", () => {
    expect(decodeAnswer(`WARNING: hello\n${answered({ removed: 1 })}\n`)).toEqual({
      kind: "result",
      value: { removed: 1 },
      messages: [],
      strayOutput: ["WARNING: hello"],
    });
  });

  it("a result with the warning, verbose and information messages the function wrote", () => {
    const messages = [
      { stream: "warning", message: "the tenant refused it" },
      { stream: "verbose", message: "Performing the operation" },
      { stream: "information", message: "written with Write-Host" },
    ];
    expect(decodeAnswer(answered({ removed: 1 }, messages))).toEqual({
      kind: "result",
      value: { removed: 1 },
      messages,
      strayOutput: [],
    });
  });

  it("an error record", () => {
    const error = record({});
    expect(decodeAnswer(b64({ error }))).toEqual({ kind: "error", record: error, strayOutput: [] });
  });

  it("an object that merely has an error field is a result", () => {
    expect(decodeAnswer(answered({ error: "x", other: 1 })).kind).toBe("result");
  });

  it("non-ASCII survives", () => {
    expect(
      decodeAnswer(answered({ name: "\u00dcn\u00efc\u00f8d\u00e9 \u2013 \u201Cquotes\u201D" })),
    ).toMatchObject({
      value: { name: "\u00dcn\u00efc\u00f8d\u00e9 \u2013 \u201Cquotes\u201D" },
    });
  });

  it.each([
    "",
    "   \n",
    "not base64!",
    "WARNING: only text",
    Buffer.from("{not json").toString("base64"),
    Buffer.from('{"removed":1}').toString("base64"),
  ])("%j is no answer", (stdout) => {
    expect(() => decodeAnswer(stdout)).toThrow(MissingAnswerError);
  });
});

describe("lost remote sessions", () => {
  it.each([
    [
      record({ exceptionType: "System.Management.Automation.Remoting.PSRemotingTransportException" }),
      true,
      false,
    ],
    [
      record({
        message:
          "Because the session state for session Session1 is not equal to Open, you cannot run a command in the session.  The session state is Broken.",
      }),
      true,
      true,
    ],
    [record({ message: "The session state is Closed." }), true, false],
    [record({ message: "Sync is already running." }), false, false],
  ])("%j: lost %s, not started %s", (errorRecord, lost, notStarted) => {
    expect(indicatesLostSession(errorRecord)).toBe(lost);
    expect(indicatesNotStarted(errorRecord)).toBe(notStarted);
  });
});
