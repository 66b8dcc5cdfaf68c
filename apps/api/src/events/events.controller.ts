import { Controller, Headers, HttpStatus, Param, Sse } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Returns } from '../openapi/returns.decorator.js';
import { EventsService } from './events.service.js';

const STREAM = 'text/event-stream';

/** Server-Sent Events, read from Postgres and woken by Redis; an open stream counts once against the rate limit. */
@ApiTags('events')
@Controller()
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Sse('runs/:id/events')
  @ApiHeader({ name: 'last-event-id', required: false, description: 'an epoch: only later epochs are sent (EventSource sends it when it reconnects)' })
  @Returns(HttpStatus.OK, null, {
    produces: STREAM,
    errors: [HttpStatus.NOT_FOUND],
    description:
      '`event: status` (data: a HistoryEntry) for the history so far, `event: epoch` (id: the epoch, data: EpochMetrics as in GET /runs/:id) as each is stored, ' +
      'then the terminal status, and the stream ends. Status events carry the id of the epoch before them. Comments keep it alive.',
  })
  run(@Param('id', { schema: z.uuid() }) id: string, @Headers('last-event-id') lastEventId?: string) {
    return this.events.run(id, lastEventId);
  }

  @Sse('events')
  @ApiHeader({ name: 'last-event-id', required: false, description: 'a history entry id: the changes after it are sent first' })
  @Returns(HttpStatus.OK, null, {
    produces: STREAM,
    description: '`event: status` (id: the entry id, data: a HistoryEntry with its runId) for every status change of every run, from the moment of connecting; never ends. Comments keep it alive.',
  })
  allRuns(@Headers('last-event-id') lastEventId?: string) {
    return this.events.allRuns(lastEventId);
  }
}
