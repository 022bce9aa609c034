import { describe, expect, it } from 'vitest';
import { propertiesSchema, withCaps } from '../../src/http/conversationProperties.js';
import { fieldErrorsOf } from '../../src/validation.js';

const caps = { maxCallDurationSeconds: 900, allowRecording: false };

function errorsOf(properties: unknown, c = caps) {
  const parsed = propertiesSchema(c).safeParse(properties);
  return parsed.success ? [] : fieldErrorsOf(parsed.error);
}

describe('the properties a user may pass to Tavus', () => {
  it('takes the allowed ones within the caps', () => {
    const properties = {
      max_call_duration: 900,
      participant_left_timeout: 30,
      participant_absent_timeout: 0,
      enable_recording: false,
      enable_closed_captions: true,
      language: 'multilingual',
    };
    expect(propertiesSchema(caps).parse(properties)).toEqual(properties);
    expect(propertiesSchema({ ...caps, allowRecording: true }).parse({ enable_recording: true })).toEqual({ enable_recording: true });
  });

  it('refuses what is over a cap or of the wrong type, naming the field', () => {
    expect(errorsOf({ max_call_duration: 901 })).toEqual([
      { field: 'max_call_duration', message: 'must be at most 900 seconds, the longest call this service allows' },
    ]);
    expect(errorsOf({ participant_absent_timeout: 3600 }).map((e) => e.field)).toEqual(['participant_absent_timeout']);
    expect(errorsOf({ max_call_duration: 0 }).map((e) => e.field)).toEqual(['max_call_duration']);
    expect(errorsOf({ max_call_duration: 60.5 }).map((e) => e.field)).toEqual(['max_call_duration']);
    expect(errorsOf({ max_call_duration: '600' }).map((e) => e.field)).toEqual(['max_call_duration']);
    expect(errorsOf({ enable_recording: true })).toEqual([{ field: 'enable_recording', message: 'recording is not allowed on this service' }]);
    expect(errorsOf({ language: '' }).map((e) => e.field)).toEqual(['language']);
  });

  it('refuses every key it does not know, each by name, prototype keys included', () => {
    const errors = errorsOf(JSON.parse('{"recording_s3_bucket_name":"mine","__proto__":{"x":1},"constructor":1,"language":"english"}'));
    expect(errors.map((e) => e.field)).toEqual(['recording_s3_bucket_name', '__proto__', 'constructor']);
    expect(errors[0]!.message).toMatch(/^is not a property you may set \(allowed: max_call_duration, .*language\)$/);
  });

  it('sends the cap when no length is asked for, and recording off unless allowed', () => {
    expect(withCaps(undefined, caps)).toEqual({ max_call_duration: 900, enable_recording: false });
    expect(withCaps({ max_call_duration: 300, language: 'english' }, caps)).toEqual({ max_call_duration: 300, enable_recording: false, language: 'english' });
    expect(withCaps({}, { ...caps, allowRecording: true })).toEqual({ max_call_duration: 900 });
    expect(withCaps({ enable_recording: true }, { ...caps, allowRecording: true })).toEqual({ max_call_duration: 900, enable_recording: true });
  });
});
