// The one place that picks the backend, and what differs per backend: the line on how to do the wizard step.
import { EntraConnectClient } from "../../contract/backend";
import { createDeploymentClient } from "../../backends/select";

const step = { writebackOu: "OU=Entra Writeback,OU=Groups,DC=contoso,DC=com", displayNameDn: true };

test("a simulator target gets the simulator, which says how to do the wizard step with entra-sim", async () => {
  const client = createDeploymentClient(
    { kind: "simulator", stateFile: ".lab/lab.json", server: "CONNECT02" },
    { callTimeoutSeconds: 30 },
  );
  try {
    expect(client.wizardHint(step)).toBe(
      "On this simulated server, the admin's wizard step is: npx entra-sim wizard .lab/lab.json group-writeback " +
        '--enable --ou "OU=Entra Writeback,OU=Groups,DC=contoso,DC=com" --display-name-dn --server CONNECT02',
    );
  } finally {
    await client.close();
  }
});

test("a backend without a hint of its own (PowerShell) adds nothing to the wizard steps", () => {
  const client = new EntraConnectClient({
    description: "connect01 over WinRM",
    run: () => Promise.reject(new Error("not called")),
    sleep: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  expect(client.wizardHint(step)).toBeUndefined();
});
