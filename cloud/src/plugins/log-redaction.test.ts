import { describe, expect, it } from 'vitest';
import { httpLogSerializers, redactHeaders, redactUrl } from './log-redaction.js';

describe('log redaction', () => {
  it('replaces credential values in query strings and keeps the rest', () => {
    expect(redactUrl('/api/detections?station=st-1&limit=20')).toBe('/api/detections?station=st-1&limit=20');
    expect(redactUrl('/api/objects/a.wav?expires=1&sig=abc')).toBe('/api/objects/a.wav?expires=1&sig=[redacted]');
    expect(redactUrl('/x?api_key=k&token=t&X-Amz-Signature=s&X-Amz-Credential=c&password=p')).toBe(
      '/x?api_key=[redacted]&token=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&password=[redacted]',
    );
    expect(redactUrl('/x?%61pi_key=k&%zz=1')).toBe('/x?%61pi_key=[redacted]&%zz=1');
    expect(redactUrl('/status')).toBe('/status');
  });

  it('replaces credential headers, including inside logged multipart options', () => {
    const headers = { host: 'h', 'x-api-key': 'k', api_key: 'k', authorization: 'Bearer t', 'x-station-token': 't', cookie: 'c', 'content-type': 'audio/wav' };
    expect(redactHeaders(headers)).toEqual({
      host: 'h', 'x-api-key': '[redacted]', api_key: '[redacted]', authorization: '[redacted]', 'x-station-token': '[redacted]', cookie: '[redacted]', 'content-type': 'audio/wav',
    });
    expect(httpLogSerializers.busboyOptions({ limits: { files: 1 }, headers })).toMatchObject({ limits: { files: 1 }, headers: { 'x-api-key': '[redacted]', host: 'h' } });
    expect(redactHeaders(undefined)).toBeUndefined();
  });
});
