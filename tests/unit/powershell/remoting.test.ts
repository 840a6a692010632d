// Local or remote: descriptions, session settings, and where the password goes.
import {
  childEnvironment,
  defaultExecutable,
  describeTarget,
  invocationShapeOf,
  REMOTE_PASSWORD_VARIABLE,
  sessionOpenArguments,
  usesPassword,
} from "../../../powershell/remoting";
import { createRedactor } from "../../../powershell/secrets";
import { SerialQueue } from "../../../powershell/queue";
import type { RemoteTarget } from "../../../contract/target";

const winrm: RemoteTarget = {
  kind: "remote",
  computerName: "connect01.contoso.com",
  transport: "wsman",
  username: "CONTOSO\\admin",
};
const PASSWORD = "S3cret!'$(pwned)\u201C";

describe("targets", () => {
  it("descriptions say where the scripts run, never who with what password", () => {
    expect(describeTarget({ kind: "local" })).toBe("this server (local PowerShell)");
    expect(describeTarget(winrm)).toBe("connect01.contoso.com over WinRM");
    expect(describeTarget({ ...winrm, port: 5986, useSsl: true })).toBe(
      "connect01.contoso.com:5986 over WinRM (HTTPS)",
    );
    expect(describeTarget({ ...winrm, transport: "ssh", username: "admin" })).toBe(
      "connect01.contoso.com over SSH",
    );
  });

  it("executables: Windows PowerShell 5.1, or PowerShell 7 for SSH remoting", () => {
    expect(defaultExecutable({ kind: "local" })).toBe("powershell");
    expect(defaultExecutable(winrm)).toBe("powershell");
    expect(defaultExecutable({ ...winrm, transport: "ssh" })).toBe("pwsh");
  });

  it("line shapes", () => {
    expect(invocationShapeOf({ kind: "local" })).toBe("local");
    expect(invocationShapeOf(winrm)).toBe("remote");
  });

  it("session settings carry every field (the scripts run in strict mode) and no password", () => {
    expect(sessionOpenArguments({ kind: "local" }, 1000)).toEqual({ action: "open", transport: "local" });
    const settings = sessionOpenArguments(winrm, 60_000);
    expect(settings).toEqual({
      action: "open",
      transport: "wsman",
      computerName: "connect01.contoso.com",
      username: "CONTOSO\\admin",
      port: null,
      useSsl: false,
      timeoutMs: 60_000,
    });
  });
});

describe("the password", () => {
  it("goes into the child's environment for WinRM only", () => {
    expect(childEnvironment(winrm, PASSWORD, {})).toEqual({ [REMOTE_PASSWORD_VARIABLE]: PASSWORD });
    expect(childEnvironment({ ...winrm, transport: "ssh" }, PASSWORD, {})).toEqual({});
    expect(childEnvironment({ kind: "local" }, PASSWORD, {})).toEqual({});
    expect(usesPassword(winrm, "")).toBe(false);
  });

  it("an inherited variable of that name never reaches PowerShell", () => {
    expect(
      childEnvironment(winrm, undefined, { [REMOTE_PASSWORD_VARIABLE]: "leaked", PATH: "/bin" }),
    ).toEqual({
      PATH: "/bin",
    });
  });

  it("is redacted from text", () => {
    const redact = createRedactor([PASSWORD, undefined, ""]);
    expect(redact(`login with ${PASSWORD} failed (${PASSWORD})`)).toBe("login with *** failed (***)");
    expect(createRedactor([])("unchanged")).toBe("unchanged");
  });
});

describe("the queue", () => {
  it("runs tasks one at a time in order, whatever their outcome", async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.run(task("a", 20)),
      queue.run(task("b", 1, true)),
      queue.run(task("c", 5)),
    ]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
