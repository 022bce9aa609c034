import type { z } from 'zod';

// Checks every layer shares: one id rule, one shape for "this field is wrong".

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids (conversations, users, scenarios) are UUIDs, in any case. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An analyzer version as feedback rows name it: `name@version`, e.g. `coach@1`. */
export const ANALYZER_ID = /^[a-z0-9][a-z0-9_-]*@\d+$/;

/** One wrong field of an input: its dotted path (`(body)` for the whole) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export function fieldErrorsOf(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** `field message; field message`, for a problem's detail. */
export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field} ${e.message}`).join('; ');
}
