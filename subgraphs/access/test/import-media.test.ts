import { importFormatOf, mediaTypeOf } from '../src/domain/import-media';

describe('import content types', () => {
  it('reads the media type without its parameters', () => {
    expect(mediaTypeOf('Text/CSV; charset=utf-8')).toBe('text/csv');
    expect(mediaTypeOf(undefined)).toBeUndefined();
    expect(mediaTypeOf('')).toBeUndefined();
  });

  it('accepts CSV for wristbands, and no content type as CSV', () => {
    expect(importFormatOf('text/csv', ['CSV'])).toEqual({ format: 'CSV' });
    expect(importFormatOf(undefined, ['CSV'])).toEqual({ format: 'CSV' });
    expect(importFormatOf('application/json', ['CSV'])).toEqual({
      problem: expect.stringMatching(/application\/json.*text\/csv/),
    });
    expect(importFormatOf('application/x-www-form-urlencoded', ['CSV'])).toHaveProperty('problem');
  });

  it('chooses the tickets format by content type, or holds the body to the declared format', () => {
    expect(importFormatOf('application/x-ndjson', ['CSV', 'JSON'])).toEqual({ format: 'JSON' });
    expect(importFormatOf('application/json', ['CSV', 'JSON'], 'JSON')).toEqual({ format: 'JSON' });
    expect(importFormatOf('application/json', ['CSV', 'JSON'], 'CSV')).toHaveProperty('problem');
    expect(importFormatOf('text/csv', ['CSV', 'JSON'], 'JSON')).toHaveProperty('problem');
    expect(importFormatOf('image/png', ['CSV', 'JSON'])).toHaveProperty('problem');
  });
});
