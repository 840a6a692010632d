import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  acquireLock,
  initState,
  readJournal,
  readState,
  releaseLock,
  StateFileError,
  withState,
} from "../../../simulator";
import { cloudGroupIndex } from "../../../simulator/lazyState";
import { cli, ensureBuilt, PROJECT_ROOT, tempDir } from "./testSupport";

const DIST_INDEX = path.join(PROJECT_ROOT, "dist", "simulator", "index.js");

function runChild(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** Changes the core row behind the simulator's back (a hand edit, or a bug in another version). */
function editCore(file: string, edit: (core: Record<string, unknown>) => void): void {
  const db = new DatabaseSync(file);
  try {
    const row = db.prepare("SELECT json FROM core WHERE id = 1").get() as { json: string };
    const core = JSON.parse(row.json) as Record<string, unknown>;
    edit(core);
    db.prepare("UPDATE core SET json = ? WHERE id = 1").run(JSON.stringify(core));
  } finally {
    db.close();
  }
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
            tx.state.tenant.groups[0].displayName += "+";
            tx.event("increment", null, { pid: process.pid });
          });
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const children = await Promise.all([1, 2, 3, 4].map(() => runChild(script, [file])));
    expect(children.map((child) => child.stderr)).toEqual(["", "", "", ""]);
    expect(children.map((child) => child.code)).toEqual([0, 0, 0, 0]);
    const state = await readState(file);
    expect(state.settings.hangSeconds).toBe(start + 100);
    expect(state.tenant.groups[0]?.displayName).toMatch(/\+{100}$/);
    expect(
      readJournal(file).filter((entry) => entry.kind === "event" && entry.event === "increment"),
    ).toHaveLength(100);
    // Every connection closed: SQLite folded its write-ahead log back and removed it.
    expect(fs.readdirSync(dir)).toEqual(["lab.json"]);
  }, 60_000);

  it("shows another process's transactions whole: a reader never sees half of one", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", m365: 3, security: 0, securityEnabled: 0, m365OptedOut: 0 });
    const writer = runChild(
      `const { withState } = require(${JSON.stringify(DIST_INDEX)});
       (async () => {
         for (let n = 1; n <= 40; n++)
           await withState(process.argv[1], (tx) => {
             tx.state.settings.hangSeconds = n;
             for (const group of tx.state.tenant.groups) group.displayName = "round " + n;
           });
       })().catch((e) => { console.error(e); process.exit(1); });`,
      [file],
    );
    let done = false;
    const seen = new Set<number>();
    void writer.then(() => (done = true));
    while (!done) {
      const state = await readState(file);
      const round = state.settings.hangSeconds;
      seen.add(round);
      if (round <= 40)
        expect(state.tenant.groups.map((g) => g.displayName)).toEqual(Array(3).fill(`round ${round}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await writer).toEqual({ code: 0, stderr: "" });
    expect(seen.size).toBeGreaterThan(1);
    expect((await readState(file)).settings.hangSeconds).toBe(40);
  }, 60_000);

  it("writes nothing when the transaction throws", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated" });
    const before = fs.readFileSync(file);
    const groups = (await readState(file)).tenant.groups;
    expect(groups.length).toBeGreaterThan(0);
    await expect(
      withState(file, (tx) => {
        tx.state.tenant.groups = [];
        tx.event("never", null, {});
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect((await readState(file)).tenant.groups).toEqual(groups);
    const journaled = () =>
      readJournal(file).some((entry) => entry.kind === "event" && entry.event === "never");
    expect(journaled()).toBe(false);
    // The same event from a transaction that commits is found by the same filter.
    await withState(file, (tx) => tx.event("never", null, {}));
    expect(journaled()).toBe(true);
  });

  it("waits for another process's transaction, and a process killed inside one changes nothing", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated" });
    const start = (await readState(file)).settings.hangSeconds;
    // The child takes the write lock, changes the state, signals, then dies without committing.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const { DatabaseSync } = require("node:sqlite");
         const db = new DatabaseSync(process.argv[1]);
         db.exec("BEGIN IMMEDIATE");
         db.exec("UPDATE core SET json = json_set(json, '$.settings.hangSeconds', 9999)");
         process.stdout.write("locked\\n");
         setTimeout(() => process.kill(process.pid, "SIGKILL"), 700);`,
        file,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    const started = Date.now();
    await withState(file, (tx) => {
      tx.state.settings.hangSeconds += 1;
    });
    expect(Date.now() - started).toBeGreaterThan(300); // it did wait for the lock
    expect((await readState(file)).settings.hangSeconds).toBe(start + 1);
  }, 30_000);

  it("takes over a very old lock file even if its holder looks alive (the build lock)", async () => {
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

  it("gives up on a live lock file after the timeout with a message that names the holder", async () => {
    const lockPath = path.join(dir, "x.lock");
    const held = await acquireLock(lockPath);
    const started = Date.now();
    await expect(acquireLock(lockPath, { timeoutMs: 300 })).rejects.toThrow(
      new RegExp(`could not lock .* within 0 s: it is held by process ${process.pid}`),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    releaseLock(held);
  });

  it("explains a missing, damaged or foreign state file in one line and leaves it untouched", async () => {
    await expect(readState(path.join(dir, "missing.json"))).rejects.toThrow(
      /does not exist; create it with: entra-sim init/,
    );
    expect(fs.existsSync(path.join(dir, "missing.json"))).toBe(false);

    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", m365: 200 });
    const intact = fs.readFileSync(file);
    // Damage a page in the middle of the database.
    const damaged = Buffer.from(intact);
    damaged.fill(0x5a, 4096 * 2, 4096 * 2 + 4096);
    const header = Buffer.from(intact.subarray(0, 100));
    const garbage = path.join(dir, "garbage.json");
    fs.writeFileSync(garbage, Buffer.concat([header.fill(0x41, 0, 16), intact.subarray(100)]));
    fs.writeFileSync(file, damaged);
    for (const broken of [file, garbage]) {
      const before = fs.readFileSync(broken);
      const error = await readState(broken).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StateFileError);
      expect((error as Error).message).toMatch(/(damaged|not an entra-sim state).*entra-sim init --force/);
      const shown = cli(["show", broken]);
      expect(shown.code).toBe(1);
      expect(shown.stderr.trim().split("\n")).toHaveLength(1);
      expect(fs.readFileSync(broken).equals(before)).toBe(true);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(["garbage.json", "lab.json"]);

    await initState(file, { clock: "simulated", force: true });
    editCore(file, (core) => (core.schemaVersion = 0));
    await expect(readState(file)).rejects.toThrow(/schemaVersion 0, this simulator reads 1/);
    editCore(file, (core) => {
      core.schemaVersion = 1;
      core.servers = [];
    });
    await expect(readState(file)).rejects.toThrow(/not a valid simulator state: servers/);
  });

  it("names a JSON state file of an earlier version, and init --force recreates it as the advice says", async () => {
    const file = path.join(dir, "lab.json");
    const old = JSON.stringify({ schemaVersion: 1, clock: { mode: "real" } });
    fs.writeFileSync(file, old);
    const shown = cli(["show", file]);
    expect(shown.code).toBe(1);
    expect(shown.stderr.trim()).toBe(
      `entra-sim: ${file} is a JSON state file of an earlier entra-sim, which now keeps its state in SQLite; ` +
        `recreate it with: entra-sim init --force ${file}`,
    );
    expect(fs.readFileSync(file, "utf8")).toBe(old);
    const init = cli(["init", "--force", file]);
    expect(init.code).toBe(0);
    expect(cli(["show", file]).code).toBe(0);
    expect((await readState(file)).servers).toHaveLength(1);
  });

  it("refuses to overwrite a state file without force", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", seed: 1 });
    await expect(initState(file, { clock: "simulated" })).rejects.toThrow(/already exists; pass --force/);
    await initState(file, { clock: "simulated", seed: 2, force: true });
    expect(readJournal(file).filter((entry) => entry.kind === "operation")).toHaveLength(1);
  });

  it("keyed group reads: a group changed by id is written, and stays changed when the list loads later", async () => {
    const file = path.join(dir, "lab.json");
    await initState(file, { clock: "simulated", m365: 5, security: 0, securityEnabled: 0, m365OptedOut: 0 });
    const ids = (await readState(file)).tenant.groups.map((group) => group.objectId);
    // By id alone: only that row changes.
    await withState(file, (tx) => {
      const index = cloudGroupIndex(tx.state.tenant);
      index.byId(ids[1]!)!.displayName = "renamed by id";
      expect(index.seqOf(ids[1]!)).toBe(2);
      expect([...index.after(3)].map((row) => row.group.objectId)).toEqual(ids.slice(3));
    });
    // By id, then the whole list in the same transaction: the list holds the changed object.
    await withState(file, (tx) => {
      cloudGroupIndex(tx.state.tenant).byId(ids[2]!)!.displayName = "renamed, then listed";
      expect(tx.state.tenant.groups[2]?.displayName).toBe("renamed, then listed");
      tx.state.tenant.groups[3]!.displayName = "renamed in the list";
    });
    const names = (await readState(file)).tenant.groups.map((group) => group.displayName);
    expect(names.slice(1, 4)).toEqual(["renamed by id", "renamed, then listed", "renamed in the list"]);
  });
});
