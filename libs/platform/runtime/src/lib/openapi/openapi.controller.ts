import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@switchboard/platform-auth';
import { ExcludeFromDocs } from './exclude-from-docs.decorator';
import { OpenApiDocs } from './openapi-docs.service';

/**
 * Serves the document, to anyone: it describes the API, not its data. `/docs` answers the same
 * JSON because no UI bundle (e.g. swagger-ui-dist) is a dependency; point any OpenAPI viewer at it.
 */
@Public()
@ExcludeFromDocs()
@Controller('docs')
export class OpenApiController {
  constructor(private readonly docs: OpenApiDocs) {}

  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  index(): string {
    return this.docs.json;
  }

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(): string {
    return this.docs.json;
  }
}
