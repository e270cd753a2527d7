import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtVerifier } from './jwt-verifier.service';

describe('JwtAuthGuard outside HTTP', () => {
  it('lets NATS RPC handlers through without looking for a token', async () => {
    const verifier = new JwtVerifier({ jwtSecret: 'guard-test-secret-guard-test-secret-0123' });
    const verify = jest.spyOn(verifier, 'verifyAuthorizationHeader');
    const guard = new JwtAuthGuard(new Reflector(), verifier);
    // Only getType is read before the guard decides; an RPC context has no headers at all.
    const rpcContext = { getType: () => 'rpc' } as unknown as ExecutionContext;

    await expect(guard.canActivate(rpcContext)).resolves.toBe(true);
    expect(verify).not.toHaveBeenCalled();
  });
});
