import { Controller, Get } from '@nestjs/common';
import { LIVE_WORKER_WINDOW_MS } from '#libs/contracts';
import { PrismaService } from '#libs/database';

@Controller('workers')
export class WorkersController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  async list() {
    const workers = await this.prisma.worker.findMany({
      where: { stoppedAt: null, lastHeartbeatAt: { gt: new Date(Date.now() - LIVE_WORKER_WINDOW_MS) } },
      orderBy: { startedAt: 'asc' },
    });
    return workers.map(({ id, host, pid, backend, device, gpu, currentJob, startedAt, lastHeartbeatAt }) => ({
      id, host, pid, backend, device, gpu, currentJob, startedAt, lastHeartbeatAt,
    }));
  }
}
