// Timeouts, crashes, noise and concurrency, with the real node-powershell against the fake executable.
import { isOperationError } from "../../../contract/errors";
import { createPowerShellBackend } from "../../../powershell/backend";
import { exists, until } from "../../support/processes";
import { createTestBackend, errorOf, type TestBackend } from "../../support/powerShellTestBackend";

// The tests below follow each timeout with a call that must succeed within the same limit: a session's opening (a
// Node start of the fake PowerShell, under openTimeoutMs) or the first call on a fresh session (under callTimeoutMs).
// 1.2 s leaves room for either on a loaded machine.
const SHORT_TIMEOUT_MS = 1_200;

describe("a call that never answers", () => {
  let harness: TestBackend;
  beforeEach(() => {
    harness = createTestBackend({
      callTimeoutMs: SHORT_TIMEOUT_MS,
      control: { faults: [{ operation: "getScheduler", fault: "hang" }] },
    });
  });
  afterEach(() => harness.dispose());

  it("times out, the session is replaced, and the next call works on the fresh one", async () => {
    const started = Date.now();
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(isOperationError(error, "Timeout")).toBe(true);
    expect(error.message).toContain(
      `did not finish within ${SHORT_TIMEOUT_MS} ms on this server (local PowerShell)`,
    );
    expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 2_600);

    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    const [first, second] = harness.fake.processIds();
    expect(harness.fake.processIds()).toHaveLength(2);
    // The fresh process was prepared again before its first call.
    const calls = harness.fake.calls();
    expect(calls.filter((call) => call.pid === second).map((call) => call.script)).toEqual([
      "_session",
      "getScheduler",
    ]);
    expect(calls.filter((call) => call.pid === first).map((call) => call.script)).toEqual([
      "_session",
      "getScheduler",
    ]);
    expect(harness.logLines.some((line) => line.includes(`no answer within ${SHORT_TIMEOUT_MS} ms`))).toBe(
      true,
    );
  });

  it("queued calls behind it are not lost with the discarded session", async () => {
    const results = await Promise.allSettled([
      harness.backend.run("getScheduler", {}),
      harness.backend.run("getCompanyFeatures", {}),
      harness.backend.run("getServerInfo", {}),
    ]);
    expect(results[0]?.status).toBe("rejected");
    expect(results.slice(1).map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(harness.fake.processIds()).toHaveLength(2);
  });
});

describe("a PowerShell process that dies mid-call", () => {
  let harness: TestBackend;
  afterEach(() => harness.dispose());

  it.each([
    ["crash", "ended with exit code 3"],
    ["exit", "exited during the call"],
  ] as const)("%s: a Transport error, then recovery on a new process", async (fault, text) => {
    harness = createTestBackend({ control: { faults: [{ operation: "getCompanyFeatures", fault }] } });
    const error = await errorOf(harness.backend.run("getCompanyFeatures", {}));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain(text);
    expect(error.message).toContain("the next call starts a new session");
    await expect(harness.backend.run("getCompanyFeatures", {})).resolves.toMatchObject({
      passwordHashSync: true,
    });
    expect(harness.fake.processIds()).toHaveLength(2);
  });
});

describe("noise around the answer", () => {
  let harness: TestBackend;
  afterEach(() => harness.dispose());

  it("text on stderr is logged, the answer still counts", async () => {
    harness = createTestBackend({ control: { faults: [{ operation: "getScheduler", fault: "stderr" }] } });
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.logLines).toContainEqual(
      expect.stringContaining("stderr: WARNING: noise a cmdlet wrote to stderr"),
    );
    expect(harness.fake.processIds()).toHaveLength(1);
  });

  it("stray text before the answer is logged (mangled by the legacy code page), the answer still counts", async () => {
    harness = createTestBackend({ control: { faults: [{ operation: "getScheduler", fault: "stray" }] } });
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.logLines).toContainEqual(
      expect.stringContaining("also wrote: text some host output wrote to the console: caf?"),
    );
  });
});

describe("calls to one server are serialized", () => {
  let harness: TestBackend;
  afterEach(() => harness.dispose());

  it("concurrent runs go one at a time, in order, through one session", async () => {
    harness = createTestBackend({
      control: {
        faults: [
          { operation: "getScheduler", fault: "slow", delayMs: 80 },
          { operation: "getCompanyFeatures", fault: "slow", delayMs: 10 },
        ],
      },
    });
    const operations = [
      "getScheduler",
      "getCompanyFeatures",
      "getServerInfo",
      "getSyncScope",
      "getScheduler",
    ] as const;
    const results = await Promise.all(operations.map((operation) => harness.backend.run(operation, {})));
    expect(results[1]).toMatchObject({ groupWritebackV2: false });
    expect(results[2]).toMatchObject({ connectVersion: "2.0.25.1" });
    expect(results[3]).toMatchObject({ connectorName: "contoso.com" });
    expect(harness.fake.processIds()).toHaveLength(1);
    expect(harness.fake.calls().map((call) => call.script)).toEqual(["_session", ...operations]);
    // Each call's five protocol lines arrived together: no call started before the previous one was answered.
    const lines = harness.fake.log().flatMap((record) => (record.event === "line" ? [record.line] : []));
    for (let index = 0; index < lines.length; index += 5) {
      const delimiter = /"([0-9A-Za-z]{16})"/.exec(lines[index] as string)?.[1];
      expect(lines[index]).toBe(`[Console]::Error.WriteLine("${delimiter}")`);
      expect(lines[index + 1]).toBe(`[Console]::Out.WriteLine("${delimiter}")`);
      expect(lines[index + 3]).toBe(`[Console]::Error.WriteLine("${delimiter}")`);
      expect(lines[index + 4]).toBe(`[Console]::Out.WriteLine("${delimiter}")`);
    }
  });
});

describe("a session that cannot be prepared or started", () => {
  let harness: TestBackend;
  afterEach(() => harness?.dispose());

  it("a failing _session.ps1 is reported, and the next call tries a new session", async () => {
    harness = createTestBackend({
      control: {
        sessionError: {
          message:
            "Connecting to remote server connect01 failed with the following error message : WinRM cannot complete the operation.",
          category: "OpenError",
          fullyQualifiedErrorId: "WinRMOperationTimeout,PSSessionOpenFailed",
          exceptionType: "System.Management.Automation.Remoting.PSRemotingTransportException",
        },
      },
    });
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain(
      "could not prepare the PowerShell session for this server (local PowerShell)",
    );
    expect(error.message).toContain("WinRM cannot complete the operation");
    expect((error as { operation?: string }).operation).toBe("getScheduler");
    harness.fake.setControl({});
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.fake.processIds()).toHaveLength(2);
  });

  it("access denied while opening the session is AccessDenied", async () => {
    harness = createTestBackend({
      control: {
        sessionError: {
          message:
            "Connecting to remote server connect01 failed with the following error message : Access is denied.",
          category: "OpenError",
          fullyQualifiedErrorId: "AccessDenied,PSSessionOpenFailed",
          exceptionType: "System.Management.Automation.Remoting.PSRemotingTransportException",
        },
      },
    });
    expect((await errorOf(harness.backend.run("getScheduler", {}))).code).toBe("AccessDenied");
  });

  it("a session that never finishes opening times out, and the next call opens a new one", async () => {
    harness = createTestBackend({
      openTimeoutMs: SHORT_TIMEOUT_MS,
      control: { faults: [{ operation: "_session", fault: "hang" }] },
    });
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(isOperationError(error, "Timeout")).toBe(true);
    expect(error.message).toContain(
      `opening the PowerShell session for getScheduler did not finish within ${SHORT_TIMEOUT_MS} ms on this server (local PowerShell)`,
    );
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.fake.processIds()).toHaveLength(2);
  });

  it("a session that dies while opening is a Transport error", async () => {
    harness = createTestBackend({ control: { faults: [{ operation: "_session", fault: "crash" }] } });
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain("opening the PowerShell session for getScheduler failed on this server");
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
  });

  it("a missing executable is a Transport error naming it", async () => {
    const backend = createPowerShellBackend({
      target: { kind: "local" },
      executable: "/nonexistent/powershell",
      callTimeoutMs: 2_000,
    });
    const error = await errorOf(backend.run("getScheduler", {}));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain("PowerShell could not be started (/nonexistent/powershell: ENOENT)");
    await backend.close();
  });

  it("an unknown operation is refused before anything runs", async () => {
    harness = createTestBackend();
    const error = await errorOf(harness.backend.run("formatDisk" as never, {}));
    expect(isOperationError(error, "CmdletError")).toBe(true);
    expect(harness.fake.processIds()).toHaveLength(0);
  });
});

describe("the real sleep", () => {
  it("waits in wall time", async () => {
    const backend = createPowerShellBackend({
      target: { kind: "local" },
      executable: "/nonexistent/powershell",
    });
    const started = Date.now();
    await backend.sleep(60);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await backend.close();
  });
});

describe("a session that is gone between calls", () => {
  let harness: TestBackend;
  afterEach(() => harness.dispose());
  const winrm = {
    kind: "remote",
    computerName: "connect01.contoso.com",
    transport: "wsman",
    username: "CONTOSO\\admin",
  } as const;

  it("a PowerShell process that died while idle: the call runs on a new session, no error", async () => {
    harness = createTestBackend({ control: { faults: [{ operation: "getScheduler", fault: "idleExit" }] } });
    await harness.backend.run("getScheduler", {});
    // Until the process is gone (it exits 20 ms after answering; a fixed wait could be too short on a loaded machine).
    const [first] = harness.fake.processIds();
    expect(await until(() => !exists(first!), 10_000)).toBe(true);
    await expect(harness.backend.run("getCompanyFeatures", {})).resolves.toMatchObject({
      passwordHashSync: true,
    });
    expect(harness.fake.processIds()).toHaveLength(2);
    expect(harness.logLines).toContainEqual(expect.stringContaining("retrying once on a new session"));
  });

  it("a broken remote session (the command never started): reconnect and run it once more", async () => {
    harness = createTestBackend({
      target: winrm,
      control: { faults: [{ operation: "getScheduler", fault: "brokenSession" }] },
    });
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.fake.processIds()).toHaveLength(2);
    expect(harness.fake.calls().filter((call) => call.script === "getScheduler")).toHaveLength(2);
  });

  it("a broken remote session twice in a row is a Transport error", async () => {
    harness = createTestBackend({
      target: winrm,
      control: {
        faults: [
          { operation: "getScheduler", fault: "brokenSession" },
          { operation: "getScheduler", fault: "brokenSession" },
        ],
      },
    });
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain("the remote session was lost");
  });

  it("a connection lost during a command: Transport (it may have run), and the next call reconnects", async () => {
    harness = createTestBackend({
      target: winrm,
      control: { faults: [{ operation: "setSchedulerSyncCycleEnabled", fault: "lostConnection" }] },
    });
    const error = await errorOf(harness.backend.run("setSchedulerSyncCycleEnabled", { enabled: false }));
    expect(isOperationError(error, "Transport")).toBe(true);
    expect(error.message).toContain("lost its connection to connect01.contoso.com over WinRM");
    expect(
      harness.fake.calls().filter((call) => call.script === "setSchedulerSyncCycleEnabled"),
    ).toHaveLength(1);
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    expect(harness.fake.processIds()).toHaveLength(2);
  });
});
