import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { propertiesSchema, withCaps } from '../../src/http/conversationProperties.js';

// Recordings' configuration: all of it or none, each bad value named at start; and what it makes
// POST /conversations ask of Tavus.

const SUPABASE = {
  RECORDINGS_S3_ENDPOINT: 'https://project.supabase.co/storage/v1/s3',
  RECORDINGS_S3_REGION: 'eu-central-1',
  RECORDINGS_S3_BUCKET: 'practice_recordings',
  RECORDINGS_S3_ACCESS_KEY_ID: 'key-id',
  RECORDINGS_S3_SECRET_ACCESS_KEY: 'key-secret',
  RECORDINGS_S3_FORCE_PATH_STYLE: 'true',
};
const TAVUS = {
  TAVUS_RECORDING_BUCKET: 'tavus-recordings-acme',
  TAVUS_RECORDING_REGION: 'us-east-1',
  TAVUS_RECORDING_ROLE_ARN: 'arn:aws:iam::123456789012:role/tavus-recordings',
};

describe('recordings configuration', () => {
  it('is off, and nothing about recording changes, when none of it is set', () => {
    const config = loadConfig({});
    expect(config.recordings).toBeNull();
    expect(config.conversationCaps).toEqual({ maxCallDurationSeconds: 1800, allowRecording: false });
  });

  it('reads the app storage and the Tavus bucket, credentials from the default chain when none are given', () => {
    const config = loadConfig({ ...SUPABASE, ...TAVUS });
    expect(config.recordings).toEqual({
      storage: {
        endpoint: 'https://project.supabase.co/storage/v1/s3',
        region: 'eu-central-1',
        bucket: 'practice_recordings',
        credentials: { accessKeyId: 'key-id', secretAccessKey: 'key-secret' },
        forcePathStyle: true,
      },
      tavus: {
        endpoint: undefined,
        region: 'us-east-1',
        bucket: 'tavus-recordings-acme',
        roleArn: 'arn:aws:iam::123456789012:role/tavus-recordings',
        credentials: undefined,
        forcePathStyle: false,
      },
    });
    expect(config.conversationCaps).toEqual({
      maxCallDurationSeconds: 1800,
      allowRecording: true,
      recording: { bucket: 'tavus-recordings-acme', region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/tavus-recordings' },
    });
  });

  it('names every key a half setup lacks, at once', () => {
    const attempt = () => loadConfig({ TAVUS_RECORDING_BUCKET: 'tavus-recordings-acme', RECORDINGS_S3_ACCESS_KEY_ID: 'key-id' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      [
        'Invalid configuration:',
        '  RECORDINGS_S3_BUCKET: required to set up recordings (RECORDINGS_S3_ACCESS_KEY_ID is set)',
        '  RECORDINGS_S3_REGION: required to set up recordings (RECORDINGS_S3_ACCESS_KEY_ID is set)',
        '  TAVUS_RECORDING_REGION: required to set up recordings (RECORDINGS_S3_ACCESS_KEY_ID is set)',
        '  TAVUS_RECORDING_ROLE_ARN: required to set up recordings (RECORDINGS_S3_ACCESS_KEY_ID is set)',
        '  RECORDINGS_S3_SECRET_ACCESS_KEY: required with RECORDINGS_S3_ACCESS_KEY_ID',
      ].join('\n'),
    );
  });

  it('refuses recording forbidden and set up at once', () => {
    expect(() => loadConfig({ ...SUPABASE, ...TAVUS, TAVUS_ALLOW_RECORDING: 'false' })).toThrow(/TAVUS_ALLOW_RECORDING: false, yet recordings are set up/);
  });

  it.each([
    ['RECORDINGS_S3_ENDPOINT', 'project.supabase.co/storage/v1/s3', /must be an http\(s\) URL/],
    ['RECORDINGS_S3_BUCKET', 'a', /must be a bucket name/],
    ['RECORDINGS_S3_REGION', 'EU Central', /must be a region name/],
    ['RECORDINGS_S3_FORCE_PATH_STYLE', 'yes', /must be true or false/],
    ['TAVUS_RECORDING_BUCKET', 'Tavus_Recordings', /must be an S3 bucket name/],
    ['TAVUS_RECORDING_REGION', 'auto', /must be an AWS region/],
    ['TAVUS_RECORDING_ROLE_ARN', 'tavus-recordings', /must be an IAM role ARN/],
    ['TAVUS_RECORDING_S3_ENDPOINT', 'ftp://minio.local', /must be an http\(s\) URL/],
  ])('refuses %s=%s, naming it', (name, value, message) => {
    const attempt = () => loadConfig({ ...SUPABASE, ...TAVUS, [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: ${message.source}`));
  });
});

describe('what POST /conversations asks Tavus for, with recordings set up', () => {
  const caps = loadConfig({ ...SUPABASE, ...TAVUS }).conversationCaps;

  it('records every call into the Tavus bucket, with the role Tavus assumes', () => {
    expect(withCaps(undefined, caps)).toEqual({
      max_call_duration: 1800,
      enable_recording: true,
      recording_s3_bucket_name: 'tavus-recordings-acme',
      recording_s3_bucket_region: 'us-east-1',
      aws_assume_role_arn: 'arn:aws:iam::123456789012:role/tavus-recordings',
    });
  });

  it('leaves a call unrecorded, naming no bucket, when the user declines', () => {
    const properties = propertiesSchema(caps).parse({ enable_recording: false });
    expect(withCaps(properties, caps)).toEqual({ max_call_duration: 1800, enable_recording: false });
  });

  it("still refuses a bucket of the user's choosing", () => {
    expect(propertiesSchema(caps).safeParse({ recording_s3_bucket_name: 'elsewhere' }).success).toBe(false);
  });
});
