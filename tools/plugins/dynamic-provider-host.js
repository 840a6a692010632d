// The dynamic provider host behind tools/plugins/pulumi-resource-pulumi-nodejs: the process the Pulumi engine
// starts to run a stack's dynamic resources (types pulumi-nodejs:dynamic/...). It serves the engine's
// ResourceProvider gRPC interface (proto/pulumi/provider.proto) on Node's own node:http2, with a protobuf codec for
// the few messages it reads and writes (provider-protocol.js), and nothing of the SDK but its version: the SDK's own
// host (@pulumi/pulumi/cmd/dynamic-provider) loads the whole SDK runtime first, about 0.35 s of CPU per process, and
// @grpc/grpc-js with google-protobuf and the SDK's generated messages still cost about 0.04 s to load; the engine
// starts two such processes for every `preview --refresh` (docs/toolchain.md, "What a refresh costs").
//
// What each call does is what the SDK's host does, so state written by either works with the other:
// - The provider is the module text in the `__provider` property: its `handler()` returns an object with
//   configure/check/diff/create/read/update/delete. Each distinct text is loaded and configured once per process.
// - Configure keeps the stack configuration (every namespace; secrets unwrapped) and answers acceptSecrets=false,
//   so the engine sends plain values. A provider's configure() sees it through get(key)/require(key); a key without
//   ":" is in the project's namespace.
// - Check returns the provider's inputs (or the new inputs as they came) with `__provider` kept; failures as
//   CheckFailures. Diff maps changes true/false/undefined to DIFF_SOME/DIFF_NONE/DIFF_UNKNOWN, with replaces and
//   deleteBeforeReplace. Create/Read/Update return the outputs with `__provider` added; Read returns the explicit
//   inputs when the provider gives them, and echoes the state when a provider has no read. Delete calls delete.
// - Errors: check, diff, read and delete print `${error}: ${error.stack}` on stderr (the engine shows the line) and
//   fail the call with the error's message. Create and update fail with the message; an error with an `id` means
//   "created but failed to initialize" (ErrorResourceInitFailed with id, properties and reasons), so the engine
//   keeps the resource. Whatever a provider writes to stdout or stderr reaches the engine as its log.
// - Cancel answers at once; GetPluginInfo gives the SDK's version; Invoke fails with "unknown function <token>";
//   every other method (CheckConfig, DiffConfig, Construct, Call, List, ...) answers UNIMPLEMENTED, which the
//   engine takes as "not supported".
// Set ENTRA_WRITEBACK_PROVIDER_HOST=sdk to run the SDK's own host instead (the launcher reads it).
"use strict";
// Exit when the engine that started this host is gone (kill -9 of the CLI): see engine-watch.js.
require("./engine-watch");
const path = require("node:path");
const Module = require("node:module");

const PROVIDER_KEY = "__provider";
/** The value the engine sends for an input not known yet during a preview. */
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** A secret arrives as { [SIGNATURE_KEY]: SECRET_SIGNATURE, value }. */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** The engine's limit for one message (state of a large stack): the SDK's hosts use the same. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

const projectDir = process.cwd();

function fail(message) {
  process.stderr.write(`pulumi-resource-pulumi-nodejs: ${message}\n`);
  process.exit(1);
}

let sdkDir;
try {
  sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectDir] }));
} catch (error) {
  fail(
    `cannot find @pulumi/pulumi from ${projectDir} (${error.message.split("\n")[0]}); run npm install in the project`,
  );
}
const sdkVersion = require(path.join(sdkDir, "package.json")).version;
const { MESSAGES, status, encode, serve } = require("./provider-protocol");

// An error nobody awaited is printed and makes the exit code non-zero, but does not end the process in the middle
// of other resources' calls.
const uncaught = new Set();
function reportUncaught(error) {
  if (uncaught.has(error)) return;
  uncaught.add(error);
  console.error((error && (error.stack || error.message)) || String(error));
}
process.on("uncaughtException", reportUncaught);
process.on("unhandledRejection", reportUncaught);
process.on("exit", (code) => {
  if (code === 0 && uncaught.size > 0) process.exitCode = 1;
});

const unwrapSecret = (value) =>
  value !== null && typeof value === "object" && value[SIGNATURE_KEY] === SECRET_SIGNATURE
    ? value.value
    : value;

/** What a provider's configure() receives: the stack configuration by full key (project:key). */
class ProviderConfig {
  constructor(values) {
    this.values = values;
    this.project = process.env.PULUMI_NODEJS_PROJECT || process.env.PULUMI_PROJECT || "";
  }
  get(key) {
    return this.values[key.includes(":") ? key : `${this.project}:${key}`];
  }
  require(key) {
    const value = this.get(key);
    if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
    return value;
  }
}

/**
 * Evaluates a provider's module text as a CommonJS module whose require and import() resolve from the project
 * directory, as the SDK's host does (require-from-string: Node's own module compiler). A function compiled with
 * node:vm alone has no loader for import(): a provider importing an ES module failed with "A dynamic import callback
 * was not specified".
 */
function loadProviderModule(text) {
  const filename = path.join(projectDir, "__provider.js");
  const module = new Module(filename);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(projectDir);
  module._compile(text, filename);
  return module.exports;
}

class Host {
  constructor() {
    this.config = {};
    /** Provider text -> the configured provider (a promise: concurrent first calls share one load). */
    this.providers = new Map();
  }

  provider(props) {
    const text = props[PROVIDER_KEY];
    if (typeof text !== "string") throw new Error(`the resource has no ${PROVIDER_KEY} property`);
    let loaded = this.providers.get(text);
    if (!loaded) {
      loaded = (async () => {
        const provider = loadProviderModule(text).handler();
        if (typeof provider.configure === "function")
          await provider.configure({ config: new ProviderConfig(this.config) });
        return provider;
      })();
      this.providers.set(text, loaded);
    }
    return loaded;
  }

  /** The provider of a check or diff: during a preview the new `__provider` may be unknown; then the old one. */
  providerOf(olds, news) {
    return this.provider(news[PROVIDER_KEY] === UNKNOWN_VALUE ? olds : news);
  }

  configure(request) {
    if (!request.args) throw new Error("ConfigureRequest missing args");
    const config = {};
    for (const [key, value] of Object.entries(request.args)) {
      if (key !== PROVIDER_KEY) config[key] = unwrapSecret(value);
    }
    this.config = config;
    return { acceptSecrets: false };
  }

  async check(request) {
    const olds = request.olds ?? {};
    const news = request.news ?? {};
    const provider = await this.providerOf(olds, news);
    let inputs = news;
    let failures = [];
    if (typeof provider.check === "function") {
      const result = await provider.check(olds, news);
      if (result.inputs) inputs = result.inputs;
      if (result.failures) failures = result.failures;
    }
    inputs[PROVIDER_KEY] = news[PROVIDER_KEY];
    return { inputs, failures: failures.map(({ property, reason }) => ({ property, reason })) };
  }

  async diff(request) {
    const olds = request.olds ?? {};
    const news = request.news ?? {};
    const provider = await this.providerOf(olds, news);
    if (typeof provider.diff !== "function") return {};
    const result = await provider.diff(request.id, olds, news);
    return {
      changes: result.changes === true ? DIFF_SOME : result.changes === false ? DIFF_NONE : DIFF_UNKNOWN,
      replaces: result.replaces && result.replaces.length > 0 ? result.replaces : [],
      deleteBeforeReplace: Boolean(result.deleteBeforeReplace),
    };
  }

  async create(request) {
    const inputs = request.properties ?? {};
    const provider = await this.provider(inputs);
    const result = await provider.create(inputs);
    return { id: result.id, properties: withProvider(result.outs, inputs) };
  }

  async read(request) {
    // On a refresh the engine sends the stored outputs; on a `get` only the inputs.
    let props = request.properties ?? {};
    if (Object.keys(props).length === 0 && request.inputs) props = request.inputs;
    const provider = await this.provider(props);
    if (typeof provider.read !== "function") return { id: request.id, properties: props };
    const result = await provider.read(request.id, props);
    return {
      id: result.id ?? "",
      properties: withProvider(result.props, props),
      inputs: result.inputs ? withProvider(result.inputs, props) : undefined,
    };
  }

  async update(request) {
    const olds = request.olds ?? {};
    const news = request.news ?? {};
    const provider = await this.provider(news);
    const result =
      typeof provider.update === "function" ? (await provider.update(request.id, olds, news)) || {} : {};
    return { properties: withProvider(result.outs, news) };
  }

  async delete(request) {
    const props = request.properties ?? {};
    const provider = await this.provider(props);
    if (typeof provider.delete === "function") await provider.delete(request.id, props);
    return {};
  }
}

/** DiffResponse.DiffChanges */
const DIFF_UNKNOWN = 0;
const DIFF_NONE = 1;
const DIFF_SOME = 2;

/** Outputs with the provider text, so that later calls on the resource find its provider. */
function withProvider(values, from) {
  return Object.assign(values || {}, { [PROVIDER_KEY]: from[PROVIDER_KEY] });
}

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** check, diff, read, delete: the error on stderr for the engine to show, and the call fails with its message. */
function printedFailure(error) {
  console.error(`${error}: ${error && error.stack}`);
  return { code: status.UNKNOWN, message: messageOf(error) };
}

/** create, update: an error with an id is "created but failed to initialize": the engine keeps the resource. */
function resourceFailure(error) {
  const failure = { code: status.UNKNOWN, message: messageOf(error) };
  if (error && error.id) {
    const reasons = error.reasons ?? [];
    const initFailed = {
      // The id is what makes the engine keep the resource: a number (or any value) goes as its text.
      id: String(error.id),
      properties: error.properties || {},
      reasons: (Array.isArray(reasons) ? reasons : [reasons]).map(String),
    };
    let value;
    try {
      value = encode(MESSAGES.ErrorResourceInitFailed, initFailed);
    } catch (encodeError) {
      // Properties a Struct cannot hold (undefined, a function, ...): the resource is still kept, without them.
      console.error(
        `the properties of resource ${initFailed.id}, created but failed to initialize, cannot be sent to the engine and are left out: ${messageOf(encodeError)}`,
      );
      value = encode(MESSAGES.ErrorResourceInitFailed, { ...initFailed, properties: {} });
    }
    // gRPC's rich error status (google.rpc.Status with the detail as a google.protobuf.Any): the Go side of the
    // engine reads it from the grpc-status-details-bin trailer.
    failure.details = [{ typeUrl: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed", value }];
  }
  return failure;
}

/** A method: its request and response messages, the work, and the status its failures become. */
const method = (
  request,
  response,
  handle,
  onError = (error) => ({ code: status.UNKNOWN, message: messageOf(error) }),
) => ({
  request: MESSAGES[request],
  response: MESSAGES[response],
  handle,
  onError,
});

const host = new Host();
const methods = {
  Configure: method(
    "ConfigureRequest",
    "ConfigureResponse",
    (request) => host.configure(request),
    printedFailure,
  ),
  Check: method("CheckRequest", "CheckResponse", (request) => host.check(request), printedFailure),
  Diff: method("DiffRequest", "DiffResponse", (request) => host.diff(request), printedFailure),
  Create: method("CreateRequest", "CreateResponse", (request) => host.create(request), resourceFailure),
  Read: method("ReadRequest", "ReadResponse", (request) => host.read(request), printedFailure),
  Update: method("UpdateRequest", "UpdateResponse", (request) => host.update(request), resourceFailure),
  Delete: method("DeleteRequest", "Empty", (request) => host.delete(request), printedFailure),
  Cancel: method("Empty", "Empty", () => ({})),
  GetPluginInfo: method("Empty", "PluginInfo", () => ({ version: sdkVersion })),
  Invoke: method("InvokeRequest", "Empty", (request) => {
    throw new Error(`unknown function ${request.tok}`);
  }),
};

if (process.argv.length < 3) fail("missing the engine's address (the first argument)");
serve({
  service: "pulumirpc.ResourceProvider",
  methods,
  unimplemented: (method) => `${method} is not implemented by the dynamic provider`,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  // The engine reads the port from the first line.
  onListening: (port) => process.stdout.write(`${port}\n`),
  onError: (error) => fail(`cannot serve: ${error.message}`),
});
