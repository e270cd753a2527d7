import { uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID', () => {
    expect(uuidv7()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  // The generator never goes back in time within a process, so these tests move forward only.
  it('encodes the time, so ids sort by creation time', () => {
    const early = uuidv7(Date.parse('2030-01-01T00:00:00Z'));
    const late = uuidv7(Date.parse('2031-06-01T00:00:00Z'));
    expect(early < late).toBe(true);
    expect(parseInt(late.replace(/-/g, '').slice(0, 12), 16)).toBe(
      Date.parse('2031-06-01T00:00:00Z'),
    );
  });

  it('keeps increasing within one millisecond', () => {
    const now = Date.parse('2032-01-01T00:00:00Z');
    const ids = Array.from({ length: 5000 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
