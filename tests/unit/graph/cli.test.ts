import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { GraphClient } from "../../../graph";
import { cli, ENTRA_SIM, ensureBuilt, newSim, type Sim } from "../simulator/testSupport";
import { readJournal } from "../../../simulator/journal";

let sim: Sim;
beforeAll(async () => ensureBuilt(), 180_000);
beforeEach(async () => {
  sim = await newSim({ m365: 3, security: 1, securityEnabled: 1 });
});
afterEach(async () => sim.cleanup());

describe("entra-sim graph", () => {
  it("serves until stopped, prints the base URL first, and the printed credentials and certificate work", async () => {
    const credentials = cli(["graph", sim.file, "--credentials"]);
    expect(credentials.code).toBe(0);
    const tenantId = /^tenant id: ([0-9a-f-]{36}) \(contoso\.onmicrosoft\.com\)$/m.exec(
      credentials.stdout,
    )?.[1];
    const writer =
      /^entra-writeback: client id ([0-9a-f-]{36}), client secret (\S+), permissions Group\.ReadWrite\.All, Directory\.ReadWrite\.All$/m.exec(
        credentials.stdout,
      );
    expect(tenantId).toBeDefined();
    expect(writer).not.toBeNull();

    const child = spawn(process.execPath, [ENTRA_SIM, "graph", sim.file, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 200 && !stdout.includes("serving until stopped"); i++)
      await new Promise((r) => setTimeout(r, 50));
    const [baseUrl] = stdout.split("\n");
    expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const certificateFile = /certificate to trust \(trustedCertificatePem\): (.*)$/m.exec(
      stdout,
    )?.[1] as string;
    expect(certificateFile).toBe(path.join(sim.dir, "lab.graph-ca.pem"));
    const client = new GraphClient({
      tenantId: tenantId as string,
      clientId: writer?.[1] as string,
      clientSecret: writer?.[2] as string,
      authorityHost: baseUrl as string,
      graphEndpoint: baseUrl as string,
      trustedCertificatePem: fs.readFileSync(certificateFile, "utf8"),
    });
    try {
      expect(await client.listGroups()).toHaveLength(4);
    } finally {
      await client.close();
    }
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout.trim().split("\n").at(-1)).toBe("stopped");
    // The secret was printed on request only; the journal never has it.
    const journal = JSON.stringify(readJournal(sim.file));
    expect(journal).toContain(writer?.[1] as string);
    expect(journal).not.toContain(writer?.[2] as string);
  });

  it("arms a fault, and refuses bad flags with exit code 2", async () => {
    const armed = cli([
      "graph",
      sim.file,
      "--fault",
      "throttle",
      "--path",
      "/beta/groups*",
      "--method",
      "GET",
      "--retry-after",
      "5",
      "--times",
      "2",
    ]);
    expect(armed).toMatchObject({
      code: 0,
      stdout: "the next 2 Graph request(s) GET /beta/groups* will answer 429 with Retry-After: 5\n",
    });
    expect((await sim.state()).graph?.faults).toEqual([
      {
        method: "GET",
        path: "/beta/groups*",
        kind: "throttle",
        retryAfterSeconds: 5,
        after: 0,
        remaining: 2,
      },
    ]);
    expect(cli(["fault", sim.file, "--clear"]).stdout).toBe("cleared 1 fault(s)\n");
    const noPath = cli(["graph", sim.file, "--fault", "drop"]);
    expect(noPath).toMatchObject({
      code: 2,
      stderr: "entra-sim: graph --fault: --path is required, a URL path such as /beta/groups*\n",
    });
    const badKind = cli(["graph", sim.file, "--fault", "explode", "--path", "/x"]);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toBe(
      'entra-sim: --fault must be throttle or unavailable or drop, got "explode"\n',
    );
  });

  // The advice (--port 0) is what the first test does.
  it("says which port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = cli(["graph", sim.file, "--port", String(port)]);
      expect(result).toMatchObject({
        code: 1,
        stderr: `entra-sim: port ${port} is in use on 127.0.0.1; choose another with --port, or --port 0 for any free port\n`,
      });
    } finally {
      blocker.close();
    }
  });
});
