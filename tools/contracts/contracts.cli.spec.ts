import { Parser } from '@asyncapi/parser';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentDocument, MANIFEST, RELEASED_DOCUMENT, run } from './contracts.cli';

/** Runs the CLI, keeping what it writes. */
function cli(args: string[], released = RELEASED_DOCUMENT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(
    args,
    { released, manifest: MANIFEST },
    { write: (text: string) => out.push(text) > 0 },
    { write: (text: string) => err.push(text) > 0 },
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('the AsyncAPI document of the platform (contracts + the committed messaging manifest)', () => {
  const document = currentDocument();

  it('is valid AsyncAPI 3: @asyncapi/parser reports nothing', async () => {
    const diagnostics = await new Parser().validate(document as never);
    expect(diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`)).toEqual([]);
  }, 30_000);

  it("names every service's roles from its manifest", () => {
    expect(document.operations).toMatchObject({
      'chat.answers.rpc.chat.post-message.v1': { action: 'receive' },
      'bots.calls.rpc.chat.post-message.v1': { action: 'send' },
      'calls.calls.rpc.chat.check-membership.v1': { action: 'send' },
      'stories.publishes.evt.stories.story.replied.v1': { action: 'send' },
      'chat.consumes.evt.stories.story.replied.v1': { action: 'receive' },
      'calls.pushes.push.calls.signal.v1': { action: 'send' },
      'gateway.receives.push.calls.signal.v1': { action: 'receive' },
      'gateway.reads.evt.calls.call.started.v1': { action: 'receive' },
    });
  });
});

describe('npm run contracts', () => {
  // The gate itself: what is committed must not break a user of what was released.
  it('check: the contracts as they are break no user of the released subject versions', () => {
    const { code, out, err } = cli(['check']);
    expect(err).toBe('');
    expect(out).toMatch(/^No (breaking )?change/);
    expect(code).toBe(0);
  });

  describe('against a released document the current contracts break', () => {
    let folder: string;
    let released: string;

    beforeEach(() => {
      folder = mkdtempSync(join(tmpdir(), 'contracts-cli-'));
      released = join(folder, 'asyncapi.json');
      // A release where chat's post-message result carried one more required field: the
      // current result lacks it, which breaks callers of that release.
      const document = JSON.parse(readFileSync(RELEASED_DOCUMENT, 'utf8'));
      const result = document.components.messages['rpc.chat.post-message.v1.result'].payload;
      result.properties.receipt = { type: 'string' };
      result.required.push('receipt');
      writeFileSync(released, JSON.stringify(document));
    });

    afterEach(() => rmSync(folder, { recursive: true, force: true }));

    it('check fails, naming the subject, the field and who breaks', () => {
      const { code, err } = cli(['check'], released);
      expect(code).toBe(1);
      expect(err).toContain(
        'rpc.chat.post-message.v1 result receipt: required field removed — breaks callers of the released version',
      );
      expect(err).toContain('new subject version');
    });

    it('release refuses to record it; diff lists the subject as changed', () => {
      expect(cli(['release'], released).code).toBe(1);
      expect(JSON.parse(readFileSync(released, 'utf8')).components.messages).toHaveProperty([
        'rpc.chat.post-message.v1.result',
        'payload',
        'properties',
        'receipt',
      ]);
      expect(cli(['diff'], released).out.split('\n')).toContain('~ rpc.chat.post-message.v1');
    });
  });

  it('release records the contracts where there is no released document yet', () => {
    const folder = mkdtempSync(join(tmpdir(), 'contracts-cli-'));
    try {
      const released = join(folder, 'asyncapi.json');
      expect(cli(['check'], released)).toMatchObject({ code: 1 });
      expect(cli(['release'], released)).toMatchObject({ code: 0 });
      expect(JSON.parse(readFileSync(released, 'utf8'))).toEqual(currentDocument());
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers wrong usage with the usage and exit code 2', () => {
    expect(cli([])).toMatchObject({ code: 2, err: expect.stringContaining('Usage:') });
    expect(cli(['publish'])).toMatchObject({ code: 2 });
  });
});
