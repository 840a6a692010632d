// The part of each dynamic provider that Pulumi keeps in state (`__provider`): a thin shell that loads the
// real implementation from the project's compiled code in the provider process. Keeping it thin keeps
// state small, avoids serializing zod, sessions or node-powershell, and means that the current code (not
// the code of the last update) runs read and delete for existing stacks.
//
// The shell is a small CommonJS module written here as text, in the form the dynamic provider host loads
// (`requireFromString(text).handler()` returns the provider). pulumi.dynamic.Resource would serialize a
// closure instead, on every preview and for every resource, by walking it through the V8 inspector: that
// cost more CPU than the rest of a converged refresh's program.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ArgsOf, ObjectSchema, OutputsOf, ResourceDefinition } from "./defineResource";
import { PROVIDER_VERSION } from "./version";

export type ProviderKind =
  | "SchedulerState"
  | "GroupWritebackFeature"
  | "WritebackOU"
  | "WritebackPermission"
  | "UnifiedGroupWritebackDefault"
  | "CloudSyncMigrationStep"
  | "CloudSyncConfiguration"
  | "CloudSyncMappings"
  | "CloudSyncScope"
  | "CloudSyncJob"
  | "SyncRule";

/** The Pulumi module of the resource types: pulumi-nodejs:dynamic/entra-writeback:<kind>. */
const MODULE = "entra-writeback";

/** Where the provider shells load the compiled implementation from, relative to the project directory. */
export const COMPILED_REGISTRY = ["dist", "providers", "registry.js"] as const;

/** The one line a user sees when the compiled providers cannot be loaded (the program and the shell both say it). */
export function missingCompiledMessage(registry: string, reason = "it does not exist"): string {
  return (
    `entra-writeback: cannot load the compiled providers from ${registry} (${reason}). ` +
    "Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it."
  );
}

/**
 * Refuses to run the program when the compiled providers are missing, before it declares anything: the engine
 * would otherwise start every resource's provider shell, and each would fail on its own. A RunError prints as
 * its message alone.
 */
export function requireCompiledProviders(
  projectDir = process.env.ENTRA_WRITEBACK_PROJECT_DIR || process.cwd(),
): void {
  const registry = path.join(projectDir, ...COMPILED_REGISTRY);
  if (!fs.existsSync(registry)) throw new pulumi.RunError(missingCompiledMessage(registry));
}

/**
 * The `__provider` text of a kind. It runs in the provider process, whose working directory is the project.
 * Changing this text is what `providerVersion` (version.ts) is bumped for.
 */
export function providerModuleSource(kind: ProviderKind): string {
  const [before, between, after] = missingCompiledMessage("\0", "\0").split("\0");
  return `"use strict";
// entra-writeback ${kind}: loads the compiled providers (dist/providers/registry.js) of the project.
exports.handler = function () {
  const kind = ${JSON.stringify(kind)};
  let loaded;
  let failure;
  // One line, no stack trace: the host prints \`\${error}: \${error.stack}\`.
  const plainError = (message, cause) => {
    const error = new Error(message, { cause });
    Object.defineProperty(error, "stack", { value: message, enumerable: false });
    Object.defineProperty(error, "toString", { value: () => "Error", enumerable: false });
    return error;
  };
  const load = () => {
    if (loaded) return loaded;
    if (failure) throw failure;
    const path = require("path");
    const root = process.env.ENTRA_WRITEBACK_PROJECT_DIR || process.cwd();
    const registry = path.join(root, ${COMPILED_REGISTRY.map((part) => JSON.stringify(part)).join(", ")});
    const message = (reason) =>
      ${JSON.stringify(before)} + registry + ${JSON.stringify(between)} + reason + ${JSON.stringify(after)};
    if (!require("fs").existsSync(registry)) {
      failure = plainError(message("it does not exist"));
      throw failure;
    }
    try {
      loaded = require(registry);
      return loaded;
    } catch (error) {
      // The first line only: Node's "Require stack:" list follows it.
      failure = plainError(message(String(error && error.message).split("\\n")[0]), error);
      throw failure;
    }
  };
  return {
    async configure(request) {
      load().configureProviders({
        password: request.config.get("entra-writeback:password"),
        callTimeoutSeconds: request.config.get("entra-writeback:callTimeoutSeconds"),
        graph: request.config.get("entra-writeback:graph"),
        graphClientSecret: request.config.get("entra-writeback:graphClientSecret"),
      });
    },
    check: (olds, news) => load().implementationFor(kind).check(olds, news),
    diff: (id, olds, news) => load().implementationFor(kind).diff(id, olds, news),
    create: (inputs) => load().implementationFor(kind).create(inputs),
    read: (id, props) => load().implementationFor(kind).read(id, props),
    update: (id, olds, news) => load().implementationFor(kind).update(id, olds, news),
    delete: (id, props) => load().implementationFor(kind).delete(id, props),
  };
};
`;
}

/**
 * A dynamic resource of this project: what pulumi.dynamic.Resource registers (the type
 * pulumi-nodejs:dynamic/entra-writeback:<kind> with `__provider` among the inputs), with the shell above.
 */
export abstract class ShellResource extends pulumi.CustomResource {
  protected constructor(
    kind: ProviderKind,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      `pulumi-nodejs:dynamic/${MODULE}:${kind}`,
      name,
      { ...props, __provider: providerModuleSource(kind) },
      opts,
    );
  }
}

/** The constructor a definition's resource class has: typed args in, typed outputs out. */
export type ResourceClass<Args, Outputs> = new (
  name: string,
  args: Args,
  opts?: pulumi.CustomResourceOptions,
) => ShellResource & Outputs;

/**
 * The resource class of a definition: registers the args with the provider version and a placeholder for each
 * output-only key (so Pulumi resolves those outputs), under the provider shell of its kind.
 */
export function resourceClass<
  I extends ObjectSchema,
  O extends ObjectSchema,
  Plain extends PropertyKey = never,
>(definition: ResourceDefinition<I, O>): ResourceClass<ArgsOf<I, Plain>, OutputsOf<O>> {
  const placeholders = Object.fromEntries(definition.outputOnlyKeys.map((key) => [key, undefined]));
  class Resource extends ShellResource {
    constructor(name: string, args: ArgsOf<I, Plain>, opts?: pulumi.CustomResourceOptions) {
      super(
        definition.kind,
        name,
        { ...(args as pulumi.Inputs), providerVersion: PROVIDER_VERSION, ...placeholders },
        opts,
      );
    }
  }
  Object.defineProperty(Resource, "name", { value: definition.kind });
  return Resource as unknown as ResourceClass<ArgsOf<I, Plain>, OutputsOf<O>>;
}
