// entra-sim through the CLI's own entry function, main(argv, io) of the built CLI (dist/, as bin/entra-sim
// runs it), instead of a Node process per command: the same commands, output and exit codes, for tests that
// call it hundreds of times. The calls stay synchronous (as spawnSync was): main runs in a worker thread and
// this thread waits on a shared flag until the worker posts the result. One worker per test file, ended after
// the file's tests. bin/entra-sim itself (the process around main) keeps its own tests that spawn it.
import * as path from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";

export interface EntraSimRun {
  status: number;
  stdout: string;
  stderr: string;
}

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** The module bin/entra-sim loads. */
export const BUILT_CLI = path.join(PROJECT_ROOT, "dist", "simulator", "cli.js");
/** Longer than any command waits (sync --wait on a real clock waits for the cycle, 40 s by default). */
const CALL_TIMEOUT_MS = 5 * 60_000;
const STARTUP_TIMEOUT_MS = 60_000;

// Plain JavaScript for the worker: load main (and say whether that worked), run each argv it receives, post
// { status, stdout, stderr }; after each message it raises the flag this thread waits on. Output is collected
// as bin/entra-sim writes it: each line and "\n".
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { port } = workerData;
const flag = new Int32Array(workerData.flag);
const answer = (message) => {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
let main;
try {
  main = require(workerData.cli).main;
  answer({ ready: true });
} catch (error) {
  answer({ ready: false, error: String((error && error.message) || error) });
}
port.on("message", async (argv) => {
  let stdout = "";
  let stderr = "";
  let status;
  try {
    status = await main(argv, {
      out: (line) => { stdout += line + "\\n"; },
      err: (line) => { stderr += line + "\\n"; },
    });
  } catch (error) {
    stderr += "entra-sim (in process): main threw: " + ((error && error.stack) || String(error)) + "\\n";
    status = 1;
  }
  answer({ status, stdout, stderr });
});
`;

interface Runner {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let runner: Runner | undefined;

function start(): Runner {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { cli: BUILT_CLI, port: port2, flag: flag.buffer },
    transferList: [port2],
    stdout: false,
    stderr: false,
  });
  worker.unref();
  port1.unref();
  const ready = receive({ worker, port: port1, flag }, STARTUP_TIMEOUT_MS) as
    { ready: true } | { ready: false; error: string } | undefined;
  if (!ready?.ready) {
    void worker.terminate();
    throw new Error(
      `the in-process entra-sim could not load ${BUILT_CLI} (${ready ? ready.error : "no answer"}); run npm run build`,
    );
  }
  return { worker, port: port1, flag };
}

/** Waits for the worker's next message (undefined after the timeout). */
function receive({ port, flag }: Runner, timeoutMs: number): unknown {
  Atomics.wait(flag, 0, 0, timeoutMs);
  Atomics.store(flag, 0, 0);
  return receiveMessageOnPort(port)?.message;
}

/** Runs `entra-sim <argv>` and returns its exit code and output. */
export function entraSim(argv: string[]): EntraSimRun {
  runner ??= start();
  const current = runner;
  current.port.postMessage(argv);
  const reply = receive(current, CALL_TIMEOUT_MS) as EntraSimRun | undefined;
  if (!reply) {
    // The call outran the timeout (or the worker died): start afresh next time.
    runner = undefined;
    void current.worker.terminate();
    throw new Error(
      `entra-sim ${argv.join(" ")}: no answer from the in-process CLI in ${CALL_TIMEOUT_MS / 1000} s`,
    );
  }
  return reply;
}

/** Ends the worker (after a file's tests; the next call starts a new one). */
export async function stopEntraSim(): Promise<void> {
  const current = runner;
  runner = undefined;
  if (current) await current.worker.terminate();
}

// Each test file that loads this module ends its worker after its tests.
if (typeof afterAll === "function") afterAll(stopEntraSim);
