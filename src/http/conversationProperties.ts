import { z } from 'zod';

// The Tavus conversation `properties` a user may set on POST /conversations. The operator pays for
// every minute and every recording, so the length of a call is capped and recording is off unless
// the operator allows it; anything not listed here is refused rather than passed on. Where a
// recording goes is the operator's to say (TAVUS_RECORDING_*), never the user's.

export interface ConversationCaps {
  /** The longest call a user may ask for, and what a call gets when they ask for nothing. */
  maxCallDurationSeconds: number;
  allowRecording: boolean;
  /** With recordings set up: the bucket Tavus records into and the role it assumes to write there. */
  recording?: { bucket: string; region: string; roleArn: string };
}

export type ConversationProperties = Record<string, unknown>;

/** The properties a user may set, each with its bounds: what the request is checked against. */
export function propertiesShape(caps: ConversationCaps) {
  const cap = caps.maxCallDurationSeconds;
  const seconds = (min: number) => z.int().min(min).max(cap, `must be at most ${cap} seconds, the longest call this service allows`);
  return {
    max_call_duration: seconds(1).optional(),
    participant_left_timeout: seconds(0).optional(),
    participant_absent_timeout: seconds(0).optional(),
    enable_recording: z
      .boolean()
      .refine((on) => !on || caps.allowRecording, 'recording is not allowed on this service')
      .optional(),
    enable_closed_captions: z.boolean().optional(),
    language: z.string().min(1).max(64).optional(),
  };
}

export function propertiesSchema(caps: ConversationCaps) {
  const shape = propertiesShape(caps);
  const allowed = Object.keys(shape).join(', ');
  // Keys are checked on the input as sent: parsing an object drops a `__proto__` key silently.
  return z
    .unknown()
    .superRefine((input, ctx) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(shape, key)) ctx.addIssue({ code: 'custom', path: [key], message: `is not a property you may set (allowed: ${allowed})` });
      }
    })
    .pipe(z.object(shape));
}

/**
 * What Tavus is sent: the user's choices within the caps, and the caps where they chose nothing.
 * With recordings set up every call may be recorded into the operator's bucket, unless the user
 * asked for `enable_recording: false` (someone who declines being recorded is not overruled).
 */
export function withCaps(properties: ConversationProperties | undefined, caps: ConversationCaps): ConversationProperties {
  const sent: ConversationProperties = {
    max_call_duration: caps.maxCallDurationSeconds,
    ...(caps.allowRecording ? {} : { enable_recording: false }),
    ...properties,
  };
  if (!caps.recording || sent.enable_recording === false) return sent;
  // The documented flat fields: the newer `recording_storage` object's shape is not confirmed (shared/tavus/README.md).
  return {
    ...sent,
    enable_recording: true,
    recording_s3_bucket_name: caps.recording.bucket,
    recording_s3_bucket_region: caps.recording.region,
    aws_assume_role_arn: caps.recording.roleArn,
  };
}
