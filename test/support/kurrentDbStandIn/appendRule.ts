// The rule a KurrentDB node applies to an append, as the stand-in models it. A stream's revision is
// the index of its last event (-1: no stream). With an expected revision:
// - equal to the stream's current revision: the events are written;
// - behind it: if the proposed ids are exactly the events already written right after the expected
//   revision, the append is an idempotent success (nothing is written twice); otherwise the answer is
//   "wrong expected version", also when only some of them are there;
// - ahead of it: "wrong expected version".
// `any` and `stream_exists` skip the check except for that same idempotence on ids.

export type Expected = { revision: bigint } | 'no_stream' | 'any' | 'stream_exists';

export type AppendDecision = { outcome: 'write' } | { outcome: 'idempotent'; revision: bigint } | { outcome: 'wrong expected version'; current: bigint };

export function decideAppend(writtenIds: readonly string[], expected: Expected, proposedIds: readonly string[]): AppendDecision {
  const current = BigInt(writtenIds.length) - 1n;
  if (expected === 'stream_exists' && current < 0n) return { outcome: 'wrong expected version', current };
  if (expected === 'any' || expected === 'stream_exists') {
    const at = writtenIds.indexOf(proposedIds[0] ?? '');
    if (at >= 0 && proposedIds.every((id, i) => writtenIds[at + i] === id)) {
      return { outcome: 'idempotent', revision: BigInt(at + proposedIds.length - 1) };
    }
    return { outcome: 'write' };
  }
  const after = expected === 'no_stream' ? -1n : expected.revision;
  if (after === current) return { outcome: 'write' };
  if (after > current) return { outcome: 'wrong expected version', current };
  const from = Number(after + 1n);
  const already = proposedIds.length > 0 && proposedIds.every((id, i) => writtenIds[from + i] === id);
  return already ? { outcome: 'idempotent', revision: after + BigInt(proposedIds.length) } : { outcome: 'wrong expected version', current };
}
