// Measures what docs/security.md says about the WinRM password in the PowerShell child's environment on Linux:
// it is in the child's /proc/<pid>/environ (readable by the same user and root) for the child's whole life,
// even after _session.ps1 removed the variable, and never in the parent's.
import * as fs from "node:fs";
import type { RemoteTarget } from "../../../contract/target";
import { REMOTE_PASSWORD_VARIABLE } from "../../../powershell/remoting";
import { createTestBackend } from "../../support/powerShellTestBackend";

const PASSWORD = "S3cret-environ-measure";
const winrm: RemoteTarget = {
  kind: "remote",
  computerName: "connect01.contoso.com",
  transport: "wsman",
  username: "CONTOSO\\svc-writeback",
};

it("the password is in the PowerShell child's /proc/<pid>/environ (mode 0400), not in the parent's", async () => {
  expect(process.platform).toBe("linux");
  const harness = createTestBackend({ target: winrm, password: PASSWORD });
  try {
    await harness.backend.run("getScheduler", {});
    await harness.backend.run("getCompanyFeatures", {}); // the session opened and the variable was read
    const [pid] = harness.fake.processIds();
    const environ = `/proc/${pid}/environ`;
    const entries = fs.readFileSync(environ, "utf8").split("\0");
    expect(entries).toContain(`${REMOTE_PASSWORD_VARIABLE}=${PASSWORD}`);
    expect(fs.statSync(environ).mode & 0o777).toBe(0o400);
    expect(fs.statSync(environ).uid).toBe(process.getuid?.());
    expect(fs.readFileSync(`/proc/${process.pid}/environ`, "utf8")).not.toContain(PASSWORD);
  } finally {
    await harness.dispose();
  }
  // Without a password (Kerberos), the variable is not set at all.
  const kerberos = createTestBackend({ target: winrm });
  try {
    await kerberos.backend.run("getScheduler", {});
    const [pid] = kerberos.fake.processIds();
    expect(fs.readFileSync(`/proc/${pid}/environ`, "utf8")).not.toContain(REMOTE_PASSWORD_VARIABLE);
  } finally {
    await kerberos.dispose();
  }
});
