// Benchmark of GroupWritebackOptOut against the simulated Graph. For each size: a tenant of that many Microsoft 365
// groups served by `entra-sim graph` in its own process; one listing of every page (ms per page); then the
// resource's run (providers/groupWritebackOptOut/optOut.ts) opting every group out, and a second run that finds
// every group opted out already (reads only). Printed: requests made (the simulator's journal), wall time, the
// peak memory of this process (the client side; the simulator's is its own), and the CPU time per request of the
// simulator and of this process (steadier than wall time on a shared machine). Run with `npm run bench:optout`
// (10,000 and 100,000 groups) or `npm run bench:optout -- 5000`. Each size runs in its own process.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { GraphClient } from "../graph";
import { runOptOut } from "../providers/groupWritebackOptOut/optOut";
import { readGraphCredentials } from "../simulator/graph";
import { certificateFileFor } from "../simulator/cli/graph";
import { median } from "./measurement";

const ENTRA_SIM = path.join(__dirname, "..", "..", "bin", "entra-sim");

function row(cells: string[]): void {
  console.log(
    `  ${cells[0]!.padEnd(34)}${cells
      .slice(1)
      .map((cell) => cell.padStart(15))
      .join("")}`,
  );
}

/** `entra-sim graph <state>` in a child process; resolves with its base URL once it serves. */
function serveGraph(stateFile: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [ENTRA_SIM, "graph", stateFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      const match = /^(https:\/\/127\.0\.0\.1:\d+)$/m.exec(text);
      if (match) resolve({ child, baseUrl: match[1] as string });
    });
    child.on("exit", (code) => reject(new Error(`entra-sim graph exited ${code}`)));
  });
}

/** The journal's last seq (the simulator's journal table), read in SQL so the bench's own memory stays out of it. */
function journalEnd(stateFile: string): number {
  const db = new DatabaseSync(stateFile, { readOnly: true });
  try {
    return (db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM journal").get() as { seq: number }).seq;
  } finally {
    db.close();
  }
}

/** Graph requests the simulator journaled after `from` (token requests included), per operation. */
function graphRequests(stateFile: string, from: number): { total: number; byOperation: Map<string, number> } {
  const db = new DatabaseSync(stateFile, { readOnly: true });
  try {
    const rows = db
      .prepare(
        "SELECT json_extract(json, '$.operation') AS operation, count(*) AS count FROM journal " +
          "WHERE seq > ? AND json_extract(json, '$.server') = 'graph' AND json_extract(json, '$.kind') = 'operation' " +
          "GROUP BY operation ORDER BY min(seq)",
      )
      .all(from) as Array<{ operation: string; count: number }>;
    const byOperation = new Map(rows.map((row) => [row.operation, row.count]));
    return { total: rows.reduce((sum, row) => sum + row.count, 0), byOperation };
  } finally {
    db.close();
  }
}

/**
 * CPU time (user + system, ms) a process has used, from /proc (Linux; undefined elsewhere). On a shared machine
 * this is steadier than wall time: what the simulator spends per request, not what it waits for the CPU.
 */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime and stime, in ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

async function benchOneSize(size: number): Promise<void> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-optout-"));
  const stateFile = path.join(directory, "bench.json");
  console.log(
    `${size.toLocaleString("en-US")} Microsoft 365 groups (state in ${directory}; load average ` +
      `${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} CPUs)`,
  );
  // In a child process, like the server: this process's peak memory is then the client's alone.
  const init = spawnSync(
    process.execPath,
    [ENTRA_SIM, "init", stateFile, "--m365", String(size), "--m365-opted-out", "0", "--security", "0"].concat(
      ["--security-enabled", "0", "--clock", "simulated"],
    ),
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (init.status !== 0) throw new Error(`entra-sim init exited ${init.status}`);
  const credentials = await readGraphCredentials(stateFile);
  const app = credentials.apps.find((each) => each.displayName === "entra-writeback")!;
  const server = await serveGraph(stateFile);
  const graph = new GraphClient({
    tenantId: credentials.tenantId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    authorityHost: server.baseUrl,
    graphEndpoint: server.baseUrl,
    trustedCertificatePem: fs.readFileSync(certificateFileFor(stateFile), "utf8"),
  });
  try {
    row(["", "requests", "wall", "ms/request", "peak RSS", "sim CPU/req", "client CPU/req"]);
    const measure = async (label: string, run: () => Promise<void>): Promise<void> => {
      const from = journalEnd(stateFile);
      const started = process.hrtime.bigint();
      const simCpu = cpuMsOf(server.child.pid);
      const clientCpu = process.cpuUsage();
      await run();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const simCpuMs = (cpuMsOf(server.child.pid) ?? NaN) - (simCpu ?? NaN);
      const clientUsed = process.cpuUsage(clientCpu);
      const { total, byOperation } = graphRequests(stateFile, from);
      row([
        label,
        total.toLocaleString("en-US"),
        `${(ms / 1000).toFixed(1)} s`,
        (ms / total).toFixed(2),
        `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
        Number.isNaN(simCpuMs) ? "-" : `${(simCpuMs / total).toFixed(2)} ms`,
        `${((clientUsed.user + clientUsed.system) / 1000 / total).toFixed(2)} ms`,
      ]);
      console.log(
        `    ${[...byOperation].map(([operation, count]) => `${operation} ${count.toLocaleString("en-US")}`).join(", ")}`,
      );
    };
    const pageMs: number[] = [];
    await measure("list every page (999 a page)", async () => {
      let started = process.hrtime.bigint();
      for await (const _page of graph.groupPages({
        filter: "groupTypes/any(c:c eq 'Unified')",
        select: ["id", "groupTypes", "onPremisesSyncEnabled", "writebackConfiguration"],
      })) {
        pageMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        started = process.hrtime.bigint();
      }
    });
    console.log(
      `    ms per page: mean ${(pageMs.reduce((sum, ms) => sum + ms, 0) / pageMs.length).toFixed(1)}, ` +
        `median ${median(pageMs).toFixed(1)}, max ${Math.max(...pageMs).toFixed(1)}`,
    );
    const plan = { groups: "all" as const, keepEnabled: [], concurrency: 4 };
    let changed = 0;
    await measure("opt out every group", async () => {
      changed = (await runOptOut(graph, plan, { progress: () => undefined })).optedOut.count;
    });
    if (changed !== size) throw new Error(`expected ${size} groups opted out, the run opted out ${changed}`);
    await measure("again: all opted out already", async () => {
      const report = await runOptOut(graph, plan, { progress: () => undefined });
      if (report.optedOut.count !== 0) throw new Error("the second run wrote groups");
    });
  } finally {
    await graph.close();
    server.child.kill("SIGTERM");
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  if (sizes.length === 1) return benchOneSize(sizes[0] as number);
  for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const run = spawnSync(process.execPath, [__filename, String(size)], { stdio: "inherit" });
    if (run.status !== 0) throw new Error(`the run with ${size} groups failed`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
