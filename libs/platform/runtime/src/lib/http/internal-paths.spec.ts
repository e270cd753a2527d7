import { isInternalPath, pathOf } from './internal-paths';

describe('isInternalPath', () => {
  it.each(['/health', '/health/live', '/health/ready', '/metrics', '/metrics/'])(
    '%s is internal',
    (path) => expect(isInternalPath(path)).toBe(true),
  );

  // Whole segments only: a domain route that merely starts with the same letters is the users'.
  it.each(['/', '/healthy-habits', '/metrics-report', '/conversations', '/docs/health'])(
    '%s is not',
    (path) => expect(isInternalPath(path)).toBe(false),
  );
});

describe('pathOf', () => {
  it('drops the query string', () => {
    expect(pathOf('/health/ready?verbose=1')).toBe('/health/ready');
    expect(pathOf('/conversations')).toBe('/conversations');
    expect(pathOf('/a?b?c')).toBe('/a');
  });
});
