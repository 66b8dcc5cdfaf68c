import { z } from 'zod';
import { ConfigError, commonEnv, intVar, loadConfig } from './index.js';

const schema = z.object({ ...commonEnv, PORT: intVar(1, 65535, 3000) });

describe('loadConfig', () => {
  it('fills in defaults that work on a development machine', () => {
    const config = loadConfig(schema, {});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toMatch(/^postgresql:\/\//);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('names every bad variable in one error', () => {
    const attempt = () => loadConfig(schema, { PORT: 'eighty', REDIS_URL: 'http://x', DATABASE_URL: 'mysql://db' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('REDIS_URL');
      expect(message).toContain('DATABASE_URL');
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });
});
