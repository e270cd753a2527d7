import {
  Catch,
  Controller,
  Get,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpServer,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppError, CommonErrorCodes } from '@switchboard/contracts';
import { AuthModule } from './auth.module';
import type { AuthenticatedUser } from './authenticated-user.type';
import { CurrentUser } from './current-user.decorator';
import { signDevToken } from './dev-token.signer';
import { Public } from './public.decorator';

const SECRET = 'http-test-secret-http-test-secret-0123456789';

@Controller()
class ProbeController {
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): { id: string } {
    return { id: user.id };
  }

  @Public()
  @Get('public-me')
  publicMe(@CurrentUser() user: AuthenticatedUser): { id: string } {
    return { id: user.id };
  }

  @Public()
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Public()
@Controller('open')
class OpenController {
  @Get()
  open(): { open: boolean } {
    return { open: true };
  }
}

/**
 * Stand-in for the platform-runtime HTTP filter (not a dependency of this lib): maps AppError to
 * its status and envelope so the 401 path can be asserted end to end.
 */
@Catch(AppError)
class AppErrorTestFilter implements ExceptionFilter {
  constructor(private readonly adapter: HttpServer) {}

  catch(error: AppError, host: ArgumentsHost): void {
    const status = error.kind === 'unauthenticated' ? 401 : 500;
    this.adapter.reply(host.switchToHttp().getResponse(), error.toEnvelope(), status);
  }
}

describe('AuthModule over HTTP (Fastify)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ jwtSecret: SECRET })],
      controllers: [ProbeController, OpenController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new AppErrorTestFilter(app.getHttpAdapter()));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, authorization?: string) =>
    app.inject({
      method: 'GET',
      url,
      headers: authorization === undefined ? {} : { authorization },
    });

  it('serves a protected route to a caller with a valid token, as the token subject', async () => {
    const token = await signDevToken('alice', SECRET);
    const response = await get('/me', `Bearer ${token}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'alice' });
  });

  it('answers 401 with the error envelope when the token is missing', async () => {
    const response = await get('/me');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      code: CommonErrorCodes.UNAUTHENTICATED,
      message: expect.stringMatching(/Missing Authorization header/),
      retriable: false,
    });
  });

  it('answers 401 to a token signed with another secret or expired', async () => {
    const forged = await signDevToken('alice', 'some-other-secret-some-other-secret-0123');
    const badSignature = await get('/me', `Bearer ${forged}`);
    expect(badSignature.statusCode).toBe(401);
    expect(badSignature.json()).toMatchObject({ message: expect.stringMatching(/signature/) });

    const expired = await signDevToken('alice', SECRET, { expiresIn: '-1m' });
    const expiredResponse = await get('/me', `Bearer ${expired}`);
    expect(expiredResponse.statusCode).toBe(401);
    expect(expiredResponse.json()).toMatchObject({ message: expect.stringMatching(/expired/) });
  });

  it('answers 401 to another scheme', async () => {
    const response = await get('/me', 'Basic YWxpY2U6c2VjcmV0');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: CommonErrorCodes.UNAUTHENTICATED });
  });

  it('serves @Public() handlers and controllers without a token, even with a bad one', async () => {
    expect((await get('/health/live')).json()).toEqual({ status: 'ok' });
    const open = await get('/open', 'Bearer not-a-token');
    expect(open.statusCode).toBe(200);
    expect(open.json()).toEqual({ open: true });
  });

  it('fails loudly (500) when @CurrentUser() is used on a @Public() route', async () => {
    const token = await signDevToken('alice', SECRET);
    const response = await get('/public-me', `Bearer ${token}`);
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: CommonErrorCodes.INTERNAL });
  });
});

describe('AuthModule.forRoot', () => {
  it('fails at boot when the secret is too short for HS256', async () => {
    const building = Test.createTestingModule({
      imports: [AuthModule.forRoot({ jwtSecret: 'too-short' })],
    }).compile();
    await expect(building).rejects.toThrow(/too short/);
  });
});
