// The dynamic provider host behind tools/plugins/pulumi-resource-pulumi-nodejs: the process the Pulumi engine
// starts to run a stack's dynamic resources (types pulumi-nodejs:dynamic/...). It serves the engine's
// ResourceProvider gRPC interface (proto/pulumi/provider.proto) with @grpc/grpc-js and the message classes that
// @pulumi/pulumi ships generated from those protos, and nothing else of the SDK: the SDK's own host
// (@pulumi/pulumi/cmd/dynamic-provider) loads the whole SDK runtime first, about 0.35 s of CPU per process, and the
// engine starts two such processes for every `preview --refresh` (docs/toolchain.md, "What a refresh costs").
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
const vm = require("node:vm");
const { createRequire } = require("node:module");

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
/** A module as @pulumi/pulumi itself resolves it, so its generated messages and ours share one google-protobuf. */
const fromSdk = (request) => require(require.resolve(request, { paths: [sdkDir] }));
const grpc = fromSdk("@grpc/grpc-js");
const { ResourceProviderService } = fromSdk("./proto/provider_grpc_pb");
const messages = fromSdk("./proto/provider_pb");
const { PluginInfo } = fromSdk("./proto/plugin_pb");
const { Status } = fromSdk("./proto/status_pb");
const { Struct } = fromSdk("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromSdk("google-protobuf/google/protobuf/empty_pb");
const { Any } = fromSdk("google-protobuf/google/protobuf/any_pb");
const sdkVersion = fromSdk("./package.json").version;

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

/** Evaluates a provider's module text as a CommonJS module whose require resolves from the project directory. */
function loadProviderModule(text) {
  const filename = path.join(projectDir, "__provider.js");
  const wrapper = vm.compileFunction(text, ["exports", "require", "module", "__filename", "__dirname"], {
    filename,
  });
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, projectDir);
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
    const args = request.getArgs();
    if (!args) throw new Error("ConfigureRequest missing args");
    const config = {};
    for (const [key, value] of Object.entries(args.toJavaScript())) {
      if (key !== PROVIDER_KEY) config[key] = unwrapSecret(value);
    }
    this.config = config;
    const response = new messages.ConfigureResponse();
    response.setAcceptsecrets(false);
    return response;
  }

  async check(request) {
    const olds = request.getOlds().toJavaScript();
    const news = request.getNews().toJavaScript();
    const provider = await this.providerOf(olds, news);
    let inputs = news;
    let failures = [];
    if (typeof provider.check === "function") {
      const result = await provider.check(olds, news);
      if (result.inputs) inputs = result.inputs;
      if (result.failures) failures = result.failures;
    }
    inputs[PROVIDER_KEY] = news[PROVIDER_KEY];
    const response = new messages.CheckResponse();
    response.setInputs(Struct.fromJavaScript(inputs));
    response.setFailuresList(
      failures.map(({ property, reason }) => {
        const failure = new messages.CheckFailure();
        failure.setProperty(property);
        failure.setReason(reason);
        return failure;
      }),
    );
    return response;
  }

  async diff(request) {
    const olds = request.getOlds().toJavaScript();
    const news = request.getNews().toJavaScript();
    const provider = await this.providerOf(olds, news);
    const response = new messages.DiffResponse();
    if (typeof provider.diff === "function") {
      const result = await provider.diff(request.getId(), olds, news);
      const { DIFF_SOME, DIFF_NONE, DIFF_UNKNOWN } = messages.DiffResponse.DiffChanges;
      response.setChanges(
        result.changes === true ? DIFF_SOME : result.changes === false ? DIFF_NONE : DIFF_UNKNOWN,
      );
      if (result.replaces && result.replaces.length > 0) response.setReplacesList(result.replaces);
      if (result.deleteBeforeReplace) response.setDeletebeforereplace(true);
    }
    return response;
  }

  async create(request) {
    const inputs = request.getProperties().toJavaScript();
    const provider = await this.provider(inputs);
    const result = await provider.create(inputs);
    const response = new messages.CreateResponse();
    response.setId(result.id);
    response.setProperties(Struct.fromJavaScript(withProvider(result.outs, inputs)));
    return response;
  }

  async read(request) {
    // On a refresh the engine sends the stored outputs; on a `get` only the inputs.
    let props = request.getProperties() ? request.getProperties().toJavaScript() : {};
    if (Object.keys(props).length === 0 && request.getInputs()) props = request.getInputs().toJavaScript();
    const provider = await this.provider(props);
    const response = new messages.ReadResponse();
    if (typeof provider.read !== "function") {
      response.setId(request.getId());
      response.setProperties(Struct.fromJavaScript(props));
      return response;
    }
    const result = await provider.read(request.getId(), props);
    response.setId(result.id ?? "");
    response.setProperties(Struct.fromJavaScript(withProvider(result.props, props)));
    if (result.inputs) response.setInputs(Struct.fromJavaScript(withProvider(result.inputs, props)));
    return response;
  }

  async update(request) {
    const olds = request.getOlds().toJavaScript();
    const news = request.getNews().toJavaScript();
    const provider = await this.provider(news);
    const result =
      typeof provider.update === "function" ? (await provider.update(request.getId(), olds, news)) || {} : {};
    const response = new messages.UpdateResponse();
    response.setProperties(Struct.fromJavaScript(withProvider(result.outs, news)));
    return response;
  }

  async delete(request) {
    const props = request.getProperties().toJavaScript();
    const provider = await this.provider(props);
    if (typeof provider.delete === "function") await provider.delete(request.getId(), props);
    return new Empty();
  }
}

/** Outputs with the provider text, so that later calls on the resource find its provider. */
function withProvider(values, from) {
  return Object.assign(values || {}, { [PROVIDER_KEY]: from[PROVIDER_KEY] });
}

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** check, diff, read, delete: the error on stderr for the engine to show, and the call fails with its message. */
function printedFailure(error) {
  console.error(`${error}: ${error && error.stack}`);
  return { code: grpc.status.UNKNOWN, details: messageOf(error) };
}

/** create, update: an error with an id is "created but failed to initialize": the engine keeps the resource. */
function resourceFailure(error) {
  const failure = { code: grpc.status.UNKNOWN, details: messageOf(error), metadata: new grpc.Metadata() };
  if (error && error.id) {
    const initFailed = new messages.ErrorResourceInitFailed();
    initFailed.setId(error.id);
    initFailed.setProperties(Struct.fromJavaScript(error.properties || {}));
    initFailed.setReasonsList(error.reasons || []);
    const detail = new Any();
    detail.pack(initFailed.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(messageOf(error));
    status.addDetails(detail);
    // gRPC's rich error status: the Go side of the engine reads the details from this trailer.
    failure.metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return failure;
}

function unary(work, onError) {
  return (call, callback) => {
    Promise.resolve()
      .then(() => work(call.request))
      .then(
        (response) => callback(null, response),
        (error) => {
          const failure = onError(error);
          callback(failure, null, failure.metadata);
        },
      );
  };
}

const host = new Host();
const handlers = {
  configure: unary((request) => host.configure(request), printedFailure),
  check: unary((request) => host.check(request), printedFailure),
  diff: unary((request) => host.diff(request), printedFailure),
  create: unary((request) => host.create(request), resourceFailure),
  read: unary((request) => host.read(request), printedFailure),
  update: unary((request) => host.update(request), resourceFailure),
  delete: unary((request) => host.delete(request), printedFailure),
  cancel: (_call, callback) => callback(null, new Empty()),
  getPluginInfo: (_call, callback) => {
    const info = new PluginInfo();
    info.setVersion(sdkVersion);
    callback(null, info);
  },
  invoke: (call, callback) =>
    callback({ code: grpc.status.UNKNOWN, details: `unknown function ${call.request.getTok()}` }, null),
};
for (const [name, method] of Object.entries(ResourceProviderService)) {
  if (name in handlers) continue;
  const unimplemented = {
    code: grpc.status.UNIMPLEMENTED,
    details: `${method.path.split("/").pop()} is not implemented by the dynamic provider`,
  };
  handlers[name] = method.responseStream
    ? (call) => call.emit("error", unimplemented)
    : (_call, callback) => callback(unimplemented, null);
}

if (process.argv.length < 3) fail("missing the engine's address (the first argument)");
const server = new grpc.Server({
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  // A call may wait in the queue while providers work (PowerShell round trips): give it half an hour, as the SDK does.
  "grpc.server_max_unrequested_time_in_server": 30 * 60,
});
server.addService(ResourceProviderService, handlers);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) fail(`cannot listen: ${error.message}`);
  // The engine reads the port from the first line.
  process.stdout.write(`${port}\n`);
});
