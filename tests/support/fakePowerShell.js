#!/usr/bin/env node
// A stand-in for powershell.exe that speaks node-powershell's stdin protocol, so the real node-powershell and
// the real backend can be tested without Windows.
//
// node-powershell writes, per call: [Console]::Error.WriteLine("<D>"), [Console]::Out.WriteLine("<D>"), the
// command, and the same two delimiter lines again. This program echoes the delimiter lines to stderr/stdout.
// The command must be exactly one of the backend's one-line bootstraps (tests/fixtures/powershell/invocation/*.txt)
// with only base64 in its two variable places; anything else is refused on stderr:
//   session: the text of powershell/scripts/_session.ps1 and its JSON arguments; opening must carry the exact text
//            of powershell/module/EntraWriteback/EntraWriteback.psm1 (the module the real session imports);
//   local / remote: the name of a function the EntraWriteback module defines and exports (powershell/commands.json
//            maps it to its contract operation) and a JSON object of arguments.
// It answers one base64 line of UTF-8 JSON, as the real bootstrap does: {"result":...,"messages":[...]} or
// {"error":{...}}. An argument the function has no parameter for is answered with PowerShell's binding error.
//
// Environment:
//   FAKE_PS_MODE              replay (default): answers from tests/fixtures/powershell/replay/<operation>/<variant>.json
//                             simulator: applies the operation to the simulator (dist/simulator/backend.js, built)
//   FAKE_PS_REPLAY_DIR        another directory of replay fixtures
//   FAKE_PS_SIMULATOR_STATE   simulator state file; FAKE_PS_SIMULATOR_SERVER: server name in it
//   FAKE_PS_CONTROL           a JSON file read before every call and rewritten as entries are used up:
//                               {"plan": {"<operation>": ["<variant>", ...]},            replay variants, in order
//                                "faults": [{"operation": "<name>|*", "fault": "<kind>", "delayMs": n}],
//                                "sessionError": {message, category, fullyQualifiedErrorId, exceptionType}}
//                             ("_session" for opening the session); fault kinds: hang (never answers), crash (exits with code 3 mid-call),
//                             exit (exits with code 0 mid-call), stderr (writes noise to stderr, then answers),
//                             stray (writes a text line to stdout, then answers), slow (waits delayMs, then answers),
//                             idleExit (answers, then exits between calls), brokenSession and lostConnection
//                             (answer the error Invoke-Command gives when the remote session is gone)
//   FAKE_PS_LOG               a file that receives one JSON line per event: start, every line received, call, refusal
//   FAKE_PS_STDOUT_ENCODING   ascii (default): non-ASCII characters written to stdout become "?", like a legacy
//                             console code page; utf8: written as they are
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

const REPOSITORY = path.resolve(__dirname, "..", "..");
const SESSION_SCRIPT = path.join(REPOSITORY, "powershell", "scripts", "_session.ps1");
const MODULE_DIRECTORY = path.join(REPOSITORY, "powershell", "module", "EntraWriteback");
const COMMANDS_FILE = path.join(REPOSITORY, "powershell", "commands.json");
const FIXTURES_DIRECTORY = path.join(REPOSITORY, "tests", "fixtures", "powershell");
const PASSWORD_VARIABLE = "ENTRA_WRITEBACK_REMOTE_PASSWORD";
const BASE64 = "([A-Za-z0-9+/]*={0,2})";
const DELIMITER_LINE = /^\[Console\]::(Out|Error)\.WriteLine\("([0-9A-Za-z]{16})"\)$/;

const settings = {
  mode: process.env.FAKE_PS_MODE || "replay",
  replayDirectory: process.env.FAKE_PS_REPLAY_DIR || path.join(FIXTURES_DIRECTORY, "replay"),
  controlFile: process.env.FAKE_PS_CONTROL,
  logFile: process.env.FAKE_PS_LOG,
  simulatorStateFile: process.env.FAKE_PS_SIMULATOR_STATE,
  simulatorServer: process.env.FAKE_PS_SIMULATOR_SERVER,
  stdoutEncoding: process.env.FAKE_PS_STDOUT_ENCODING || "ascii",
};

function log(event) {
  if (settings.logFile) {
    fs.appendFileSync(settings.logFile, `${JSON.stringify({ pid: process.pid, ...event })}\n`);
  }
}

function writeStdout(text) {
  const shown = settings.stdoutEncoding === "ascii" ? text.replace(/[^\t\n\r\x20-\x7E]/g, "?") : text;
  process.stdout.write(`${shown}\n`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function loadLineShapes() {
  const shapes = {};
  for (const shape of ["session", "local", "remote"]) {
    const template = fs
      .readFileSync(path.join(FIXTURES_DIRECTORY, "invocation", `${shape}.txt`), "utf8")
      .trim();
    const pattern = escapeRegExp(template)
      .replace(/\\\{(SCRIPT|COMMAND)_BASE64\\\}/, BASE64)
      .replace(escapeRegExp("{ARGUMENTS_BASE64}"), BASE64);
    shapes[shape] = new RegExp(`^${pattern}$`);
  }
  return shapes;
}

function readSource(file) {
  return fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

/** The module's functions: name → its parameter names (lower case), for those the manifest exports. */
function loadModuleFunctions() {
  const moduleText = readSource(path.join(MODULE_DIRECTORY, "EntraWriteback.psm1"));
  const manifest = readSource(path.join(MODULE_DIRECTORY, "EntraWriteback.psd1"));
  const exported = new Set(
    (/FunctionsToExport\s*=\s*@\(([^)]*)\)/.exec(manifest) || ["", ""])[1].match(/[A-Za-z]+-[A-Za-z0-9]+/g) ||
      [],
  );
  const functions = new Map();
  for (const match of moduleText.matchAll(/^function ([A-Za-z]+-[A-Za-z0-9]+) \{\n([\s\S]*?)\n\}$/gm)) {
    if (!exported.has(match[1])) continue;
    const paramBlock = /\n {4}param\(([\s\S]*?)\n? {4}\)\n/.exec(match[2]);
    const parameters = paramBlock
      ? [...paramBlock[1].matchAll(/\$([A-Za-z]+)/g)].map((m) => m[1].toLowerCase())
      : [];
    functions.set(match[1], new Set(parameters));
  }
  return { moduleText, functions };
}

const commandTable = JSON.parse(fs.readFileSync(COMMANDS_FILE, "utf8"));
const operationOfCommand = new Map(
  Object.entries(commandTable).map(([operation, command]) => [command, operation]),
);
const sessionScriptText = readSource(SESSION_SCRIPT);
const entraWriteback = loadModuleFunctions();
const lineShapes = loadLineShapes();
const session = { transport: undefined, calls: 0, hung: false, exitAfterDelimiters: 0 };

log({
  event: "start",
  argv: process.argv.slice(2),
  passwordVariablePresent: Object.prototype.hasOwnProperty.call(process.env, PASSWORD_VARIABLE),
});

function readControl() {
  if (!settings.controlFile || !fs.existsSync(settings.controlFile)) return {};
  return JSON.parse(fs.readFileSync(settings.controlFile, "utf8"));
}

function writeControl(control) {
  if (settings.controlFile) fs.writeFileSync(settings.controlFile, `${JSON.stringify(control, null, 2)}\n`);
}

/** The first fault for this operation, removed from the control file so a new session does not meet it again. */
function takeFault(operation) {
  const control = readControl();
  const faults = control.faults || [];
  const index = faults.findIndex(
    (fault) => fault.operation === operation || (fault.operation === "*" && operation !== "_session"),
  );
  if (index === -1) return undefined;
  const [fault] = faults.splice(index, 1);
  writeControl({ ...control, faults });
  return fault;
}

function takeReplayVariant(operation) {
  const control = readControl();
  const planned = (control.plan || {})[operation];
  if (!Array.isArray(planned) || planned.length === 0) return "default";
  const [variant, ...rest] = planned;
  writeControl({ ...control, plan: { ...control.plan, [operation]: rest } });
  return variant;
}

function refuse(reason, line) {
  log({ event: "refused", reason });
  process.stderr.write(`fake powershell refused the command: ${reason}: ${String(line).slice(0, 160)}\n`);
}

function decodeBase64(text) {
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) throw new Error("not canonical base64");
  return bytes.toString("utf8");
}

function answer(value) {
  writeStdout(Buffer.from(JSON.stringify(value), "utf8").toString("base64"));
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

// ----- session setup (_session.ps1) -----

function runSessionScript(args) {
  if (args.action === "close") {
    session.transport = undefined;
    return { action: "close" };
  }
  const control = readControl();
  if (control.sessionError) {
    delete process.env[PASSWORD_VARIABLE];
    return { error: control.sessionError };
  }
  const passwordReceived = Boolean(process.env[PASSWORD_VARIABLE]);
  // Like _session.ps1: read the password once, then remove it from the environment.
  delete process.env[PASSWORD_VARIABLE];
  log({ event: "session", transport: args.transport, passwordReceived });
  session.transport = args.transport;
  return {
    action: "open",
    transport: args.transport,
    powerShellVersion: "5.1.17763.1 (fake)",
    modules: [
      "ActiveDirectory: imported 1.0.1.0",
      "ADSync: imported 1.0.0.0",
      "AdSyncConfig: imported 1.0",
      `EntraWriteback: imported ${entraWriteback.functions.size} functions`,
    ],
  };
}

// ----- replay mode -----

function replay(operation) {
  const variant = takeReplayVariant(operation);
  const file = path.join(settings.replayDirectory, operation, `${variant}.json`);
  const fixture = JSON.parse(fs.readFileSync(file, "utf8"));
  if (fixture.error) return { error: fixture.error };
  return { result: fixture.result, messages: fixture.messages || [] };
}

// ----- simulator mode -----

let simulatorBackend;

function simulator() {
  if (!simulatorBackend) {
    const modulePath = path.join(REPOSITORY, "dist", "simulator", "backend.js");
    if (!fs.existsSync(modulePath)) {
      throw new Error(`${modulePath} is missing: run npm run build first`);
    }
    const { createSimulatorBackend } = require(modulePath);
    simulatorBackend = createSimulatorBackend({
      stateFile: settings.simulatorStateFile,
      ...(settings.simulatorServer ? { server: settings.simulatorServer } : {}),
      client: "powershell-fake",
    });
  }
  return simulatorBackend;
}

const CMDLET_OF = {
  startSyncCycle: "Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycle",
  setGroupWritebackV2: "Microsoft.IdentityManagement.PowerShell.Cmdlet.SetADSyncAADCompanyFeature",
  setSchedulerSyncCycleEnabled: "Microsoft.IdentityManagement.PowerShell.Cmdlet.SetADSyncScheduler",
};

/** The error record the real bootstrap would write for the error the simulator raised. */
function errorRecordFor(operation, error) {
  const message = String(error.message);
  const cmdlet = CMDLET_OF[operation] || `Microsoft.ActiveDirectory.Management.Commands.${operation}`;
  switch (error.code) {
    case "SyncBusy":
    case "SchedulerSuspended":
      return {
        message,
        category: "WriteError",
        fullyQualifiedErrorId: `System.InvalidOperationException,${cmdlet}`,
        exceptionType: "System.InvalidOperationException",
      };
    case "NotFound":
      return {
        message,
        category: "ObjectNotFound",
        fullyQualifiedErrorId: `ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,${cmdlet}`,
        exceptionType: "Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException",
      };
    case "AccessDenied":
      return {
        message,
        category: "PermissionDenied",
        fullyQualifiedErrorId: `UnauthorizedAccessException,${cmdlet}`,
        exceptionType: "System.UnauthorizedAccessException",
      };
    case "Refused":
    case "FeatureRefused":
      // The functions' own refusals (Write-Error -ErrorId EntraWriteback.<code>).
      return {
        message,
        category: "InvalidOperation",
        fullyQualifiedErrorId: `EntraWriteback.${error.code}`,
        exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException",
      };
    default:
      // CmdletError, and the simulator's own InjectedFault and Transport: a cmdlet failing for another reason.
      return {
        message,
        category: "NotSpecified",
        fullyQualifiedErrorId: `System.Management.Automation.RuntimeException,${cmdlet}`,
        exceptionType: "System.Management.Automation.RuntimeException",
      };
  }
}

async function simulate(operation, args) {
  try {
    return { result: await simulator().run(operation, args), messages: [] };
  } catch (error) {
    if (error && typeof error.code === "string") return { error: errorRecordFor(operation, error) };
    throw error;
  }
}

// ----- one command line -----

/** Applies the next fault planned for the script; true when the call must get no answer. */
async function applyFault(script) {
  const fault = takeFault(script);
  if (!fault) return false;
  log({ event: "fault", script, fault: fault.fault });
  switch (fault.fault) {
    case "hang":
      session.hung = true;
      return true;
    case "crash":
      process.exit(3);
      return true;
    case "exit":
      process.exit(0);
      return true;
    case "stderr":
      process.stderr.write("WARNING: noise a cmdlet wrote to stderr\n");
      return false;
    case "stray":
      writeStdout("text some host output wrote to the console: caf\u00e9");
      return false;
    case "slow":
      await sleep(fault.delayMs || 100);
      return false;
    case "idleExit":
      // Answer this call, then die while idle, as a process killed between calls would.
      session.exitAfterDelimiters = 2;
      return false;
    case "brokenSession":
      answer({ error: LOST_SESSION_ERRORS.broken });
      return true;
    case "lostConnection":
      answer({ error: LOST_SESSION_ERRORS.transport });
      return true;
    default:
      return false;
  }
}

// What Invoke-Command answers when the remote session has gone away (texts reconstructed, not recorded).
const LOST_SESSION_ERRORS = {
  broken: {
    message:
      "Because the session state for session Session1, a7e1c1d4-0a8e-4a40-9d6e-2f4a8c1b9e11, connect01.contoso.com is not equal to Open, you cannot run a command in the session.  The session state is Broken.",
    category: "InvalidOperation",
    fullyQualifiedErrorId:
      "InvokeCommandCommandInvalidSessionState,Microsoft.PowerShell.Commands.InvokeCommandCommand",
    exceptionType: "System.InvalidOperationException",
  },
  transport: {
    message:
      "Processing data from remote server connect01.contoso.com failed with the following error message: The WinRM client cannot process the request because the server name cannot be resolved.",
    category: "OpenError",
    fullyQualifiedErrorId: "JobFailure",
    exceptionType: "System.Management.Automation.Remoting.PSRemotingTransportException",
  },
};

async function runCommand(line) {
  let shape;
  let match;
  for (const [candidate, pattern] of Object.entries(lineShapes)) {
    match = pattern.exec(line);
    if (match) {
      shape = candidate;
      break;
    }
  }
  if (!shape) return refuse("not the one-line bootstrap with base64 script and arguments", line);

  let first;
  let args;
  try {
    first = decodeBase64(match[1]);
    args = JSON.parse(decodeBase64(match[2]));
  } catch (error) {
    return refuse(`undecodable script, command or arguments (${error.message})`, line);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return refuse("the arguments are not a JSON object", line);
  }

  if (shape === "session") {
    if (first !== sessionScriptText) return refuse("the script is not powershell/scripts/_session.ps1", line);
    const { module: moduleText, ...logged } = args;
    if (args.action === "open" && moduleText !== entraWriteback.moduleText) {
      return refuse("the session was opened without the text of EntraWriteback.psm1", line);
    }
    log({ event: "call", shape, script: "_session", arguments: logged });
    if (args.action === "open" && (await applyFault("_session"))) return undefined;
    // The real _session.ps1 imports the module when it opens the session, so the first operation then only runs;
    // the simulator backend (the fake's stand-in for the module's work) is loaded at the same moment, under the
    // session's open timeout rather than the first call's.
    if (args.action === "open" && settings.mode === "simulator") {
      try {
        simulator();
      } catch {
        // Said by the first operation, which loads it again (a missing build: "run npm run build first").
      }
    }
    const value = runSessionScript(args);
    return answer(value.error ? value : { result: value, messages: [] });
  }
  const script = operationOfCommand.get(first);
  if (!script || !entraWriteback.functions.has(first)) {
    return refuse("the command is not a function the EntraWriteback module exports", line);
  }
  log({ event: "call", shape, script, command: first, arguments: args });
  if (session.transport === undefined)
    return refuse(`${script} before _session.ps1 opened the session`, line);
  const expectedShape = session.transport === "local" ? "local" : "remote";
  if (shape !== expectedShape) return refuse(`a ${shape} line in a ${session.transport} session`, line);
  const unknown = Object.keys(args).find(
    (name) => !entraWriteback.functions.get(first).has(name.toLowerCase()),
  );
  if (unknown !== undefined) {
    // What splatting an unknown key does in PowerShell.
    return answer({
      error: {
        message: `A parameter cannot be found that matches parameter name '${unknown}'.`,
        category: "InvalidArgument",
        fullyQualifiedErrorId: `NamedParameterNotFound,${first}`,
        exceptionType: "System.Management.Automation.ParameterBindingException",
      },
    });
  }
  session.calls += 1;

  if (await applyFault(script)) return undefined;
  const value = settings.mode === "simulator" ? await simulate(script, args) : replay(script);
  return answer(value);
}

async function handleLine(line) {
  log({ event: "line", line });
  if (session.hung) return;
  const delimiter = DELIMITER_LINE.exec(line);
  if (delimiter) {
    const stream = delimiter[1] === "Out" ? process.stdout : process.stderr;
    stream.write(`${delimiter[2]}\n`);
    if (session.exitAfterDelimiters > 0 && --session.exitAfterDelimiters === 0) {
      setTimeout(() => process.exit(0), 20);
    }
    return;
  }
  await runCommand(line);
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let pending = Promise.resolve();
input.on("line", (line) => {
  pending = pending
    .then(() => handleLine(line))
    .catch((error) => {
      log({ event: "failure", message: String(error && error.stack) });
      process.stderr.write(`fake powershell failed: ${error && error.message}\n`);
    });
});
input.on("close", () => {
  pending.then(() => process.exit(0));
});
process.on("SIGTERM", () => process.exit(0));
