import { AppError, CommonErrorCodes } from '@switchboard/contracts';
import { SignJWT, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { signDevToken } from './dev-token.signer';
import { extractBearerToken, JwtVerifier } from './jwt-verifier.service';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const OTHER_SECRET = 'another-secret-another-secret-another-0123456789';
const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs an arbitrary payload with HS256 (or another HMAC alg) without signDevToken's defaults. */
async function sign(
  payload: JWTPayload,
  options: { secret?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .sign(key(options.secret ?? SECRET));
}

/** Asserts the promise fails the way the guard reports it and returns the message. */
async function rejection(promise: Promise<unknown>, message: RegExp): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be rejected');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe(CommonErrorCodes.UNAUTHENTICATED);
  expect(appError.kind).toBe('unauthenticated');
  expect(appError.retriable).toBe(false);
  expect(appError.message).toMatch(message);
  return appError.message;
}

describe('JwtVerifier', () => {
  const verifier = new JwtVerifier({ jwtSecret: SECRET });

  it('tells when the token expires, in epoch milliseconds (a socket closes then)', async () => {
    const before = Date.now();
    const user = await verifier.verify(await signDevToken('alice', SECRET, { expiresIn: '90s' }));
    // `exp` has whole seconds: within a second of 90 s from now.
    expect(user.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 89_000);
    expect(user.expiresAt).toBeLessThanOrEqual(before + 91_000);
  });

  it('accepts a token from signDevToken and returns its sub as the user id', async () => {
    const token = await signDevToken('alice', SECRET);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'alice' });
    await expect(verifier.verifyAuthorizationHeader(`Bearer ${token}`)).resolves.toMatchObject({
      id: 'alice',
    });
  });

  it('accepts the scheme in any case and surrounding spaces', async () => {
    const token = await signDevToken('bob', SECRET);
    await expect(verifier.verifyAuthorizationHeader(`  bearer   ${token} `)).resolves.toMatchObject({
      id: 'bob',
    });
  });

  it('tolerates a few seconds of clock skew on exp, but not more', async () => {
    const justExpired = await sign({ sub: 'alice', exp: nowSeconds() - 2 });
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ id: 'alice' });

    const longExpired = await sign({ sub: 'alice', exp: nowSeconds() - 30 });
    await rejection(verifier.verify(longExpired), /Token has expired/);
  });

  it('rejects each bad input with its own message', async () => {
    const exp = nowSeconds() + 600;
    const valid = await sign({ sub: 'alice', exp });
    const messages = [
      await rejection(
        verifier.verifyAuthorizationHeader(undefined),
        /Missing Authorization header/,
      ),
      await rejection(verifier.verifyAuthorizationHeader(`Basic ${valid}`), /scheme "Basic"/),
      await rejection(
        verifier.verifyAuthorizationHeader('Bearer'),
        /Malformed Authorization header/,
      ),
      await rejection(verifier.verify('not-a-jwt'), /Malformed token/),
      await rejection(
        verifier.verify(await sign({ sub: 'alice', exp }, { secret: OTHER_SECRET })),
        /signature is invalid/,
      ),
      await rejection(
        verifier.verify(await sign({ sub: 'alice', exp: nowSeconds() - 60 })),
        /Token has expired/,
      ),
      await rejection(
        verifier.verify(await sign({ sub: 'alice', exp }, { alg: 'HS512' })),
        /algorithm "HS512" is not allowed/,
      ),
      await rejection(verifier.verify(await sign({ exp })), /no subject/),
      await rejection(verifier.verify(await sign({ sub: 'alice' })), /no expiry/),
      await rejection(
        verifier.verify(await sign({ sub: 'alice', exp, nbf: nowSeconds() + 600 })),
        /not valid yet/,
      ),
    ];
    expect(new Set(messages).size).toBe(messages.length);
    // Messages go back to the caller and into logs: they must not echo the credential.
    expect(messages.join(' ')).not.toContain(valid);
  });

  it('rejects an empty header as missing', async () => {
    await rejection(verifier.verifyAuthorizationHeader(''), /Missing Authorization header/);
    await rejection(verifier.verifyAuthorizationHeader('   '), /Missing Authorization header/);
  });

  it('rejects garbage in each part of the token as malformed', async () => {
    const valid = await sign({ sub: 'alice', exp: nowSeconds() + 600 });
    const [header, payload, signature] = valid.split('.');
    await rejection(verifier.verify(`${header}.${payload}`), /Malformed token/);
    await rejection(verifier.verify(`%%%.${payload}.${signature}`), /Malformed token/);
    await rejection(
      verifier.verify(`${base64url('x')}.${payload}.${signature}`),
      /Malformed token/,
    );
    // Right header and a valid MAC over a payload that is not JSON: still not a JWT.
    const notJson = Buffer.from('not json').toString('base64url');
    const mac = createHmac('sha256', SECRET).update(`${header}.${notJson}`).digest('base64url');
    const signedNotJson = `${header}.${notJson}.${mac}`;
    await rejection(verifier.verify(signedNotJson), /Malformed token/);
  });

  it('rejects a tampered payload as a bad signature', async () => {
    const valid = await sign({ sub: 'alice', exp: nowSeconds() + 600 });
    const [header, , signature] = valid.split('.');
    const forged = base64url({ sub: 'mallory', exp: nowSeconds() + 600 });
    await rejection(verifier.verify(`${header}.${forged}.${signature}`), /signature is invalid/);
  });

  it('rejects unsigned tokens (alg "none") even with a valid payload', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
      sub: 'mallory',
      exp: nowSeconds() + 600,
    })}.`;
    await rejection(verifier.verify(unsigned), /algorithm "none" is not allowed/);
    const noAlg = `${base64url({ typ: 'JWT' })}.${base64url({ sub: 'mallory' })}.c2ln`;
    await rejection(verifier.verify(noAlg), /algorithm missing is not allowed/);
  });

  it('rejects an empty, blank or non-string sub', async () => {
    const exp = nowSeconds() + 600;
    await rejection(verifier.verify(await sign({ sub: '', exp })), /no subject/);
    await rejection(verifier.verify(await sign({ sub: '  ', exp })), /no subject/);
    await rejection(
      verifier.verify(await sign({ sub: 42 as unknown as string, exp })),
      /no subject/,
    );
  });

  it('checks issuer and audience when configured', async () => {
    const strict = new JwtVerifier({ jwtSecret: SECRET, issuer: 'switchboard', audience: 'chat' });
    const good = await signDevToken('alice', SECRET, { issuer: 'switchboard', audience: 'chat' });
    await expect(strict.verify(good)).resolves.toMatchObject({ id: 'alice' });

    const plain = await signDevToken('alice', SECRET);
    await rejection(strict.verify(plain), /issuer is not accepted/);
    const wrongAudience = await signDevToken('alice', SECRET, {
      issuer: 'switchboard',
      audience: 'bots',
    });
    await rejection(strict.verify(wrongAudience), /audience is not accepted/);
  });

  it('refuses to start with a secret too short for HS256', () => {
    expect(() => new JwtVerifier({ jwtSecret: 'short' })).toThrow(/too short.*32 characters/);
  });
});

describe('extractBearerToken', () => {
  it('returns the credential of a Bearer header', () => {
    expect(extractBearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('rejects two credentials', () => {
    expect(() => extractBearerToken('Bearer a b')).toThrow(/Malformed Authorization header/);
  });
});

describe('signDevToken', () => {
  it('signs tokens that expire after the requested lifetime (12 h by default)', async () => {
    const decode = (token: string): JWTPayload =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as JWTPayload;

    const byDefault = decode(await signDevToken('alice', SECRET));
    expect((byDefault.exp ?? 0) - (byDefault.iat ?? 0)).toBe(12 * 3600);
    const short = decode(await signDevToken('alice', SECRET, { expiresIn: '15m' }));
    expect((short.exp ?? 0) - (short.iat ?? 0)).toBe(15 * 60);
  });

  it('refuses an empty user id, a short secret and a bad duration', async () => {
    await expect(signDevToken('', SECRET)).rejects.toThrow(/userId/);
    await expect(signDevToken('alice', 'short')).rejects.toThrow(/too short/);
    await expect(signDevToken('alice', SECRET, { expiresIn: 'soon' })).rejects.toThrow(
      /time period/,
    );
  });
});
