import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from './principal.js';

/** The key a request is made with: lets a client (the dashboard) check a key and learn what its role allows. */
@Controller('whoami')
export class WhoamiController {
  @Get()
  whoami(@CurrentPrincipal() principal: Principal): Principal {
    return { id: principal.id, name: principal.name, role: principal.role };
  }
}
