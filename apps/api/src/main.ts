import { Logger } from '@nestjs/common';
import { loadApiConfig } from './api.config.js';
import { createApp } from './app.js';

const config = loadApiConfig();
const app = await createApp(config);
await app.listen(config.PORT, '0.0.0.0');
Logger.log(`Trainyard API listening on ${await app.getUrl()}`, 'Main');
