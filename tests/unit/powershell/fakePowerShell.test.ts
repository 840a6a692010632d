// The fake executable itself, driven with node-powershell directly: it must refuse anything but the bootstrap,
// which is what lets the other tests prove that no data is pasted into script text.
import { PowerShell } from "node-powershell";
import { buildInvocationLine, bootstrapText } from "../../../powershell/invocation";
import { loadScript } from "../../../powershell/scripts";
import { createFakePowerShell, type FakePowerShell } from "../../support/fakePowerShellHarness";

const OPEN = JSON.stringify({ action: "open", transport: "local" });

describe("the fake powershell", () => {
  let fake: FakePowerShell;
  let shell: PowerShell;

  beforeEach(() => {
    fake = createFakePowerShell();
    shell = new PowerShell({ executable: fake.executable, throwOnInvocationError: false });
  });
  afterEach(async () => {
    await shell.dispose().catch(() => undefined);
    fake.cleanup();
  });

  const refused = async (command: string): Promise<string> => {
    const result = await shell.invoke(command);
    expect(result.hadErrors).toBe(true);
    return result.raw;
  };

  it("answers the bootstrap with one base64 line", async () => {
    const result = await shell.invoke(buildInvocationLine("local", loadScript("_session"), OPEN));
    expect(result.hadErrors).toBe(false);
    expect(result.raw).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(Buffer.from(result.raw, "base64").toString("utf8"))).toMatchObject({ action: "open" });
  });

  it.each([
    ["a plain command", "Get-ADSyncScheduler"],
    ["a value pasted into the arguments' place", `${bootstrapText("local")} 'AAAA' '$(Remove-Item C:\\)'`],
    [
      "a quote breaking out of the script's place",
      `${bootstrapText("local")} 'AAAA'; Remove-Item x; 'BBBB' 'e30='`,
    ],
    ["a changed bootstrap", `${bootstrapText("local").replace("6>$null", "")} 'AAAA' 'e30='`],
    ["non-canonical base64", `${bootstrapText("local")} 'AAA' 'e30='`],
  ])("refuses %s", async (_label, command) => {
    expect(await refused(command)).toMatch(/fake powershell refused the command/);
  });

  it("refuses a script that is not one of the .ps1 files", async () => {
    const raw = await refused(buildInvocationLine("local", "Remove-Item C:\\ -Recurse", "{}"));
    expect(raw).toContain("none of powershell/scripts");
  });

  it("refuses an operation before _session.ps1 opened the session, and a remote line in a local session", async () => {
    expect(await refused(buildInvocationLine("local", loadScript("getScheduler"), "{}"))).toContain(
      "before _session.ps1 opened the session",
    );
    await shell.invoke(buildInvocationLine("local", loadScript("_session"), OPEN));
    expect(await refused(buildInvocationLine("remote", loadScript("getScheduler"), "{}"))).toContain(
      "a remote line in a local session",
    );
    expect(
      (await shell.invoke(buildInvocationLine("local", loadScript("getScheduler"), "{}"))).hadErrors,
    ).toBe(false);
    expect(fake.log().filter((record) => record.event === "refused")).toHaveLength(2);
  });
});
