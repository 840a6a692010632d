// The wire side of dynamic-provider-host.js: the engine's ResourceProvider gRPC interface
// (proto/pulumi/provider.proto) served on Node's built-in node:http2, with a protobuf codec for exactly the
// messages the host reads and writes. @grpc/grpc-js, google-protobuf and the SDK's generated message classes cost
// about 0.04 s of CPU to load in each provider process, and the engine starts two for every `preview --refresh`
// (docs/toolchain.md, "What a refresh costs"); node:http2 is part of Node (grpc-js loads it too).
//
// gRPC over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md): the engine connects without TLS and speaks HTTP/2 at once (prior
// knowledge). A call is a POST to /pulumirpc.ResourceProvider/<Method> whose body is one length-prefixed message
// (1 byte "compressed" flag, 4 bytes big-endian length, the message). An answer is the headers :status 200 and
// content-type application/grpc, the reply the same way, then the trailers grpc-status 0; a failure is the headers
// alone with grpc-status, grpc-message (percent-encoded) and, for ErrorResourceInitFailed, grpc-status-details-bin
// (a google.rpc.Status, base64). A method the host does not serve answers status 12, UNIMPLEMENTED.
//
// Protobuf (protobuf.dev/programming-guides/encoding): each field is a varint tag (field number << 3 | wire type)
// and a value; the field numbers below are those of the .proto files (@pulumi/pulumi/proto/*_pb.js are generated
// from them). Fields the host does not read are skipped, whatever their wire type. As proto3 does, a scalar field
// with its default value ("", false, 0) is not written and reads back as its default. google.protobuf.Struct
// converts to and from plain JavaScript values as google-protobuf's Struct.fromJavaScript / toJavaScript do (object
// keys read back sorted, a Value without a kind is refused): tests/unit/tools/providerProtocol.test.ts checks the
// codec against google-protobuf's generated classes both ways.
"use strict";
const http2 = require("node:http2");

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

// ---------------------------------------------------------------------------------------------------------------
// Reading

class Reader {
  constructor(buffer, start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.pos = start;
    this.end = end;
  }

  /** A varint as a number (exact up to 2^53): tags, lengths, booleans. */
  uint() {
    const buffer = this.buffer;
    if (this.pos < this.end && buffer[this.pos] < 0x80) return buffer[this.pos++];
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= this.end) throw new Error("truncated message (in a varint)");
      if (shift >= 70) throw new Error("malformed varint (longer than 10 bytes)");
      const byte = buffer[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }

  /** A varint as an int32 or enum keeps it: its low 32 bits, signed (a negative one is ten bytes on the wire). */
  int32() {
    const start = this.pos;
    this.uint();
    let low = 0;
    for (let i = start, shift = 0; i < this.pos && shift < 32; i++, shift += 7)
      low |= (this.buffer[i] & 0x7f) << shift;
    return low | 0;
  }

  /** The next field's tag, as [field number, wire type] packed: number * 8 + wire type. */
  tag() {
    const tag = this.uint();
    if (tag < 8 || tag > 0xffffffff)
      throw new Error(`malformed message (field number ${Math.floor(tag / 8)})`);
    if ((tag & 7) === WIRE_END_GROUP) throw new Error("malformed message (an unexpected end of group)");
    return tag;
  }

  /** Steps into a length-delimited value: the reader ends at its end until leave(the returned outer end). */
  enter() {
    const length = this.uint();
    if (length > this.end - this.pos) throw new Error("truncated message (a length past the end)");
    const outer = this.end;
    this.end = this.pos + length;
    return outer;
  }

  leave(outer) {
    this.end = outer;
  }

  /** The bounds of a length-delimited value, which the reader then steps over. */
  span() {
    const length = this.uint();
    const start = this.pos;
    if (length > this.end - start) throw new Error("truncated message (a length past the end)");
    this.pos = start + length;
    return [start, this.pos];
  }

  string() {
    const length = this.uint();
    if (length > this.end - this.pos) throw new Error("truncated message (a length past the end)");
    const start = this.pos;
    this.pos += length;
    return this.buffer.toString("utf8", start, this.pos);
  }

  bytes() {
    const [start, end] = this.span();
    return Buffer.from(this.buffer.subarray(start, end));
  }

  double() {
    if (this.end - this.pos < 8) throw new Error("truncated message (in a double)");
    const value = this.buffer.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Steps over a field the host does not read. */
  skip(wireType, fieldNumber) {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint();
        return;
      case WIRE_FIXED64:
        return this.advance(8);
      case WIRE_LENGTH_DELIMITED:
        this.span();
        return;
      case WIRE_FIXED32:
        return this.advance(4);
      case WIRE_START_GROUP:
        for (;;) {
          if (this.pos >= this.end) throw new Error("truncated message (in a group)");
          const tag = this.uint();
          const number = Math.floor(tag / 8);
          if (tag % 8 === WIRE_END_GROUP) {
            if (number !== fieldNumber) throw new Error("malformed group (mismatched end)");
            return;
          }
          if (number === 0) throw new Error("malformed message (field number 0)");
          this.skip(tag % 8, number);
        }
      default:
        throw new Error(`malformed message (wire type ${wireType})`);
    }
  }

  advance(count) {
    if (this.end - this.pos < count) throw new Error("truncated message");
    this.pos += count;
  }

  /** Calls onField(fieldNumber, wireType) for each field up to the end; onField reads or skips the value. */
  fields(onField) {
    while (this.pos < this.end) {
      const tag = this.tag();
      onField(Math.floor(tag / 8), tag % 8);
    }
  }
}

// The Struct readers are the host's hot path (every call carries two or three Structs): one reader, no closures.
const VALUE_NULL = (1 << 3) | WIRE_VARINT;
const VALUE_NUMBER = (2 << 3) | WIRE_FIXED64;
const VALUE_STRING = (3 << 3) | WIRE_LENGTH_DELIMITED;
const VALUE_BOOL = (4 << 3) | WIRE_VARINT;
const VALUE_STRUCT = (5 << 3) | WIRE_LENGTH_DELIMITED;
const VALUE_LIST = (6 << 3) | WIRE_LENGTH_DELIMITED;
const ENTRY_KEY = (1 << 3) | WIRE_LENGTH_DELIMITED;
const ENTRY_VALUE = (2 << 3) | WIRE_LENGTH_DELIMITED;
const REPEATED_FIRST = (1 << 3) | WIRE_LENGTH_DELIMITED;

/** google.protobuf.Value: null_value 1, number_value 2, string_value 3, bool_value 4, struct_value 5, list_value 6. */
function readValue(reader) {
  const outer = reader.enter();
  let value;
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    // A oneof: the last kind on the wire wins, as in every protobuf implementation.
    if (tag === VALUE_STRING) value = reader.string();
    else if (tag === VALUE_NUMBER) value = reader.double();
    else if (tag === VALUE_BOOL) value = reader.uint() !== 0;
    else if (tag === VALUE_STRUCT) value = readStruct(reader);
    else if (tag === VALUE_LIST) value = readList(reader);
    else if (tag === VALUE_NULL) {
      reader.uint();
      value = null;
    } else reader.skip(tag % 8, Math.floor(tag / 8));
  }
  reader.leave(outer);
  if (value === undefined) throw new Error("a google.protobuf.Value without a kind");
  return value;
}

/** google.protobuf.ListValue: values 1 (repeated Value). */
function readList(reader) {
  const outer = reader.enter();
  const list = [];
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag === REPEATED_FIRST) list.push(readValue(reader));
    else reader.skip(tag % 8, Math.floor(tag / 8));
  }
  reader.leave(outer);
  return list;
}

/** A key as an own property, "__proto__" included. */
function setProperty(object, key, value) {
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true });
  else object[key] = value;
}

/** google.protobuf.Struct: fields 1, a map<string, Value> (entries: key 1, value 2). Keys come back sorted. */
function readStruct(reader) {
  const outer = reader.enter();
  const object = readStructFields(reader);
  reader.leave(outer);
  return object;
}

function readStructFields(reader) {
  const keys = [];
  const values = new Map();
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag !== REPEATED_FIRST) {
      reader.skip(tag % 8, Math.floor(tag / 8));
      continue;
    }
    const outer = reader.enter();
    let key = "";
    let value;
    while (reader.pos < reader.end) {
      const entryTag = reader.tag();
      if (entryTag === ENTRY_KEY) key = reader.string();
      else if (entryTag === ENTRY_VALUE) value = readValue(reader);
      else reader.skip(entryTag % 8, Math.floor(entryTag / 8));
    }
    reader.leave(outer);
    if (value === undefined) throw new Error(`a google.protobuf.Struct entry without a value (key "${key}")`);
    // A key seen again: the last entry wins.
    if (!values.has(key)) keys.push(key);
    values.set(key, value);
  }
  keys.sort();
  const object = {};
  for (const key of keys) setProperty(object, key, values.get(key));
  return object;
}

function readStructBody(buffer, start, end) {
  return readStructFields(new Reader(buffer, start, end));
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

class Writer {
  /** `reserve` bytes stay free at the start (the gRPC frame's prefix). */
  constructor(reserve = 0) {
    this.buffer = Buffer.allocUnsafe(Math.max(256, reserve));
    this.pos = reserve;
  }

  ensure(count) {
    if (this.pos + count <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + count));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  varint(value) {
    this.ensure(10);
    if (value < 0) {
      // A negative int32 or enum: ten bytes, as its 64-bit two's complement.
      let big = BigInt.asUintN(64, BigInt(value));
      while (big >= 0x80n) {
        this.buffer[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buffer[this.pos++] = Number(big);
      return;
    }
    while (value >= 0x80) {
      this.buffer[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.pos++] = value;
  }

  tag(fieldNumber, wireType) {
    this.varint(fieldNumber * 8 + wireType);
  }

  string(fieldNumber, text) {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    const length = Buffer.byteLength(text, "utf8");
    this.varint(length);
    this.ensure(length);
    this.pos += this.buffer.write(text, this.pos, length, "utf8");
  }

  bytes(fieldNumber, bytes) {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  double(fieldNumber, value) {
    this.tag(fieldNumber, WIRE_FIXED64);
    this.ensure(8);
    this.pos = this.buffer.writeDoubleLE(value, this.pos);
  }

  /** A length-delimited field whose content `write` adds; its length goes in front once known. */
  nested(fieldNumber, write) {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    const start = this.pos;
    write();
    const length = this.pos - start;
    const prefix = varintSize(length);
    this.ensure(prefix);
    this.buffer.copyWithin(start + prefix, start, this.pos);
    const end = this.pos + prefix;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  finish() {
    return this.buffer.subarray(0, this.pos);
  }
}

function varintSize(value) {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** The kind of a JavaScript value, as google-protobuf's Value.fromJavaScript tells them apart. */
function writeValue(writer, fieldNumber, value) {
  writer.nested(fieldNumber, () => {
    if (value === null) {
      writer.tag(1, WIRE_VARINT);
      writer.varint(0);
    } else if (typeof value === "number") writer.double(2, value);
    else if (typeof value === "string") writer.string(3, value);
    else if (typeof value === "boolean") {
      writer.tag(4, WIRE_VARINT);
      writer.varint(value ? 1 : 0);
    } else if (Array.isArray(value))
      writer.nested(6, () => value.forEach((item) => writeValue(writer, 1, item)));
    else if (typeof value === "object") writer.nested(5, () => writeStructBody(writer, value));
    else throw new TypeError(`a value of type ${typeof value} cannot be sent as a property`);
  });
}

function writeStructBody(writer, object) {
  // for...in, as google-protobuf's Struct.fromJavaScript reads an object.
  for (const key in object) {
    writer.nested(1, () => {
      writer.string(1, key);
      writeValue(writer, 2, object[key]);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Messages: for each, its fields by number, as [name, type]; a type is a scalar name, "struct", or another message.
// `repeated` marks a repeated field. Only the fields the host reads or writes are listed.

const repeated = (type) => ({ repeated: type });

const CheckFailure = { 1: ["property", "string"], 2: ["reason", "string"] };
const Any = { 1: ["typeUrl", "string"], 2: ["value", "bytes"] };

const MESSAGES = {
  Empty: {},
  ConfigureRequest: { 2: ["args", "struct"] },
  ConfigureResponse: {
    1: ["acceptSecrets", "bool"],
    2: ["supportsPreview", "bool"],
    3: ["acceptResources", "bool"],
    4: ["acceptOutputs", "bool"],
  },
  CheckRequest: { 1: ["urn", "string"], 2: ["olds", "struct"], 3: ["news", "struct"] },
  CheckResponse: { 1: ["inputs", "struct"], 2: ["failures", repeated(CheckFailure)] },
  CheckFailure,
  DiffRequest: { 1: ["id", "string"], 2: ["urn", "string"], 3: ["olds", "struct"], 4: ["news", "struct"] },
  DiffResponse: {
    1: ["replaces", repeated("string")],
    3: ["deleteBeforeReplace", "bool"],
    4: ["changes", "int32"],
  },
  CreateRequest: { 1: ["urn", "string"], 2: ["properties", "struct"], 4: ["preview", "bool"] },
  CreateResponse: { 1: ["id", "string"], 2: ["properties", "struct"] },
  ReadRequest: {
    1: ["id", "string"],
    2: ["urn", "string"],
    3: ["properties", "struct"],
    4: ["inputs", "struct"],
  },
  ReadResponse: { 1: ["id", "string"], 2: ["properties", "struct"], 3: ["inputs", "struct"] },
  UpdateRequest: {
    1: ["id", "string"],
    2: ["urn", "string"],
    3: ["olds", "struct"],
    4: ["news", "struct"],
    7: ["preview", "bool"],
  },
  UpdateResponse: { 1: ["properties", "struct"] },
  DeleteRequest: { 1: ["id", "string"], 2: ["urn", "string"], 3: ["properties", "struct"] },
  InvokeRequest: { 1: ["tok", "string"] },
  PluginInfo: { 1: ["version", "string"] },
  ErrorResourceInitFailed: {
    1: ["id", "string"],
    2: ["properties", "struct"],
    3: ["reasons", repeated("string")],
  },
  /** google.rpc.Status */
  Status: { 1: ["code", "int32"], 2: ["message", "string"], 3: ["details", repeated(Any)] },
  /** google.protobuf.Any */
  Any,
};

const SCALAR_DEFAULTS = { string: "", bytes: Buffer.alloc(0), bool: false, int32: 0 };
const EXPECTED_WIRE_TYPE = {
  string: WIRE_LENGTH_DELIMITED,
  bytes: WIRE_LENGTH_DELIMITED,
  struct: WIRE_LENGTH_DELIMITED,
  bool: WIRE_VARINT,
  int32: WIRE_VARINT,
};

function readField(reader, type) {
  switch (type) {
    case "string":
      return reader.string();
    case "bytes":
      return reader.bytes();
    case "bool":
      return reader.uint() !== 0;
    case "int32":
      return reader.int32();
    case "struct":
      return readStruct(reader);
    default: {
      const [start, end] = reader.span();
      return decodeBody(type, reader.buffer, start, end);
    }
  }
}

/**
 * A message as a plain object: each listed field by name (a scalar absent from the wire is its default, a repeated
 * field an array, a message or Struct absent is undefined).
 */
function decodeBody(schema, buffer, start, end) {
  const message = {};
  for (const [name, type] of Object.values(schema)) {
    if (type.repeated) message[name] = [];
    else if (type in SCALAR_DEFAULTS) message[name] = SCALAR_DEFAULTS[type];
  }
  const reader = new Reader(buffer, start, end);
  reader.fields((number, wireType) => {
    const field = schema[number];
    if (!field) return reader.skip(wireType, number);
    const [name, type] = field;
    const itemType = type.repeated || type;
    const expected = EXPECTED_WIRE_TYPE[itemType] ?? WIRE_LENGTH_DELIMITED;
    if (wireType !== expected) return reader.skip(wireType, number);
    const value = readField(reader, itemType);
    if (type.repeated) message[name].push(value);
    else message[name] = value;
  });
  return message;
}

/** Any Uint8Array as a Buffer over the same memory (for its UTF-8 and double readers). */
const asBuffer = (bytes) =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function decode(schema, bytes) {
  return decodeBody(schema, asBuffer(bytes), 0, bytes.length);
}

function writeField(writer, number, type, value) {
  switch (type) {
    case "string":
      if (value !== "") writer.string(number, value);
      return;
    case "bytes":
      if (value.length > 0) writer.bytes(number, value);
      return;
    case "bool":
    case "int32":
      if (value) {
        writer.tag(number, WIRE_VARINT);
        writer.varint(type === "bool" ? 1 : value);
      }
      return;
    case "struct":
      writer.nested(number, () => writeStructBody(writer, value));
      return;
    default:
      writer.nested(number, () => encodeInto(writer, type, value));
  }
}

function encodeInto(writer, schema, message) {
  for (const [number, [name, type]] of Object.entries(schema)) {
    const value = message[name];
    if (value === undefined || value === null) continue;
    if (type.repeated)
      for (const item of value) writeRepeatedItem(writer, Number(number), type.repeated, item);
    else writeField(writer, Number(number), type, value);
  }
}

/** An item of a repeated field is written even when it is its type's default (an empty string stays in the list). */
function writeRepeatedItem(writer, number, type, item) {
  if (type === "string") writer.string(number, item);
  else if (type === "bytes") writer.bytes(number, item);
  else writeField(writer, number, type, item);
}

/** A message's bytes; with `reserve`, that many bytes stay free in front (for the gRPC frame's prefix). */
function encode(schema, message, reserve = 0) {
  const writer = new Writer(reserve);
  encodeInto(writer, schema, message);
  return writer.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// gRPC on node:http2

/** The gRPC status codes the host answers with (grpc/doc/statuscodes.md). */
const status = {
  OK: 0,
  UNKNOWN: 2,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
};

const FRAME_PREFIX_BYTES = 5;

/** grpc-message: bytes outside printable ASCII, and "%", as %XX of their UTF-8 (PROTOCOL-HTTP2.md). */
function percentEncode(text) {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    encoded +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** The reply and status of one call; nothing if the engine already cancelled it. */
function answer(stream, headers, options) {
  if (stream.destroyed || stream.closed) return;
  try {
    return stream.respond(headers, options);
  } catch {
    // The engine reset the stream between the check and the answer: nobody is waiting for it.
  }
}

/** A reply: `frame` is the encoded response with FRAME_PREFIX_BYTES free in front. */
function replyOk(stream, frame) {
  frame[0] = 0;
  frame.writeUInt32BE(frame.length - FRAME_PREFIX_BYTES, 1);
  if (stream.destroyed || stream.closed) return;
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  answer(stream, { ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  if (!stream.destroyed) stream.end(frame);
}

/** A failed call: the status in the headers alone (a "trailers-only" answer). */
function replyError(stream, { code, message, details }) {
  const headers = {
    ":status": 200,
    "content-type": "application/grpc",
    "grpc-status": String(code),
    "grpc-message": percentEncode(String(message)),
  };
  if (details) {
    // gRPC's rich error status; base64 without padding, as the protocol writes binary headers.
    const encoded = encode(MESSAGES.Status, { code, message: String(message), details });
    headers["grpc-status-details-bin"] = encoded.toString("base64").replace(/=+$/, "");
  }
  answer(stream, headers, { endStream: true });
}

/**
 * The status a failed call answers with. A method's onError that throws (an error it cannot describe) still answers
 * the call: the error is never a reason to end the process, which would fail every other call in flight.
 */
function failureOf(method, error) {
  try {
    return method.onError(error);
  } catch (describeError) {
    const text = (value) => {
      try {
        return String(value instanceof Error ? value.message : value);
      } catch {
        return "an error that cannot be printed";
      }
    };
    process.stderr.write(`cannot describe the failure of a call: ${text(describeError)}\n`);
    return { code: status.UNKNOWN, message: text(error) };
  }
}

/** The one message of a unary call's body, or the status to answer instead. */
function unaryMessage(body) {
  if (body.length < FRAME_PREFIX_BYTES)
    return { error: { code: status.INTERNAL, message: "the call carries no request message" } };
  if (body[0] !== 0)
    return { error: { code: status.UNIMPLEMENTED, message: "compressed messages are not supported" } };
  const length = body.readUInt32BE(1);
  if (body.length !== FRAME_PREFIX_BYTES + length)
    return { error: { code: status.INTERNAL, message: "the call must carry exactly one request message" } };
  return { message: body.subarray(FRAME_PREFIX_BYTES) };
}

/**
 * Serves `methods` (method name → { request, response, handle(request) → response or a promise of it,
 * onError(error) → { code, message, details? } }) as the gRPC service `service` on 127.0.0.1, on a port of the system's choice;
 * `onListening(port)` once it listens. Every other method answers UNIMPLEMENTED with unimplemented(name).
 */
function serve({ service, methods, unimplemented, maxMessageBytes, onListening, onError }) {
  const server = http2.createServer({
    // As grpc-js: no limit on the session's memory (Node degrades badly when it is reached) or on a header block.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
    maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
  });
  server.on("stream", (stream, headers) => {
    // A call the engine cancels resets its stream: nothing to answer then.
    stream.on("error", () => {});
    const path = String(headers[":path"]);
    const slash = path.lastIndexOf("/");
    const method = path.slice(0, slash) === `/${service}` ? methods[path.slice(slash + 1)] : undefined;
    const contentType = String(headers["content-type"] || "");
    if (headers[":method"] !== "POST" || !/^application\/grpc($|[+;])/.test(contentType)) {
      answer(stream, { ":status": 415 }, { endStream: true });
      stream.resume();
      return;
    }
    if (!method) {
      replyError(stream, { code: status.UNIMPLEMENTED, message: unimplemented(path.slice(slash + 1)) });
      stream.resume();
      return;
    }
    const chunks = [];
    let received = 0;
    let refused = false;
    stream.on("data", (chunk) => {
      if (refused) return;
      received += chunk.length;
      if (received > maxMessageBytes + FRAME_PREFIX_BYTES) {
        refused = true;
        chunks.length = 0;
        replyError(stream, {
          code: status.RESOURCE_EXHAUSTED,
          message: `the request is larger than ${maxMessageBytes} bytes`,
        });
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => {
      if (refused) return;
      const { message, error } = unaryMessage(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      if (error) return replyError(stream, error);
      let request;
      try {
        request = decode(method.request, message);
      } catch (decodeError) {
        return replyError(stream, {
          code: status.INTERNAL,
          message: `cannot read the request: ${decodeError.message}`,
        });
      }
      Promise.resolve()
        .then(() => method.handle(request))
        // Encoding the answer is part of the call: a value that cannot be sent fails the call, not the process.
        .then((response) => encode(method.response, response, FRAME_PREFIX_BYTES))
        .then(
          (frame) => replyOk(stream, frame),
          (error) => replyError(stream, failureOf(method, error)),
        )
        .catch(onError);
    });
  });
  server.on("sessionError", () => {});
  server.on("error", onError);
  server.listen(0, "127.0.0.1", () => onListening(server.address().port));
  return server;
}

module.exports = {
  MESSAGES,
  status,
  decode,
  encode,
  /** A google.protobuf.Struct's bytes as a plain object, and back (for tests of the codec). */
  decodeStruct: (bytes) => readStructBody(asBuffer(bytes), 0, bytes.length),
  encodeStruct: (object) => {
    const writer = new Writer();
    writeStructBody(writer, object);
    return writer.finish();
  },
  percentEncode,
  serve,
};
