// A transcript's JSON is needed twice on the way in: hashed for its idempotency key, then sent as
// the event's data. Serialising 3.5 KB twice per callback showed in profiles, so the text is kept
// beside the object it came from (weakly: it goes when the object does).
const serialised = new WeakMap<object, string>();

/** JSON.stringify, computed once per object. The object must not change afterwards. */
export function jsonOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  let json = serialised.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    serialised.set(value, json);
  }
  return json;
}
