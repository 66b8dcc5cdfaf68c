-- GET /runs?optimizer= filters on optimizer #> '{name}' (Prisma's JSON path filter). Without statistics on that
-- expression Postgres guesses 0.5% of rows match (38 of 10,000 where 3,497 did), so it sorted a full scan instead
-- of walking the sort column's index: 18 ms against 0.2 ms for the 50 best adam runs. schema.prisma cannot
-- declare statistics; test/schema-drift.spec.ts compares tables, columns and indexes, which this leaves alone.
CREATE STATISTICS "runs_optimizer_name_stats" ON ("optimizer" #> '{name}'::text[]) FROM "runs";
ANALYZE "runs";
