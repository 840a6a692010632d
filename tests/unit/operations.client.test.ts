// EntraConnectClient's remembered server reads: what the providers' clients do within one deployment.
import * as fs from "node:fs";
import * as path from "node:path";
import { type Backend, EntraConnectClient } from "../../contract/backend";
import { createSimulatorBackend, initState } from "../../simulator";
import { tempDir } from "./simulator/testSupport";

let dir: string;
let runs: string[];
let backend: Backend;

beforeEach(async () => {
  dir = tempDir();
  const stateFile = path.join(dir, "lab.json");
  await initState(stateFile, { clock: "simulated" });
  const simulator = createSimulatorBackend({ stateFile, client: "test" });
  runs = [];
  backend = {
    description: simulator.description,
    run: (operation, args) => {
      runs.push(operation);
      return simulator.run(operation, args);
    },
    sleep: (ms) => simulator.sleep(ms),
    close: () => simulator.close(),
  };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a plain client reads the server on every call", async () => {
  const client = new EntraConnectClient(backend);
  await client.call("getServerState", {});
  await client.call("getServerState", {});
  await client.call("getServerInfo", {});
  expect(runs).toEqual(["getServerState", "getServerState", "getServerInfo"]);
});

test("a deployment's client reads the server once, shares the read, and reads again after a change", async () => {
  const client = new EntraConnectClient(backend, { rememberServerReads: true });
  const [first, second] = await Promise.all([
    client.call("getServerState", {}),
    client.call("getServerState", {}),
  ]);
  expect(second).toEqual(first);
  const info = await client.call("getServerInfo", {});
  expect(info).toEqual(first.server);
  expect(runs).toEqual(["getServerState"]);
  // Other reads are not remembered.
  await client.call("getScheduler", {});
  await client.call("getScheduler", {});
  expect(runs).toEqual(["getServerState", "getScheduler", "getScheduler"]);

  // A change through this client: the next read goes to the server and sees it.
  await client.call("setSchedulerSyncCycleEnabled", { enabled: false });
  expect((await client.call("getServerState", {})).scheduler.syncCycleEnabled).toBe(false);
  expect(runs.filter((name) => name === "getServerState")).toHaveLength(2);

  // Time passes (the client sleeps): read again.
  await client.sleep(1_000);
  await client.call("getServerInfo", {});
  expect(runs.at(-1)).toBe("getServerInfo");
});

test("a failed read is not remembered, and callers cannot change a remembered answer", async () => {
  let fail = true;
  const flaky: Backend = {
    ...backend,
    run: (operation, args) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("session lost"));
      }
      return backend.run(operation, args);
    },
  };
  const client = new EntraConnectClient(flaky, { rememberServerReads: true });
  await expect(client.call("getServerInfo", {})).rejects.toThrow("session lost");
  const answer = await client.call("getServerInfo", {});
  answer.computerName = "CHANGED";
  expect((await client.call("getServerInfo", {})).computerName).not.toBe("CHANGED");
  expect(runs).toEqual(["getServerInfo"]);
});
