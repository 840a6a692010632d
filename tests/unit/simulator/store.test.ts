import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  acquireLock,
  initState,
  lockFileFor,
  readJournal,
  readState,
  releaseLock,
  StateFileError,
  withState,
  writeFileAtomic,
} from "../../../simulator";
import { ensureBuilt, PROJECT_ROOT, tempDir } from "./testSupport";

const DIST_INDEX = path.join(PROJECT_ROOT, "dist", "simulator", "index.js");

function runChild(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

let dir: string;
beforeAll(async () => ensureBuilt(), 180_000);
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the state store", () => {
  it("loses no update when several processes change the state at once", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", m365: 1, security: 0, securityEnabled: 0, m365OptedOut: 0 });
    const start = (await readState(file)).settings.hangSeconds;
    const script = `
      const { withState } = require(${JSON.stringify(DIST_INDEX)});
      (async () => {
        for (let i = 0; i < 25; i++) {
          await withState(process.argv[1], (tx) => {
            tx.state.settings.hangSeconds += 1;
            tx.event("increment", null, { pid: process.pid });
          });
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const children = await Promise.all([1, 2, 3, 4].map(() => runChild(script, [file])));
    expect(children.map((child) => child.stderr)).toEqual(["", "", "", ""]);
    expect(children.map((child) => child.code)).toEqual([0, 0, 0, 0]);
    expect((await readState(file)).settings.hangSeconds).toBe(start + 100);
    expect(
      readJournal(file).filter((entry) => entry.kind === "event" && entry.event === "increment"),
    ).toHaveLength(100);
    expect(fs.existsSync(lockFileFor(file))).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 60_000);

  it("replaces the file atomically: a concurrent reader never sees a partial file", async () => {
    const file = path.join(dir, "big.json");
    const payload = (n: number): string => JSON.stringify({ n, filler: "x".repeat(2_000_000) });
    writeFileAtomic(file, payload(0));
    const writer = runChild(
      `const { writeFileAtomic } = require(${JSON.stringify(DIST_INDEX)});
       for (let n = 1; n <= 30; n++) writeFileAtomic(process.argv[1], JSON.stringify({ n, filler: "x".repeat(2000000) }));`,
      [file],
    );
    let reads = 0;
    let done = false;
    void writer.then(() => (done = true));
    while (!done) {
      const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { n: number; filler: string };
      expect(parsed.filler).toHaveLength(2_000_000);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await writer).code).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect((JSON.parse(fs.readFileSync(file, "utf8")) as { n: number }).n).toBe(30);
    expect(fs.readdirSync(dir)).toEqual(["big.json"]);
  }, 60_000);

  it("writes nothing when the transaction throws", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated" });
    const before = fs.readFileSync(file, "utf8");
    await expect(
      withState(file, (tx) => {
        tx.state.tenant.groups = [];
        tx.event("never", null, {});
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(readJournal(file).some((entry) => entry.kind === "event" && entry.event === "never")).toBe(false);
  });

  it("takes over a lock whose holder is dead", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated" });
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    fs.writeFileSync(
      lockFileFor(file),
      JSON.stringify({
        pid: Number(dead.stdout),
        host: os.hostname(),
        acquiredAt: Date.now(),
        token: "dead",
      }),
    );
    await withState(file, (tx) => tx.event("after-steal", null, {}), { lock: { timeoutMs: 2_000 } });
    expect(readJournal(file).some((entry) => entry.kind === "event" && entry.event === "after-steal")).toBe(
      true,
    );
  });

  it("takes over a very old lock even if its holder looks alive", async () => {
    const lockPath = path.join(dir, "x.lock");
    fs.writeFileSync(
      lockPath,
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        acquiredAt: Date.now() - 600_000,
        token: "old",
      }),
    );
    const lock = await acquireLock(lockPath, { timeoutMs: 2_000 });
    expect(JSON.parse(fs.readFileSync(lockPath, "utf8"))).toMatchObject({ token: lock.token });
    releaseLock(lock);
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("gives up on a live lock after the timeout with a message that names the holder", async () => {
    const lockPath = path.join(dir, "x.lock");
    const held = await acquireLock(lockPath);
    const started = Date.now();
    await expect(acquireLock(lockPath, { timeoutMs: 300 })).rejects.toThrow(
      new RegExp(`could not lock .* within 0 s: it is held by process ${process.pid}`),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    releaseLock(held);
  });

  it("explains a missing, damaged or foreign state file", async () => {
    await expect(readState(path.join(dir, "missing.json"))).rejects.toThrow(
      /does not exist; create it with: entra-sim init/,
    );
    fs.writeFileSync(path.join(dir, "bad.json"), "{ not json");
    await expect(readState(path.join(dir, "bad.json"))).rejects.toThrow(StateFileError);
    fs.writeFileSync(path.join(dir, "old.json"), JSON.stringify({ schemaVersion: 0 }));
    await expect(readState(path.join(dir, "old.json"))).rejects.toThrow(
      /schemaVersion 0, this simulator reads 1/,
    );
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated" });
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as { servers: unknown[] };
    state.servers = [];
    fs.writeFileSync(file, JSON.stringify(state));
    await expect(readState(file)).rejects.toThrow(/not a valid simulator state: servers/);
  });

  it("refuses to overwrite a state file without force", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", seed: 1 });
    await expect(initState(file, { clock: "simulated" })).rejects.toThrow(/already exists; pass --force/);
    await initState(file, { clock: "simulated", seed: 2, force: true });
    expect(readJournal(file).filter((entry) => entry.kind === "operation")).toHaveLength(1);
  });
});
