// The part of each dynamic provider that Pulumi keeps in state (`__provider`): a thin shell that loads the
// real implementation from the project's compiled code in the provider process. Keeping it thin keeps
// state small, avoids serializing zod, sessions or node-powershell, and means that the current code (not
// the code of the last update) runs read and delete for existing stacks.
//
// The shell is a small CommonJS module written here as text, in the form the dynamic provider host loads
// (`requireFromString(text).handler()` returns the provider). pulumi.dynamic.Resource would serialize a
// closure instead, on every preview and for every resource, by walking it through the V8 inspector: that
// cost more CPU than the rest of a converged refresh's program.
import * as pulumi from "@pulumi/pulumi";

export type ProviderKind = "SchedulerState" | "GroupWritebackFeature" | "WritebackOU" | "WritebackPermission";

/** The Pulumi module of the resource types: pulumi-nodejs:dynamic/entra-writeback:<kind>. */
const MODULE = "entra-writeback";

/** The `__provider` text of a kind. It runs in the provider process, whose working directory is the project. */
export function providerModuleSource(kind: ProviderKind): string {
  return `"use strict";
// entra-writeback ${kind}: loads the compiled providers (dist/providers/registry.js) of the project.
exports.handler = function () {
  const kind = ${JSON.stringify(kind)};
  const load = () => {
    const path = require("path");
    const root = process.env.ENTRA_WRITEBACK_PROJECT_DIR || process.cwd();
    const registry = path.join(root, "dist", "providers", "registry.js");
    try {
      return require(registry);
    } catch (error) {
      throw new Error(
        "entra-writeback: cannot load the compiled providers from " + registry + " (" + error.message + "). " +
          "Run \`npm run build\` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.",
        { cause: error },
      );
    }
  };
  return {
    async configure(request) {
      load().configureProviders({
        password: request.config.get("entra-writeback:password"),
        callTimeoutSeconds: request.config.get("entra-writeback:callTimeoutSeconds"),
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
