// tools/plugins/provider-protocol.js, the protobuf codec of our provider host, against google-protobuf's generated
// classes (the ones @pulumi/pulumi ships, compiled from the same .proto files): what ours writes, theirs reads the
// same; what theirs writes (with every field of the message set, those the host does not read included), ours reads
// the same; fields it does not know, of every wire type, are stepped over; damaged bytes are refused.
import * as path from "node:path";
import fc from "fast-check";
import * as messages from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

type Schema = Record<number, unknown>;
interface Protocol {
  MESSAGES: Record<string, Schema>;
  decode(schema: Schema, bytes: Uint8Array): Record<string, unknown>;
  encode(schema: Schema, message: Record<string, unknown>): Buffer;
  decodeStruct(bytes: Uint8Array): Record<string, unknown>;
  encodeStruct(object: Record<string, unknown>): Buffer;
  percentEncode(text: string): string;
}
const protocol = require(
  path.join(__dirname, "..", "..", "..", "tools", "plugins", "provider-protocol.js"),
) as Protocol;
const { MESSAGES, decode, encode, decodeStruct, encodeStruct } = protocol;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any text, every Unicode plane included (no lone surrogates: they have no UTF-8 form). */
const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());
/** Any key but "__proto__", which google-protobuf's toJavaScript cannot give back (it sets the prototype). */
const key = text.filter((k) => k !== "__proto__");
const number = fc.oneof(
  fc.double(), // -0, NaN, infinities, subnormals, the largest doubles
  fc.integer(),
  fc.constantFrom(0, -0, 2 ** 53, -(2 ** 53), 1e308, 5e-324, 0.1),
);
const { json } = fc.letrec<{ json: Json; object: Record<string, Json> }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie("json"), { maxLength: 5 }),
    tie("object"),
  ),
  object: fc.dictionary(key, tie("json"), { maxKeys: 5 }),
}));
const object = fc.dictionary(key, json, { maxKeys: 8 });

/** Every object's keys in order, depth first: toEqual does not look at the order. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value !== null && typeof value === "object")
    return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return null;
}

const theirs = (value: Record<string, unknown>) =>
  Struct.fromJavaScript(value as Record<string, JavaScriptValue>);

test("a Struct ours writes reads back the same in google-protobuf, and one it writes reads the same in ours", () => {
  fc.assert(
    fc.property(object, (value) => {
      // Ours → theirs.
      expect(Struct.deserializeBinary(encodeStruct(value)).toJavaScript()).toEqual(value);
      // Theirs → ours: the same values, keys in the same (sorted) order, -0 and NaN kept.
      const expected = Struct.deserializeBinary(theirs(value).serializeBinary()).toJavaScript();
      const actual = decodeStruct(theirs(value).serializeBinary());
      expect(actual).toEqual(expected);
      expect(keyOrder(actual)).toEqual(keyOrder(expected));
      // Ours → ours: the entries go on the wire in the object's order (as Go's marshaller, in any order) and come
      // back sorted, as google-protobuf gives them.
      const ownBytes = encodeStruct(value);
      expect(keyOrder(decodeStruct(ownBytes))).toEqual(
        keyOrder(Struct.deserializeBinary(ownBytes).toJavaScript()),
      );
    }),
    { numRuns: 300 },
  );
});

test("the values that are easy to get wrong survive both ways", () => {
  const value = {
    negativeZero: -0,
    nan: NaN,
    big: 1.7976931348623157e308,
    fraction: -1234.5678,
    beyondSafe: 2 ** 60,
    emoji: "groupe \u{1F600} \u00e9\u4e2d",
    empty: {},
    emptyList: [],
    nested: { list: [null, true, false, 0, "", [{}], { a: [[]] }] },
    "": "empty key",
    "k\u00e9y \u{1F511}": 1,
  };
  const back = decodeStruct(encodeStruct(value));
  expect(back).toEqual(value);
  expect(Object.is(back.negativeZero, -0)).toBe(true);
  expect(Struct.deserializeBinary(encodeStruct(value)).toJavaScript()).toEqual(value);
  // The filter above can tell -0 from 0.
  expect(Object.is(decodeStruct(encodeStruct({ zero: 0 })).zero, -0)).toBe(false);
});

test("a value google-protobuf cannot send is refused the same way by ours", () => {
  for (const bad of [undefined, () => 1, 10n, Symbol("s")]) {
    expect(() => theirs({ bad })).toThrow();
    expect(() => encodeStruct({ bad })).toThrow(/cannot be sent as a property/);
  }
});

/** The engine's requests with every field set, those the host reads and those it does not. */
const requests = fc.record({
  urn: text,
  id: text,
  name: text,
  type: text,
  olds: object,
  news: object,
  properties: object,
  inputs: object,
  timeout: number,
  preview: fc.boolean(),
  ignoreChanges: fc.array(text, { maxLength: 3 }),
  seed: fc.uint8Array({ maxLength: 40 }),
  status: fc.string(),
});

test("ours reads the engine's requests as google-protobuf writes them, skipping the fields it does not read", () => {
  fc.assert(
    fc.property(requests, (r) => {
      const check = new messages.CheckRequest();
      check.setUrn(r.urn);
      check.setOlds(theirs(r.olds));
      check.setNews(theirs(r.news));
      check.setRandomseed(r.seed);
      check.setName(r.name);
      check.setType(r.type);
      check.setOldOutputs(theirs(r.properties));
      check.setAutonaming(new messages.CheckRequest.AutonamingOptions().setProposedName(r.name).setMode(2));
      expect(decode(MESSAGES.CheckRequest!, check.serializeBinary())).toEqual({
        urn: r.urn,
        olds: check.getOlds()!.toJavaScript(),
        news: check.getNews()!.toJavaScript(),
      });

      const diff = new messages.DiffRequest();
      diff.setId(r.id);
      diff.setUrn(r.urn);
      diff.setOlds(theirs(r.olds));
      diff.setNews(theirs(r.news));
      diff.setIgnorechangesList(r.ignoreChanges);
      diff.setOldInputs(theirs(r.inputs));
      diff.setName(r.name);
      diff.setType(r.type);
      expect(decode(MESSAGES.DiffRequest!, diff.serializeBinary())).toEqual({
        id: r.id,
        urn: r.urn,
        olds: diff.getOlds()!.toJavaScript(),
        news: diff.getNews()!.toJavaScript(),
      });

      const create = new messages.CreateRequest();
      create.setUrn(r.urn);
      create.setProperties(theirs(r.properties));
      create.setTimeout(r.timeout);
      create.setPreview(r.preview);
      create.setName(r.name);
      create.setResourceStatusAddress(r.status);
      expect(decode(MESSAGES.CreateRequest!, create.serializeBinary())).toEqual({
        urn: r.urn,
        properties: create.getProperties()!.toJavaScript(),
        preview: r.preview,
      });

      const read = new messages.ReadRequest();
      read.setId(r.id);
      read.setUrn(r.urn);
      read.setProperties(theirs(r.properties));
      read.setInputs(theirs(r.inputs));
      read.setTimeout(r.timeout);
      read.setResourceStatusToken(r.status);
      expect(decode(MESSAGES.ReadRequest!, read.serializeBinary())).toEqual({
        id: r.id,
        urn: r.urn,
        properties: read.getProperties()!.toJavaScript(),
        inputs: read.getInputs()!.toJavaScript(),
      });

      const update = new messages.UpdateRequest();
      update.setId(r.id);
      update.setUrn(r.urn);
      update.setOlds(theirs(r.olds));
      update.setNews(theirs(r.news));
      update.setTimeout(r.timeout);
      update.setIgnorechangesList(r.ignoreChanges);
      update.setPreview(r.preview);
      update.setOldInputs(theirs(r.inputs));
      expect(decode(MESSAGES.UpdateRequest!, update.serializeBinary())).toEqual({
        id: r.id,
        urn: r.urn,
        olds: update.getOlds()!.toJavaScript(),
        news: update.getNews()!.toJavaScript(),
        preview: r.preview,
      });

      const remove = new messages.DeleteRequest();
      remove.setId(r.id);
      remove.setUrn(r.urn);
      remove.setProperties(theirs(r.properties));
      remove.setTimeout(r.timeout);
      remove.setOldInputs(theirs(r.inputs));
      expect(decode(MESSAGES.DeleteRequest!, remove.serializeBinary())).toEqual({
        id: r.id,
        urn: r.urn,
        properties: remove.getProperties()!.toJavaScript(),
      });

      const configure = new messages.ConfigureRequest();
      configure.setArgs(theirs(r.properties));
      configure.getVariablesMap().set(r.name, r.urn);
      configure.setAcceptsecrets(r.preview);
      configure.setAcceptresources(true);
      expect(decode(MESSAGES.ConfigureRequest!, configure.serializeBinary())).toEqual({
        args: configure.getArgs()!.toJavaScript(),
      });

      const invoke = new messages.InvokeRequest();
      invoke.setTok(r.name);
      invoke.setArgs(theirs(r.inputs));
      invoke.setPreview(r.preview);
      expect(decode(MESSAGES.InvokeRequest!, invoke.serializeBinary())).toEqual({ tok: r.name });
    }),
    { numRuns: 100 },
  );
});

test("a message without its fields reads as their defaults, a Struct absent as undefined", () => {
  expect(decode(MESSAGES.ReadRequest!, new messages.ReadRequest().serializeBinary())).toEqual({
    id: "",
    urn: "",
  });
  expect(decode(MESSAGES.Empty!, new Empty().serializeBinary())).toEqual({});
  // An empty Struct the engine sends is present (an empty object), not absent.
  const read = new messages.ReadRequest();
  read.setProperties(new Struct());
  expect(decode(MESSAGES.ReadRequest!, read.serializeBinary()).properties).toEqual({});
});

test("google-protobuf reads the host's answers as ours writes them", () => {
  const failure = fc.record({ property: text, reason: text });
  const answers = fc.record({
    id: text,
    version: text,
    properties: object,
    inputs: object,
    failures: fc.array(failure, { maxLength: 3 }),
    replaces: fc.array(text, { maxLength: 3 }),
    deleteBeforeReplace: fc.boolean(),
    changes: fc.constantFrom(0, 1, 2),
    code: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    message: text,
  });
  fc.assert(
    fc.property(answers, (a) => {
      const check = messages.CheckResponse.deserializeBinary(
        encode(MESSAGES.CheckResponse!, { inputs: a.inputs, failures: a.failures }),
      );
      expect(check.getInputs()!.toJavaScript()).toEqual(a.inputs);
      expect(check.getFailuresList().map((f) => f.toObject())).toEqual(a.failures);

      const diff = messages.DiffResponse.deserializeBinary(
        encode(MESSAGES.DiffResponse!, {
          changes: a.changes,
          replaces: a.replaces,
          deleteBeforeReplace: a.deleteBeforeReplace,
        }),
      );
      expect(diff.toObject()).toMatchObject({
        changes: a.changes,
        replacesList: a.replaces,
        deletebeforereplace: a.deleteBeforeReplace,
      });

      const create = messages.CreateResponse.deserializeBinary(
        encode(MESSAGES.CreateResponse!, { id: a.id, properties: a.properties }),
      );
      expect([create.getId(), create.getProperties()!.toJavaScript()]).toEqual([a.id, a.properties]);

      const read = messages.ReadResponse.deserializeBinary(
        encode(MESSAGES.ReadResponse!, { id: a.id, properties: a.properties, inputs: a.inputs }),
      );
      expect([read.getId(), read.getProperties()!.toJavaScript(), read.getInputs()!.toJavaScript()]).toEqual([
        a.id,
        a.properties,
        a.inputs,
      ]);
      // Read of a resource that is gone: no inputs.
      const gone = messages.ReadResponse.deserializeBinary(
        encode(MESSAGES.ReadResponse!, { id: "", properties: {}, inputs: undefined }),
      );
      expect(gone.hasInputs()).toBe(false);

      const update = messages.UpdateResponse.deserializeBinary(
        encode(MESSAGES.UpdateResponse!, { properties: a.properties }),
      );
      expect(update.getProperties()!.toJavaScript()).toEqual(a.properties);

      expect(
        PluginInfo.deserializeBinary(encode(MESSAGES.PluginInfo!, { version: a.version })).getVersion(),
      ).toBe(a.version);
      const configure = messages.ConfigureResponse.deserializeBinary(
        encode(MESSAGES.ConfigureResponse!, { acceptSecrets: a.deleteBeforeReplace, supportsPreview: true }),
      );
      expect(configure.toObject()).toMatchObject({
        acceptsecrets: a.deleteBeforeReplace,
        supportspreview: true,
        acceptresources: false,
      });

      // The init failure: a google.rpc.Status with an ErrorResourceInitFailed packed in an Any.
      const initFailed = encode(MESSAGES.ErrorResourceInitFailed!, {
        id: a.id,
        properties: a.properties,
        reasons: a.replaces,
      });
      const status = Status.deserializeBinary(
        encode(MESSAGES.Status!, {
          code: a.code,
          message: a.message,
          details: [{ typeUrl: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed", value: initFailed }],
        }),
      );
      expect([status.getCode(), status.getMessage()]).toEqual([a.code, a.message]);
      const detail = status.getDetailsList()[0]!;
      expect(detail.getTypeUrl()).toBe("type.googleapis.com/pulumirpc.ErrorResourceInitFailed");
      const unpacked = messages.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
      expect([unpacked.getId(), unpacked.getProperties()!.toJavaScript(), unpacked.getReasonsList()]).toEqual(
        [a.id, a.properties, a.replaces],
      );
      // And ours reads what google-protobuf writes of them.
      const any = new Any();
      any.pack(unpacked.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
      const theirStatus = new Status();
      theirStatus.setCode(a.code);
      theirStatus.setMessage(a.message);
      theirStatus.addDetails(any);
      const ours = decode(MESSAGES.Status!, theirStatus.serializeBinary());
      expect(ours.code).toBe(a.code);
      expect(ours.message).toBe(a.message);
      const [oursDetail] = ours.details as { typeUrl: string; value: Buffer }[];
      expect(oursDetail!.typeUrl).toBe("type.googleapis.com/pulumirpc.ErrorResourceInitFailed");
      expect(decode(MESSAGES.ErrorResourceInitFailed!, oursDetail!.value)).toEqual({
        id: a.id,
        properties: unpacked.getProperties()!.toJavaScript(),
        reasons: a.replaces,
      });
    }),
    { numRuns: 100 },
  );
});

/** Hand-written wire bytes: a tag, then a value. */
const varint = (value: bigint): number[] => {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    bytes.push(Number(rest & 0x7fn) | (rest >= 0x80n ? 0x80 : 0));
    rest >>= 7n;
  } while (rest > 0n);
  return bytes;
};
const tag = (field: number, wireType: number) => varint(BigInt(field * 8 + wireType));
const lengthDelimited = (field: number, bytes: number[]) => [
  ...tag(field, 2),
  ...varint(BigInt(bytes.length)),
  ...bytes,
];
/** One unknown field of each wire type (a nested group included), numbered so no message knows them. */
const unknownFields = (field: number) => [
  ...tag(field, 0),
  ...varint(-1n), // ten bytes
  ...tag(field + 1, 1),
  ...[1, 2, 3, 4, 5, 6, 7, 8],
  ...lengthDelimited(field + 2, [0xff, 0x00, 0x08]),
  ...tag(field + 3, 3), // a group, with a group inside
  ...tag(1, 0),
  7,
  ...tag(2, 3),
  ...tag(1, 5),
  ...[9, 9, 9, 9],
  ...tag(2, 4),
  ...tag(field + 3, 4),
  ...tag(field + 4, 5),
  ...[1, 2, 3, 4],
];

test("fields ours does not know are stepped over, whatever their wire type, at every level", () => {
  fc.assert(
    fc.property(object, fc.integer({ min: 10, max: 2 ** 29 - 5 }), (value, field) => {
      const olds = [...theirs(value).serializeBinary()];
      const struct = [...theirs({ x: [1, "a", { y: null }] }).serializeBinary()];
      /** A CheckRequest with unknown fields around its own and around and inside its news Struct's. */
      const request = (entry: number[]) =>
        Uint8Array.from([
          ...unknownFields(field),
          ...lengthDelimited(2, olds),
          ...unknownFields(field),
          ...lengthDelimited(3, [...unknownFields(field), ...struct, ...entry, ...unknownFields(field)]),
          ...lengthDelimited(1, [0x75]), // urn "u"
        ]);
      // An entry "z": true, with unknown fields in the entry and in its Value.
      const entry = lengthDelimited(1, [
        ...lengthDelimited(1, [0x7a]),
        ...unknownFields(field),
        ...lengthDelimited(2, [...unknownFields(field), ...tag(4, 0), 1]),
      ]);
      expect(decode(MESSAGES.CheckRequest!, request(entry))).toEqual({
        urn: "u",
        olds: Struct.deserializeBinary(Uint8Array.from(olds)).toJavaScript(),
        news: { x: [1, "a", { y: null }], z: true },
      });
      // google-protobuf steps over the same fields of the request and the Struct to the same result (its map reader
      // does not step over unknown fields inside an entry, so the entry here has none).
      const plainEntry = lengthDelimited(1, [
        ...lengthDelimited(1, [0x7a]),
        ...lengthDelimited(2, [...tag(4, 0), 1]),
      ]);
      const theirRequest = messages.CheckRequest.deserializeBinary(request(plainEntry));
      expect(decode(MESSAGES.CheckRequest!, request(plainEntry))).toEqual({
        urn: theirRequest.getUrn(),
        olds: theirRequest.getOlds()!.toJavaScript(),
        news: theirRequest.getNews()!.toJavaScript(),
      });
    }),
    { numRuns: 50 },
  );
});

test("damaged bytes are refused with a message, never read as something else", () => {
  // One field only, so that every cut falls inside it (a cut between two fields leaves a valid message).
  const good = [...encode(MESSAGES.CheckRequest!, { news: { a: "text", b: [1.5, null] } })];
  for (let cut = 1; cut < good.length; cut++) {
    expect(() => decode(MESSAGES.CheckRequest!, Uint8Array.from(good.slice(0, cut)))).toThrow(
      /truncated|malformed|kind/,
    );
  }
  expect(() => decode(MESSAGES.CheckRequest!, Uint8Array.from([...tag(9, 6), 0]))).toThrow(/wire type 6/);
  expect(() => decode(MESSAGES.CheckRequest!, Uint8Array.from([...tag(9, 3), ...tag(8, 4)]))).toThrow(
    /mismatched/,
  );
  expect(() => decode(MESSAGES.CheckRequest!, Uint8Array.from([...tag(9, 4)]))).toThrow(/end of group/);
  expect(() => decodeStruct(Uint8Array.from(lengthDelimited(1, lengthDelimited(1, [0x61]))))).toThrow(
    /without a value/,
  );
  expect(() =>
    decodeStruct(
      Uint8Array.from(lengthDelimited(1, [...lengthDelimited(1, [0x61]), ...lengthDelimited(2, [])])),
    ),
  ).toThrow(/without a kind/);
});

test("grpc-message: printable ASCII as is, anything else and % as %XX of UTF-8, which decodes back", () => {
  expect(protocol.percentEncode("unknown function test:index:fn")).toBe("unknown function test:index:fn");
  expect(protocol.percentEncode("100% \u00e9\n")).toBe("100%25 %C3%A9%0A");
  fc.assert(
    fc.property(text, (message) => {
      const encoded = protocol.percentEncode(message);
      expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeURIComponent(encoded)).toBe(message);
    }),
  );
});
