// A connection held across transactions (the simulated Graph's): the same guarantees as a connection per
// transaction (no update lost beside other processes, every transaction sees what they committed), the file opened
// again when it was replaced, and nothing left open once closed.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { initState, readState, withState } from "../../../simulator";
import { rowStatements } from "../../../simulator/store";
import { StateConnection } from "../../../simulator/transaction";
import { ensureBuilt, PROJECT_ROOT, tempDir } from "./testSupport";

const DIST_INDEX = path.join(PROJECT_ROOT, "dist", "simulator", "index.js");
const small = { clock: "simulated", m365: 1, security: 0, securityEnabled: 0, m365OptedOut: 0 } as const;

let dir: string;
beforeAll(() => ensureBuilt());
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function incrementIn(file: string, times: number): Promise<number | null> {
  const script = `
    const { withState } = require(${JSON.stringify(DIST_INDEX)});
    (async () => {
      for (let i = 0; i < ${times}; i++) await withState(process.argv[1], (tx) => { tx.state.settings.hangSeconds += 1; });
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", script, file], { stdio: "inherit" });
    child.on("close", resolve);
  });
}

test("no update is lost between a held connection and other processes; each transaction reads what they committed", async () => {
  const file = path.join(dir, "lab.json");
  await initState(file, small);
  const start = (await readState(file)).settings.hangSeconds;
  const connection = new StateConnection(file);
  try {
    const children = Promise.all([incrementIn(file, 25), incrementIn(file, 25)]);
    for (let i = 0; i < 25; i++) {
      await withState(connection, (tx) => {
        tx.state.settings.hangSeconds += 1;
      });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await children).toEqual([0, 0]);
    // The held connection reads the others' last commits, not a snapshot of its own.
    expect(await withState(connection, (tx) => tx.state.settings.hangSeconds)).toBe(start + 75);
    // One connection, its statements prepared once.
    expect(rowStatements(connection.database())).toBe(rowStatements(connection.database()));
  } finally {
    connection.close();
  }
  expect((await readState(file)).settings.hangSeconds).toBe(start + 75);
  // Every connection closed, the held one too: SQLite folded its write-ahead log back and removed it.
  expect(fs.readdirSync(dir)).toEqual(["lab.json"]);
}, 60_000);

test("a state file replaced under a held connection is opened again; a closed connection refuses", async () => {
  const file = path.join(dir, "lab.json");
  await initState(file, small);
  const connection = new StateConnection(file);
  try {
    expect(await withState(connection, (tx) => tx.state.tenant.groups.length)).toBe(1);
    // Another state (a new file, so a new inode) moved over this one.
    const other = path.join(dir, "other.json");
    await initState(other, { ...small, m365: 3 });
    fs.renameSync(other, file);
    expect(await withState(connection, (tx) => tx.state.tenant.groups.length)).toBe(3);
  } finally {
    connection.close();
  }
  await expect(withState(connection, () => 0)).rejects.toThrow(`the connection to ${file} is closed`);
});
