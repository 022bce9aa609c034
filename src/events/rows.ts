import { eventSchemas, isEventType, type EventMetadata, type RecordedEvent } from './types.js';

/** An events row as pg returns it. */
export interface EventRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  idempotency_key: string;
  recorded_at: Date;
}

export const EVENT_COLUMNS = 'position, transaction_id, stream_id, type, schema_version, data, metadata, idempotency_key, recorded_at';

export class UnknownEventTypeError extends Error {
  override name = 'UnknownEventTypeError';
}

/** The one place rows become events. Only schema version 1 exists; an upcaster goes here when a v2 does. */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  if (!isEventType(row.type)) {
    throw new UnknownEventTypeError(`event ${row.position} has type ${row.type}, which this build does not know`);
  }
  const data = eventSchemas[row.type].parse(row.data);
  return {
    type: row.type,
    data,
    position: row.position,
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    schemaVersion: row.schema_version,
    metadata: row.metadata,
    idempotencyKey: row.idempotency_key,
    recordedAt: row.recorded_at,
  } as RecordedEvent;
}
