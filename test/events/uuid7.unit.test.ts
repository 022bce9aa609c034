import { describe, expect, it } from 'vitest';
import { uuid7 } from '../../src/events/uuid7.js';

describe('uuid7', () => {
  it('is a version 7, RFC 9562 variant UUID', () => {
    expect(uuid7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('sorts by creation time', () => {
    const earlier = uuid7(Date.parse('2025-01-01T00:00:00Z'));
    const later = uuid7(Date.parse('2025-01-01T00:00:00.001Z'));
    expect(earlier < later).toBe(true);
    // 2025-01-01T00:00:00Z is 1,735,689,600,000 ms = 0x01941f297c00.
    expect(earlier.slice(0, 13)).toBe('01941f29-7c00');
  });
  it('differs every time within a millisecond', () => {
    const now = Date.now();
    expect(new Set(Array.from({ length: 1000 }, () => uuid7(now))).size).toBe(1000);
  });
});
