import * as grpc from '@grpc/grpc-js';
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import statusPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/status_pb.js';
import featuresGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb.js';
import featuresPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import { decideAppend, type Expected } from './appendRule.js';

// A KurrentDB stand-in, NOT KurrentDB: a gRPC server built with @grpc/grpc-js from the service
// definitions the client package ships, speaking the real wire format for what the relay uses
// (Streams Append, BatchAppend and Read of one stream, ServerFeatures GetSupportedMethods) over
// streams kept in memory, with the server's idempotence rule (appendRule.ts) and its
// wrong-expected-version answers, and its MaxAppendSize refusal (an append whose events' data and
// metadata add up to more than `limits.maxAppendSize` bytes; KurrentDB's default is 1 MiB). Used
// when no KURRENTDB_URL names a real server.

export interface StoredEvent {
  id: string;
  type: string;
  contentType: string;
  data: Buffer;
  customMetadata: Buffer;
  revision: bigint;
  position: bigint;
  created: bigint;
}

export interface KurrentDbStandIn {
  /** A connection string for the client, e.g. kurrentdb://127.0.0.1:port?tls=false */
  url: string;
  port: number;
  streams: Map<string, StoredEvent[]>;
  /** Appends received, whatever their outcome, by the call that carried them. */
  appends: { append: number; batchAppend: number };
  /** The server's settings, changeable while it runs (as an operator raises MaxAppendSize). */
  limits: { maxAppendSize: number };
  close(): Promise<void>;
}

type Proposed = {
  getId(): sharedPb.UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
};

function uuidText(uuid: sharedPb.UUID | undefined): string {
  if (!uuid) return '';
  if (uuid.hasStructured()) {
    const hex = (v: string) => (BigInt(v) & ((1n << 64n) - 1n)).toString(16).padStart(16, '0');
    const s = uuid.getStructured()!;
    const h = hex(s.getMostSignificantBits()) + hex(s.getLeastSignificantBits());
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return uuid.getString();
}

function structuredUuid(text: string): sharedPb.UUID {
  const h = text.replace(/-/g, '');
  const signed = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  const structured = new sharedPb.UUID.Structured();
  structured.setMostSignificantBits(signed(h.slice(0, 16)));
  structured.setLeastSignificantBits(signed(h.slice(16)));
  const uuid = new sharedPb.UUID();
  uuid.setStructured(structured);
  return uuid;
}

function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function identifierOf(name: string): sharedPb.StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Buffer.from(name, 'utf8'));
  return id;
}

export interface StandInOptions {
  port?: number;
  /** Leave BatchAppend out of the supported methods, as older servers do: the client then uses Append. */
  batchAppend?: boolean;
  /** Bytes of data and metadata one append may carry (KurrentDB's MaxAppendSize; default 1 MiB). */
  maxAppendSize?: number;
}

/** What KurrentDB counts against MaxAppendSize: each event's data and metadata. */
function appendSize(proposed: Proposed[]): number {
  return proposed.reduce((n, p) => n + p.getData_asU8().length + p.getCustomMetadata_asU8().length, 0);
}

export async function startKurrentDbStandIn(options: StandInOptions = {}): Promise<KurrentDbStandIn> {
  const port = options.port ?? 0;
  const streams = new Map<string, StoredEvent[]>();
  let position = 0n;
  const appends = { append: 0, batchAppend: 0 };
  const limits = { maxAppendSize: options.maxAppendSize ?? 1_048_576 };

  /** Applies the rule to one append; what to answer. */
  function append(rpc: 'append' | 'batchAppend', stream: string, expected: Expected, proposed: Proposed[]) {
    appends[rpc]++;
    if (appendSize(proposed) > limits.maxAppendSize) return { ok: false as const, tooLarge: limits.maxAppendSize };
    const written = streams.get(stream) ?? [];
    const decision = decideAppend(
      written.map((e) => e.id),
      expected,
      proposed.map((p) => uuidText(p.getId())),
    );
    if (decision.outcome === 'write') {
      for (const p of proposed) {
        position += 1n;
        const metadata = p.getMetadataMap();
        written.push({
          id: uuidText(p.getId()),
          type: metadata.get('type') ?? '',
          contentType: metadata.get('content-type') ?? 'application/octet-stream',
          data: Buffer.from(p.getData_asU8()),
          customMetadata: Buffer.from(p.getCustomMetadata_asU8()),
          revision: BigInt(written.length),
          position,
          created: BigInt(Date.now()) * 10_000n,
        });
      }
      streams.set(stream, written);
      return { ok: true as const, revision: BigInt(written.length - 1), position };
    }
    if (decision.outcome === 'idempotent') return { ok: true as const, revision: decision.revision, position: written[Number(decision.revision)]!.position };
    return { ok: false as const, current: decision.current };
  }

  const appendHandler: grpc.handleClientStreamingCall<streamsPb.AppendReq, streamsPb.AppendResp> = (call, callback) => {
    let options: streamsPb.AppendReq.Options | undefined;
    const proposed: Proposed[] = [];
    call.on('data', (req: streamsPb.AppendReq) => {
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) proposed.push(req.getProposedMessage()!);
    });
    call.on('error', () => {});
    call.on('end', () => {
      if (!options) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'append without options' });
      const C = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
      const expected: Expected =
        options.getExpectedStreamRevisionCase() === C.REVISION
          ? { revision: BigInt(options.getRevision()) }
          : options.getExpectedStreamRevisionCase() === C.NO_STREAM
            ? 'no_stream'
            : options.getExpectedStreamRevisionCase() === C.STREAM_EXISTS
              ? 'stream_exists'
              : 'any';
      const result = append('append', streamName(options.getStreamIdentifier()), expected, proposed);
      if (!result.ok && result.tooLarge !== undefined) {
        // As the server fails a unary append over the limit: the exception named in the trailers.
        const metadata = new grpc.Metadata();
        metadata.set('exception', 'maximum-append-size-exceeded');
        metadata.set('maximum-append-size', String(result.tooLarge));
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `Maximum Append Size of ${result.tooLarge} Exceeded.`, metadata });
      }
      const resp = new streamsPb.AppendResp();
      if (result.ok) {
        const success = new streamsPb.AppendResp.Success();
        success.setCurrentRevision(result.revision.toString());
        const at = new streamsPb.AppendResp.Position();
        at.setCommitPosition(result.position.toString());
        at.setPreparePosition(result.position.toString());
        success.setPosition(at);
        resp.setSuccess(success);
      } else {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (result.current < 0n) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(result.current.toString());
        if (typeof expected === 'object') wrong.setExpectedRevision(expected.revision.toString());
        else if (expected === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
        else wrong.setExpectedAny(new sharedPb.Empty());
        resp.setWrongExpectedVersion(wrong);
      }
      callback(null, resp);
    });
  };

  const batchAppendHandler: grpc.handleBidiStreamingCall<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp> = (call) => {
    // Requests of one append share a correlation id; the first carries the options, the last is final.
    const pending = new Map<string, { options: streamsPb.BatchAppendReq.Options; proposed: Proposed[] }>();
    call.on('data', (req: streamsPb.BatchAppendReq) => {
      const correlation = uuidText(req.getCorrelationId());
      const entry = pending.get(correlation) ?? { options: req.getOptions()!, proposed: [] };
      entry.proposed.push(...req.getProposedMessagesList());
      pending.set(correlation, entry);
      if (!req.getIsFinal()) return;
      pending.delete(correlation);
      const options = entry.options;
      const C = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
      const expected: Expected =
        options.getExpectedStreamPositionCase() === C.STREAM_POSITION
          ? { revision: BigInt(options.getStreamPosition()) }
          : options.getExpectedStreamPositionCase() === C.NO_STREAM
            ? 'no_stream'
            : options.getExpectedStreamPositionCase() === C.STREAM_EXISTS
              ? 'stream_exists'
              : 'any';
      const stream = streamName(options.getStreamIdentifier());
      const result = append('batchAppend', stream, expected, entry.proposed);
      const resp = new streamsPb.BatchAppendResp();
      resp.setCorrelationId(req.getCorrelationId());
      resp.setStreamIdentifier(identifierOf(stream));
      if (typeof expected === 'object') resp.setStreamPosition(expected.revision.toString());
      else if (expected === 'no_stream') resp.setNoStream(new emptyPb.Empty());
      else if (expected === 'stream_exists') resp.setStreamExists(new emptyPb.Empty());
      else resp.setAny(new emptyPb.Empty());
      if (result.ok) {
        const success = new streamsPb.BatchAppendResp.Success();
        success.setCurrentRevision(result.revision.toString());
        const at = new sharedPb.AllStreamPosition();
        at.setCommitPosition(result.position.toString());
        at.setPreparePosition(result.position.toString());
        success.setPosition(at);
        resp.setSuccess(success);
      } else if (result.tooLarge !== undefined) {
        // As the server answers a batch append over the limit: InvalidArgument, the limit in its details.
        const exceeded = new sharedPb.MaximumAppendSizeExceeded();
        exceeded.setMaxappendsize(result.tooLarge);
        const details = new anyPb.Any();
        details.pack(exceeded.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
        const status = new statusPb.Status();
        status.setCode(3); // INVALID_ARGUMENT
        status.setMessage('MaximumAppendSizeExceeded');
        status.setDetails(details);
        resp.setError(status);
      } else {
        const wrong = new sharedPb.WrongExpectedVersion();
        if (result.current < 0n) wrong.setCurrentNoStream(new emptyPb.Empty());
        else wrong.setCurrentStreamRevision(result.current.toString());
        if (typeof expected === 'object') wrong.setExpectedStreamPosition(expected.revision.toString());
        else if (expected === 'no_stream') wrong.setExpectedNoStream(new emptyPb.Empty());
        else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new emptyPb.Empty());
        else wrong.setExpectedAny(new emptyPb.Empty());
        const details = new anyPb.Any();
        details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        const status = new statusPb.Status();
        status.setCode(9); // FAILED_PRECONDITION
        status.setMessage('WrongExpectedVersion');
        status.setDetails(details);
        resp.setError(status);
      }
      call.write(resp);
    });
    call.on('end', () => call.end());
    call.on('error', () => {});
  };

  const readHandler: grpc.handleServerStreamingCall<streamsPb.ReadReq, streamsPb.ReadResp> = (call) => {
    const options = call.request.getOptions();
    const streamOptions = options?.getStream();
    if (!options || !streamOptions) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'the stand-in reads single streams only' });
      return;
    }
    if (options.hasSubscription()) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'the stand-in has no subscriptions' });
      return;
    }
    const name = streamName(streamOptions.getStreamIdentifier());
    const events = streams.get(name);
    if (!events) {
      const resp = new streamsPb.ReadResp();
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(identifierOf(name));
      resp.setStreamNotFound(notFound);
      call.write(resp);
      call.end();
      return;
    }
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(BigInt.asUintN(64, BigInt(options.getCount()))) : Number.MAX_SAFE_INTEGER;
    const R = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
    let from = streamOptions.getRevisionOptionCase() === R.REVISION ? Number(BigInt(streamOptions.getRevision())) : backwards ? events.length - 1 : 0;
    if (streamOptions.getRevisionOptionCase() === R.END) from = backwards ? events.length - 1 : events.length;
    if (backwards) from = Math.min(from, events.length - 1);
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    let sent = 0;
    for (let i = from; i >= 0 && i < events.length && sent < count; i += backwards ? -1 : 1, sent++) {
      const e = events[i]!;
      const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
      if (structured) recorded.setId(structuredUuid(e.id));
      else {
        const id = new sharedPb.UUID();
        id.setString(e.id);
        recorded.setId(id);
      }
      recorded.setStreamIdentifier(identifierOf(name));
      recorded.setStreamRevision(e.revision.toString());
      recorded.setCommitPosition(e.position.toString());
      recorded.setPreparePosition(e.position.toString());
      const metadata = recorded.getMetadataMap();
      metadata.set('type', e.type);
      metadata.set('content-type', e.contentType);
      metadata.set('created', e.created.toString());
      recorded.setCustomMetadata(e.customMetadata);
      recorded.setData(e.data);
      const readEvent = new streamsPb.ReadResp.ReadEvent();
      readEvent.setEvent(recorded);
      readEvent.setCommitPosition(e.position.toString());
      const resp = new streamsPb.ReadResp();
      resp.setEvent(readEvent);
      call.write(resp);
    }
    call.end();
  };

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, {
    read: readHandler,
    append: appendHandler,
    batchAppend: batchAppendHandler,
    delete: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
    tombstone: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<featuresPb.SupportedMethods>) => {
      const methods = new featuresPb.SupportedMethods();
      for (const method of options.batchAppend === false ? ['Read', 'Append'] : ['Read', 'Append', 'BatchAppend']) {
        const m = new featuresPb.SupportedMethod();
        m.setServiceName('event_store.client.streams.Streams');
        m.setMethodName(method);
        methods.addMethods(m);
      }
      methods.setEventStoreServerVersion('24.10.0');
      callback(null, methods);
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    url: `kurrentdb://127.0.0.1:${bound}?tls=false`,
    port: bound,
    streams,
    appends,
    limits,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Clients keep channels open; don't wait for them to go.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
