// The fake executable itself, driven with node-powershell directly: it must refuse anything but the bootstrap,
// which is what lets the other tests prove that no data is pasted into script text.
import { PowerShell } from "node-powershell";
import { buildInvocationLine, bootstrapText } from "../../../powershell/invocation";
import { COMMANDS, loadModule, loadSessionScript } from "../../../powershell/module";
import { createFakePowerShell, type FakePowerShell } from "../../support/fakePowerShellHarness";

const OPEN = JSON.stringify({ action: "open", transport: "local", module: loadModule() });

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
  const decoded = (raw: string): unknown => JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
  const open = () => shell.invoke(buildInvocationLine("session", loadSessionScript(), OPEN));

  it("answers the bootstrap with one base64 line", async () => {
    const result = await open();
    expect(result.hadErrors).toBe(false);
    expect(result.raw).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(decoded(result.raw)).toMatchObject({ result: { action: "open" }, messages: [] });
  });

  it.each([
    ["a plain command", "Get-ADSyncScheduler"],
    ["a value pasted into the arguments' place", `${bootstrapText("local")} 'AAAA' '$(Remove-Item C:\\)'`],
    [
      "a quote breaking out of the script's place",
      `${bootstrapText("session")} 'AAAA'; Remove-Item x; 'BBBB' 'e30='`,
    ],
    ["a changed bootstrap", `${bootstrapText("local").replace("6>$null", "")} 'AAAA' 'e30='`],
    ["non-canonical base64", `${bootstrapText("session")} 'AAA' 'e30='`],
    ["a function name in plain text", `${bootstrapText("local")} 'Get-EntraWritebackScheduler' 'e30='`],
  ])("refuses %s", async (_label, command) => {
    expect(await refused(command)).toMatch(/fake powershell refused the command/);
  });

  it("refuses a script that is not _session.ps1", async () => {
    const raw = await refused(buildInvocationLine("session", "Remove-Item C:\\ -Recurse", "{}"));
    expect(raw).toContain("not powershell/scripts/_session.ps1");
  });

  it("refuses to open a session without the exact text of the module", async () => {
    const withoutModule = JSON.stringify({ action: "open", transport: "local" });
    expect(await refused(buildInvocationLine("session", loadSessionScript(), withoutModule))).toContain(
      "without the text of EntraWriteback.psm1",
    );
    const changed = JSON.stringify({
      action: "open",
      transport: "local",
      module: `${loadModule()}\n# edited`,
    });
    expect(await refused(buildInvocationLine("session", loadSessionScript(), changed))).toContain(
      "without the text of EntraWriteback.psm1",
    );
    expect((await open()).hadErrors).toBe(false);
  });

  it("refuses a command that is not a function the module exports, and arguments that are not a JSON object", async () => {
    await open();
    for (const command of ["Remove-Item", "ConvertTo-SchedulerResult", "Get-EntraWritebackNothing"]) {
      expect(await refused(buildInvocationLine("local", command, "{}"))).toContain(
        "not a function the EntraWriteback module exports",
      );
    }
    expect(await refused(buildInvocationLine("local", COMMANDS.getScheduler, "[]"))).toContain(
      "not a JSON object",
    );
    expect(await refused(buildInvocationLine("local", COMMANDS.getScheduler, "{not json"))).toContain(
      "undecodable",
    );
    // The same function with proper arguments is answered.
    const answered = await shell.invoke(buildInvocationLine("local", COMMANDS.getScheduler, "{}"));
    expect(answered.hadErrors).toBe(false);
    expect(decoded(answered.raw)).toMatchObject({ result: { syncCycleEnabled: true } });
  });

  it("answers an argument the function has no parameter for as PowerShell's binding error", async () => {
    await open();
    const result = await shell.invoke(
      buildInvocationLine(
        "local",
        COMMANDS.getOrganizationalUnit,
        JSON.stringify({ dn: "OU=A,DC=b", ou: 1 }),
      ),
    );
    expect(decoded(result.raw)).toEqual({
      error: expect.objectContaining({
        fullyQualifiedErrorId: "NamedParameterNotFound,Get-EntraWritebackOrganizationalUnit",
        message: "A parameter cannot be found that matches parameter name 'ou'.",
      }),
    });
  });

  it("refuses an operation before _session.ps1 opened the session, and a remote line in a local session", async () => {
    expect(await refused(buildInvocationLine("local", COMMANDS.getScheduler, "{}"))).toContain(
      "before _session.ps1 opened the session",
    );
    await open();
    expect(await refused(buildInvocationLine("remote", COMMANDS.getScheduler, "{}"))).toContain(
      "a remote line in a local session",
    );
    expect((await shell.invoke(buildInvocationLine("local", COMMANDS.getScheduler, "{}"))).hadErrors).toBe(
      false,
    );
    expect(fake.log().filter((record) => record.event === "refused")).toHaveLength(2);
  });
});
