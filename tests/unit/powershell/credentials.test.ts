// Remote servers: the remote line shape, and a password that reaches PowerShell only through its environment.
import type { RemoteTarget } from "../../../contract/target";
import { REMOTE_PASSWORD_VARIABLE } from "../../../powershell/remoting";
import { createTestBackend, errorOf, type TestBackend } from "../../support/powerShellTestBackend";

const PASSWORD = "Pa55'w\u00f6rd\u201D;$(Remove-Item C:\\)";
const winrm: RemoteTarget = {
  kind: "remote",
  computerName: "connect01.contoso.com",
  transport: "wsman",
  username: "CONTOSO\\svc-writeback",
  port: 5986,
  useSsl: true,
};

/** The password and every way it could be spelled on the wire. */
function spellings(secret: string): string[] {
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  // base64 of the secret at each of the three byte alignments inside a longer text, trimmed to whole characters.
  const aligned = ["", "x", "xx"].map((pad) => base64(pad + secret).slice(pad ? 4 : 0, -4));
  return [secret, JSON.stringify(secret).slice(1, -1), base64(secret), ...aligned];
}

function decodedArguments(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const match = /'([A-Za-z0-9+/]*={0,2})'$/.exec(line);
    return match ? [Buffer.from(match[1] as string, "base64").toString("utf8")] : [];
  });
}

describe("a remote server over WinRM with a password", () => {
  let harness: TestBackend;
  beforeEach(() => {
    harness = createTestBackend({ target: winrm, password: PASSWORD });
  });
  afterEach(() => harness.dispose());

  it("opens the remote session with the target's settings, and runs operations in the remote shape", async () => {
    await expect(harness.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
    const [open, call] = harness.fake.calls();
    expect(open).toMatchObject({
      shape: "session",
      script: "_session",
      arguments: {
        action: "open",
        transport: "wsman",
        computerName: "connect01.contoso.com",
        username: "CONTOSO\\svc-writeback",
        port: 5986,
        useSsl: true,
        timeoutMs: 60_000,
      },
    });
    expect(call).toMatchObject({ shape: "remote", script: "getScheduler", arguments: {} });
    expect(harness.backend.description).toBe("connect01.contoso.com:5986 over WinRM (HTTPS)");
  });

  it("the password reaches PowerShell in its environment only, and is gone after the session opened", async () => {
    await harness.backend.run("getScheduler", {});
    await harness.backend.run("getCompanyFeatures", {});
    const log = harness.fake.log();
    expect(log.find((record) => record.event === "start")).toMatchObject({ passwordVariablePresent: true });
    expect(log.find((record) => record.event === "session")).toMatchObject({ passwordReceived: true });

    const lines = harness.fake.commandLines();
    const everything = [
      ...lines,
      ...decodedArguments(lines),
      JSON.stringify(harness.fake.calls()),
      JSON.stringify(log.find((record) => record.event === "start")),
      harness.backend.description,
      ...harness.logLines,
    ].join("\n");
    for (const spelling of spellings(PASSWORD)) {
      expect(everything).not.toContain(spelling);
    }
    expect(everything).not.toContain(REMOTE_PASSWORD_VARIABLE + "=");
  });

  it("a failure whose text echoes the password is redacted in the error and the log", async () => {
    harness.fake.setControl({
      sessionError: {
        message: `Logon failure for CONTOSO\\svc-writeback with password ${PASSWORD}: Access is denied.`,
        category: "OpenError",
        fullyQualifiedErrorId: "AccessDenied,PSSessionOpenFailed",
        exceptionType: "System.Management.Automation.Remoting.PSRemotingTransportException",
      },
    });
    const error = await errorOf(harness.backend.run("getScheduler", {}));
    expect(error.code).toBe("AccessDenied");
    const texts = [error.message, JSON.stringify(error), ...harness.logLines].join("\n");
    expect(texts).toContain("***");
    for (const spelling of spellings(PASSWORD)) expect(texts).not.toContain(spelling);
  });

  it("every process of a replaced session gets the password again", async () => {
    harness.fake.setControl({ faults: [{ operation: "getScheduler", fault: "crash" }] });
    await errorOf(harness.backend.run("getScheduler", {}));
    await harness.backend.run("getScheduler", {});
    const sessions = harness.fake.log().filter((record) => record.event === "session");
    expect(sessions).toEqual([
      expect.objectContaining({ passwordReceived: true }),
      expect.objectContaining({ passwordReceived: true }),
    ]);
  });
});

describe("targets that take no password", () => {
  let harness: TestBackend;
  afterEach(() => harness.dispose());

  it.each([
    ["SSH (keys)", { ...winrm, transport: "ssh", username: "svc-writeback" } as RemoteTarget, "remote"],
    ["this server", { kind: "local" } as const, "local"],
  ] as const)("%s: the password is not passed on, and the log says so", async (_label, target, shape) => {
    harness = createTestBackend({ target, password: PASSWORD });
    await harness.backend.run("getScheduler", {});
    expect(harness.fake.log().find((record) => record.event === "start")).toMatchObject({
      passwordVariablePresent: false,
    });
    expect(harness.fake.calls().at(-1)).toMatchObject({ shape });
    expect(harness.logLines[0]).toMatch(/a password is only used for WinRM; it is ignored here/);
    for (const spelling of spellings(PASSWORD)) expect(harness.logLines.join("\n")).not.toContain(spelling);
  });

  it("WinRM without a password (the current Windows identity): no variable at all", async () => {
    harness = createTestBackend({ target: winrm });
    await harness.backend.run("getScheduler", {});
    expect(harness.fake.log().find((record) => record.event === "session")).toMatchObject({
      passwordReceived: false,
    });
  });
});
