import { headers } from 'nats';
import {
  childTraceContext,
  isValidTraceparent,
  newTraceContext,
  parentIdOf,
  readTraceHeaders,
  traceContextFrom,
  traceIdOf,
  writeTraceHeaders,
} from './trace-context';

// The examples of the W3C Trace Context recommendation.
const W3C_EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it.each([
    ['the W3C example', W3C_EXAMPLE],
    ['a not-sampled one', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'],
    ['a later version', 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    [
      'a later version with more fields',
      'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz',
    ],
  ])('accepts %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(true);
  });

  it.each([
    ['an empty value', ''],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with more fields', `${W3C_EXAMPLE}-xyz`],
    ['a later version glued to more', 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01xyz'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
  ])('refuses %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(false);
  });

  it('starts traces with random, valid, distinct ids', () => {
    const traces = Array.from({ length: 1_000 }, () => newTraceContext().traceparent);
    for (const traceparent of traces) expect(isValidTraceparent(traceparent)).toBe(true);
    expect(new Set(traces.map(traceIdOf)).size).toBe(traces.length);
    expect(new Set(traces.map(parentIdOf)).size).toBe(traces.length);
  });

  it('continues a trace with a new span id, the same trace id, flags and tracestate', () => {
    const parent = { traceparent: W3C_EXAMPLE.replace(/-01$/, '-00'), tracestate: 'rojo=1' };
    const child = childTraceContext(parent);
    expect(traceIdOf(child.traceparent)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parentIdOf(child.traceparent)).not.toBe('00f067aa0ba902b7');
    expect(child.traceparent.endsWith('-00')).toBe(true);
    expect(child.tracestate).toBe('rojo=1');
  });

  it('writes a later version it continues as version 00', () => {
    const child = childTraceContext({
      traceparent: 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz',
    });
    expect(child.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it('starts a new trace when there is no parent', () => {
    expect(isValidTraceparent(childTraceContext(undefined).traceparent)).toBe(true);
  });

  it('drops an invalid traceparent together with its tracestate, and a malformed tracestate', () => {
    expect(traceContextFrom('garbage', 'rojo=1')).toBeUndefined();
    expect(traceContextFrom(W3C_EXAMPLE, 'rojo=1\u0000')).toEqual({ traceparent: W3C_EXAMPLE });
    expect(traceContextFrom(W3C_EXAMPLE, 'x'.repeat(513))).toEqual({ traceparent: W3C_EXAMPLE });
  });

  it('round-trips through NATS headers', () => {
    const sent = headers();
    writeTraceHeaders(sent, { traceparent: W3C_EXAMPLE, tracestate: 'congo=t61rcWkgMzE' });
    expect(sent.get('traceparent')).toBe(W3C_EXAMPLE);
    expect(readTraceHeaders(sent)).toEqual({
      traceparent: W3C_EXAMPLE,
      tracestate: 'congo=t61rcWkgMzE',
    });
    expect(readTraceHeaders(headers())).toBeUndefined();
    expect(readTraceHeaders(undefined)).toBeUndefined();
  });
});

describe('continuing a hand-made trace context', () => {
  it('starts a new trace instead of copying an invalid one into headers', () => {
    const child = childTraceContext({ traceparent: 'not\r\nvalid', tracestate: 'a=1' });
    expect(isValidTraceparent(child.traceparent)).toBe(true);
    expect(child.tracestate).toBeUndefined();
  });

  it('drops a tracestate that could not travel in a header', () => {
    const child = childTraceContext({ traceparent: W3C_EXAMPLE, tracestate: 'a=1\r\nb: 2' });
    expect(traceIdOf(child.traceparent)).toBe(traceIdOf(W3C_EXAMPLE));
    expect(child.tracestate).toBeUndefined();
  });
});
