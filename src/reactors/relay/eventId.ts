import { v5 as uuidv5 } from 'uuid';

// The id each event has in KurrentDB, derived from its idempotency key (unique in the history) rather
// than stored with it: nothing is added to the append path, and every relay, after any crash or
// reset, proposes the same id for the same event, which is what lets KurrentDB refuse to store it
// twice. A fixed namespace of our own keeps these ids apart from other name-based UUIDs.
const NAMESPACE = '3c5bd0a4-6f0e-4f6e-9a53-7d1f2a8e4b10';

export function kurrentEventId(idempotencyKey: string): string {
  return uuidv5(idempotencyKey, NAMESPACE);
}
