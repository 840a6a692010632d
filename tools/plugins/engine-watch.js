// Ends this plugin process promptly when the Pulumi engine that started it is gone. Loaded first (node
// --require) by both launchers in this directory. The engine starts each plugin as its own child; when the
// engine dies without shutting its plugins down (kill -9 of the CLI, a lost session), the plugin is adopted by
// another process and its parent process id changes. A plugin left running would go on with its work and
// could write to a server long after the deployment ended, in the middle of another deployment's window.
//
// On that change this emits ENGINE_GONE on `process` so code in the process can stop in-flight work at once
// (powershell/backend.ts kills its PowerShell sessions), waits at most GRACE_MS for it, and exits.
"use strict";

/** Keep equal to ENGINE_GONE_EVENT in powershell/engineGone.ts (a unit test checks). */
const ENGINE_GONE = "entra-writeback:engine-gone";
const POLL_MS = 200;
const GRACE_MS = 2000;
const EXIT_CODE = 70;

// A process started by the provider's Go front (tools/provider-front) is told the front's process id: the front may be
// gone already (kill -9) when this starts to watch, and the process's parent would then already be another one.
const WATCH_PARENT = "ENTRA_WRITEBACK_WATCH_PARENT";
const startedBy = Number(process.env[WATCH_PARENT]) || process.ppid;
// Not for the processes this one starts (PowerShell sessions, a provider's own Node processes).
delete process.env[WATCH_PARENT];

function engineGone() {
  const pending = [];
  try {
    process.emit(ENGINE_GONE, (work) => pending.push(Promise.resolve(work)));
  } catch {
    // Stopping is what matters; a failing listener must not keep the process alive.
  }
  const deadline = setTimeout(() => process.exit(EXIT_CODE), GRACE_MS);
  Promise.allSettled(pending).then(() => {
    clearTimeout(deadline);
    process.exit(EXIT_CODE);
  });
}

// Process id 1 (or none) means the parent was already gone at start: nothing to watch.
if (startedBy > 1) {
  const timer = setInterval(() => {
    if (process.ppid === startedBy) return;
    clearInterval(timer);
    engineGone();
  }, POLL_MS);
  timer.unref();
}
