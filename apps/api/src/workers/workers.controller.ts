import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Page, PageQuerySchema, type PageQuery, toPage, type WorkerView, WorkerPageSchema, iso } from '#libs/contracts';
import { liveWorkersWhere, PrismaService } from '#libs/database';
import { Returns } from '../openapi/returns.decorator.js';

@ApiTags('workers')
@Controller('workers')
export class WorkersController {
  constructor(private readonly prisma: PrismaService) {}

  /** Live workers: a heartbeat within the last LIVE_WORKER_WINDOW_MS and not stopped. */
  @Get()
  @Returns(HttpStatus.OK, WorkerPageSchema)
  async list(@Query({ schema: PageQuerySchema }) page: PageQuery): Promise<Page<WorkerView>> {
    const where = liveWorkersWhere();
    const [total, workers] = await Promise.all([
      this.prisma.worker.count({ where }),
      this.prisma.worker.findMany({ where, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }], take: page.limit, skip: page.offset }),
    ]);
    return toPage(page, total, workers.map(({ id, host, pid, backend, device, gpu, currentJob, startedAt, lastHeartbeatAt }) => ({
      id, host, pid, backend, device, gpu, currentJob, startedAt: iso(startedAt), lastHeartbeatAt: iso(lastHeartbeatAt),
    })));
  }
}
