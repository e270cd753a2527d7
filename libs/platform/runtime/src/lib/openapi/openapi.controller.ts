import { Controller, Get, Header, Headers, NotFoundException } from '@nestjs/common';
import { Gateway } from '@switchboard/contracts';
import { Public } from '@switchboard/platform-auth';
import { ExcludeFromDocs } from './exclude-from-docs.decorator';
import { OpenApiDocs } from './openapi-docs.service';

/**
 * Serves the document, to anyone: it describes the API, not its data. `/docs` answers the same
 * JSON because no UI bundle (e.g. swagger-ui-dist) is a dependency; point any OpenAPI viewer at it.
 * Asked for one domain (`Switchboard-Domain`, as the gateway asks), the document of that domain's
 * routes only; 404 for a domain the process does not host.
 */
@Public()
@ExcludeFromDocs()
@Controller('docs')
export class OpenApiController {
  constructor(private readonly docs: OpenApiDocs) {}

  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  index(@Headers(Gateway.DOMAIN_HEADER) domain?: string): string {
    return this.documentOf(domain);
  }

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(@Headers(Gateway.DOMAIN_HEADER) domain?: string): string {
    return this.documentOf(domain);
  }

  private documentOf(domain: string | undefined): string {
    if (domain === undefined) return this.docs.json;
    const json = this.docs.jsonOf(domain);
    if (json === undefined) throw new NotFoundException(`This process does not host ${domain}`);
    return json;
  }
}
