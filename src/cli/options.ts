import { InvalidArgumentError } from 'commander';
import type { Analyzer } from '../analysis/types.js';
import { analyzerOrFail } from './feedback.js';
import { isUuid } from '../validation.js';
import { UsageError } from './usage.js';

// Parsers for commander's options and arguments. A bad value fails the parse, and commander's message
// names what it came with: "option '--user <uuid>' argument 'x' is invalid. not a UUID".

export function uuid(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError('not a UUID');
  return value.toLowerCase();
}

/** An analyzer this build of the service has, named `name@version`. */
export function analyzer(value: string): Analyzer {
  try {
    return analyzerOrFail(value);
  } catch (err) {
    if (err instanceof UsageError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** For an option that may be given more than once: each value parsed, all kept in order. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}
